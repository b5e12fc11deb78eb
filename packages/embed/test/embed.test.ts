// @semroute/embed against the built addon, loaded the way a user loads it.

import { existsSync, mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedder, EmbedError, rows } from '@semroute/embed';

const repo = resolve(import.meta.dirname, '../../..');
const fixtures = join(repo, 'crates/semroute-embed/tests/fixtures');
const tinyBert = join(fixtures, 'tiny-bert');
const minilm = join(repo, 'models/all-MiniLM-L6-v2');
const haveMinilm = existsSync(join(minilm, 'model.safetensors'));
if (!haveMinilm) console.warn('SKIPPED MiniLM tests: models/all-MiniLM-L6-v2 is absent (run scripts/fetch-model.sh)');

const TEXTS = [
  'hi',
  'How do I reverse a linked list in place?',
  'Write a Python function that returns the nth Fibonacci number, then explain its complexity.',
  'Bonjour tout le monde',
];

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<EmbedError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(EmbedError);
  expect((caught as EmbedError).code).toBe(code);
  return caught as EmbedError;
}

describe.skipIf(!haveMinilm)('all-MiniLM-L6-v2', () => {
  it('embeds into unit-norm 384-d rows that match sentence-transformers', async () => {
    const e = await Embedder.load(minilm);
    expect(e.info).toEqual({ architecture: 'bert', dim: 384, maxSeqLen: 256, supportsBatched: true, precision: 'f32' });
    const ref = JSON.parse(readFileSync(join(fixtures, 'minilm_reference.json'), 'utf8')) as {
      texts: string[];
      embeddings: number[][];
    };
    const out = await e.embed(ref.texts);
    expect(out.dim).toBe(384);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data.length).toBe(ref.texts.length * 384);
    expect(out.truncated).toEqual([]);
    rows(out).forEach((row, i) => {
      expect(norm(row)).toBeCloseTo(1, 5);
      const want = ref.embeddings[i]!;
      const cos = row.reduce((s, x, j) => s + x * want[j]!, 0) / norm(Float32Array.from(want));
      expect(cos).toBeGreaterThanOrEqual(0.9999);
    });
  });

  it('embeds each text in a batch exactly as alone, sync and async', async () => {
    const e = await Embedder.load(minilm, { maxBatch: 3 });
    const batch = await e.embed(TEXTS);
    const views = rows(batch);
    for (const [i, text] of TEXTS.entries()) {
      const single = e.embedSync([text]);
      expect(maxAbsDiff(views[i]!, single.data)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('reports truncated inputs', async () => {
    const e = await Embedder.load(minilm);
    const out = await e.embed(['short', 'word '.repeat(400)]);
    expect(out.truncated).toEqual([1]);
  });

  it('runs several embeds and two models at once, off the event loop', async () => {
    const [a, b] = await Promise.all([Embedder.load(minilm), Embedder.load(tinyBert)]);
    const expectedA = a.embedSync(TEXTS);
    const expectedB = b.embedSync(TEXTS);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const many = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).embed(TEXTS));
    const results = await Promise.all(many);
    clearInterval(timer);
    results.forEach((r, i) => {
      const want = i % 2 === 0 ? expectedA : expectedB;
      expect(r.dim).toBe(want.dim);
      expect(maxAbsDiff(r.data, want.data)).toBeLessThanOrEqual(1e-5);
    });
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('tiny-bert fixture', () => {
  it('returns zero-copy row views', async () => {
    const e = await Embedder.load(tinyBert);
    expect(e.info.dim).toBe(32);
    const out = await e.embed(TEXTS);
    const views = rows(out);
    expect(views).toHaveLength(TEXTS.length);
    expect(views.every((v) => v.buffer === out.data.buffer && v.length === 32)).toBe(true);
    expect((await e.embed([])).data.length).toBe(0);
  });

  it('honours normalize: false', async () => {
    const e = await Embedder.load(tinyBert, { normalize: false });
    expect(Math.abs(norm(e.embedSync(['hello']).data) - 1)).toBeGreaterThan(1e-3);
  });
});

describe('errors', () => {
  it('lists every missing file with MODEL_FILES_MISSING', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semroute-missing-'));
    copyFileSync(join(tinyBert, 'config.json'), join(dir, 'config.json'));
    const err = await expectCode(Embedder.load(dir), 'MODEL_FILES_MISSING');
    expect(err.message).toContain(dir);
    expect(err.message).toContain('tokenizer.json');
    expect(err.message).toContain('model.safetensors');
    await expectCode(() => Embedder.loadSync(dir), 'MODEL_FILES_MISSING');
  });

  it('rejects bad options and inputs with INVALID_ARGUMENT', async () => {
    const dimErr = await expectCode(Embedder.load(tinyBert, { dim: 7 }), 'INVALID_ARGUMENT');
    expect(dimErr.message).toContain('valid: 32');
    const layerErr = await expectCode(Embedder.load(tinyBert, { layer: 1 }), 'INVALID_ARGUMENT');
    expect(layerErr.message).toContain('valid: 2');
    await expectCode(Embedder.load(tinyBert, { maxBatch: -1 }), 'INVALID_ARGUMENT');
    await expectCode(Embedder.load(tinyBert, { maxBatch: 1.5 }), 'INVALID_ARGUMENT');
    await expectCode(Embedder.load(tinyBert, { instruction: 'x' }), 'INVALID_ARGUMENT');
    await expectCode(Embedder.load(''), 'INVALID_ARGUMENT');
    const precErr = await expectCode(Embedder.load(tinyBert, { precision: 'int4' as 'f32' }), 'INVALID_ARGUMENT');
    expect(precErr.message).toContain('options.precision must be one of f32, bf16, int8, got int4');
    const e = await Embedder.load(tinyBert);
    await expectCode(e.embed('not an array' as unknown as string[]), 'INVALID_ARGUMENT');
    await expectCode(e.embed([1 as unknown as string]), 'INVALID_ARGUMENT');
  });

  // bf16 products, and int8 weights: each close to f32 where the CPU has what it needs, and said in info.
  it.each([
    { precision: 'bf16' as const, needs: 'AVX-512 BF16' },
    { precision: 'int8' as const, needs: 'AVX-512' },
  ])('embeds in $precision where the CPU has $needs, close to f32, and says so in info', async ({ precision, needs }) => {
    const f32 = await Embedder.load(tinyBert);
    expect(f32.info.precision).toBe('f32');
    let low: Embedder;
    try {
      low = await Embedder.load(tinyBert, { precision });
    } catch (err) {
      // A CPU without it: the load fails and names what is missing.
      expect(err).toBeInstanceOf(EmbedError);
      expect((err as EmbedError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toContain(needs);
      console.warn(`${precision} not run: this CPU has no ${needs} (checked the load error only)`);
      return;
    }
    expect(low.info.precision).toBe(precision);
    const a = rows(await f32.embed(TEXTS));
    const b = rows(await low.embed(TEXTS));
    a.forEach((row, i) => {
      const cos = row.reduce((s, x, j) => s + x * b[i]![j]!, 0);
      expect(cos).toBeGreaterThan(0.999);
      expect(maxAbsDiff(row, b[i]!)).toBeGreaterThan(0);
    });
  });

  it('reports corrupt weights and unsupported models with their codes and causes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semroute-corrupt-'));
    for (const f of ['config.json', 'tokenizer.json']) copyFileSync(join(tinyBert, f), join(dir, f));
    const weights = readFileSync(join(tinyBert, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), weights.subarray(0, weights.length / 2));
    const err = await expectCode(Embedder.load(dir), 'CORRUPT_WEIGHTS');
    expect(err.cause).toBeInstanceOf(Error);

    const config = readFileSync(join(tinyBert, 'config.json'), 'utf8').replace('"bert"', '"t5"');
    writeFileSync(join(dir, 'config.json'), config);
    copyFileSync(join(tinyBert, 'model.safetensors'), join(dir, 'model.safetensors'));
    const unsupported = await expectCode(Embedder.load(dir), 'UNSUPPORTED_MODEL');
    expect(unsupported.message).toContain('t5');
  });
});
