import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelFile } from '../src/selection/model-file.js';
import { sampleNormal, seededRng } from '../src/selection/random.js';
import { parseTrainingJsonl } from '../src/selection/training-data.js';
import { trainSelectorModel, type LabelledEmbedding } from '../src/selection/training.js';
import { ctx, make } from './selection-fixtures.js';

const DIM = 24;
const LABELS = ['coder', 'reasoner', 'fast'];
const rng = seededRng(2024);

// Three classes around random unit centres that share a common direction (so raw cosines are all
// positive and close), with isotropic noise.
const common = Float64Array.from({ length: DIM }, () => sampleNormal(rng));
const centres = LABELS.map(() => Float64Array.from({ length: DIM }, (_, j) => sampleNormal(rng) + 1.5 * (common[j] as number)));
function point(label: number, noise: number): Float32Array {
  const c = centres[label] as Float64Array;
  return Float32Array.from(c, (v) => v + noise * sampleNormal(rng));
}
function dataset(perClass: number): LabelledEmbedding[] {
  return LABELS.flatMap((label, i) => Array.from({ length: perClass }, () => ({ embedding: point(i, 0.6), label })));
}
const train = dataset(30);
const heldOut = dataset(20);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semroute-trained-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cands = LABELS.map((model) => ({ model, similarity: 0 }));

async function accuracy(algorithm: string, points: LabelledEmbedding[], candidates = cands): Promise<number> {
  const sel = await make(algorithm, { model_path: `${algorithm}.json` }, dir);
  let ok = 0;
  for (const p of points) if ((await sel.select(ctx(candidates, { embedding: p.embedding }))).model === p.label) ok++;
  return ok / points.length;
}

describe.each(['knn', 'kmeans', 'svm', 'mlp'] as const)('%s', (algorithm) => {
  it('trains, writes a model file and classifies held-out points', async () => {
    const model = trainSelectorModel(algorithm, train, { seed: 1 });
    expect(model.labels).toEqual([...LABELS].sort());
    await writeFile(join(dir, `${algorithm}.json`), JSON.stringify(model));
    // The file survives a JSON round trip and validation.
    expect(parseModelFile(JSON.parse(await readFile(join(dir, `${algorithm}.json`), 'utf8')), 'x').algorithm).toBe(algorithm);
    expect(await accuracy(algorithm, heldOut)).toBeGreaterThanOrEqual(0.95);
  });

  it('is reproducible from the seed', () => {
    expect(trainSelectorModel(algorithm, train, { seed: 7 })).toEqual(trainSelectorModel(algorithm, train, { seed: 7 }));
  });

  it('scores only candidates the model knows, summing to 1', async () => {
    const sel = await make(algorithm, { model_path: join(dir, `${algorithm}.json`) });
    const p = heldOut.find((x) => x.label === 'fast')!;
    const r = await sel.select(ctx([{ model: 'reasoner', similarity: 0 }, { model: 'coder', similarity: 0 }, { model: 'unknown', similarity: 1 }], { embedding: p.embedding }));
    expect(['reasoner', 'coder']).toContain(r.model);
    expect(r.scores.unknown).toBe(0);
    expect(r.scores.reasoner! + r.scores.coder!).toBeCloseTo(1, 9);
  });
});

describe('trained selector errors', () => {
  it('names a missing model file', async () => {
    await expect(make('knn', { model_path: 'absent.json' }, dir)).rejects.toThrow(/knn: model file .*absent\.json does not exist/);
  });

  it('rejects corrupt JSON, a wrong shape and the wrong algorithm', async () => {
    await writeFile(join(dir, 'bad.json'), '{"format": "semroute-selector-model", "vers');
    await expect(make('svm', { model_path: 'bad.json' }, dir)).rejects.toMatchObject({ code: 'SELECTOR_MODEL_INVALID', message: expect.stringMatching(/not valid JSON/) });

    const svm = trainSelectorModel('svm', train, { seed: 1 });
    (svm.model as { weights: number[][] }).weights[1]!.pop();
    await writeFile(join(dir, 'short.json'), JSON.stringify(svm));
    await expect(make('svm', { model_path: 'short.json' }, dir)).rejects.toThrow(/model\.weights\.1: expected 24 values, got 23/);

    await writeFile(join(dir, 'other.json'), JSON.stringify(trainSelectorModel('knn', train)));
    await expect(make('mlp', { model_path: 'other.json' }, dir)).rejects.toThrow(/was trained for knn, not mlp/);
  });

  it('rejects a prompt embedding of another dimension and a decision with none of its labels', async () => {
    await writeFile(join(dir, 'k.json'), JSON.stringify(trainSelectorModel('knn', train)));
    const sel = await make('knn', { model_path: 'k.json' }, dir);
    await expect(sel.select(ctx(cands, { embedding: new Float32Array(3) }))).rejects.toMatchObject({ code: 'EMBEDDING_DIM_MISMATCH' });
    await expect(sel.select(ctx([{ model: 'x', similarity: 0 }], { embedding: point(0, 0) }))).rejects.toThrow(/none of which is a candidate/);
  });

  it('refuses empty or inconsistent training data', () => {
    expect(() => trainSelectorModel('knn', [])).toThrow(/no training examples/);
    expect(() => trainSelectorModel('svm', [{ embedding: new Float32Array(2), label: 'a' }, { embedding: new Float32Array(3), label: 'b' }])).toThrow(/example 1 has dimension 3/);
  });
});

describe('mlp is non-linear', () => {
  it('learns XOR-arranged classes', async () => {
    const r = seededRng(5);
    const xor = (n: number): LabelledEmbedding[] =>
      Array.from({ length: n }, () => {
        const a = r() < 0.5 ? -1 : 1;
        const b = r() < 0.5 ? -1 : 1;
        return { embedding: Float32Array.from([a + 0.2 * sampleNormal(r), b + 0.2 * sampleNormal(r)]), label: a * b > 0 ? 'same' : 'diff' };
      });
    const model = trainSelectorModel('mlp', xor(200), { seed: 3, hidden: 16, epochs: 150 });
    await writeFile(join(dir, 'xor.json'), JSON.stringify(model));
    const sel = await make('mlp', { model_path: 'xor.json' }, dir);
    const test = xor(100);
    let ok = 0;
    for (const p of test) if ((await sel.select(ctx([{ model: 'same', similarity: 0 }, { model: 'diff', similarity: 0 }], { embedding: p.embedding }))).model === p.label) ok++;
    expect(ok / test.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('training JSONL', () => {
  it('reads text or prompt with a model label', () => {
    expect(parseTrainingJsonl('{"text":"a","model":"m"}\n\n{"prompt":"b","model":"n"}\n', 'f.jsonl')).toEqual([
      { text: 'a', label: 'm' },
      { text: 'b', label: 'n' },
    ]);
  });
  it('reports every bad line with its number', () => {
    expect(() => parseTrainingJsonl('{"text":"a"}\nnot json\n{"prompt":"","model":"m"}', 'f.jsonl')).toThrow(
      /f\.jsonl:1: needs a non-empty "model"[\s\S]*f\.jsonl:2: not valid JSON[\s\S]*f\.jsonl:3: needs a non-empty "text"/,
    );
  });
});
