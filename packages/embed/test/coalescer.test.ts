// The coalescing queue on its own (a fake engine: deterministic, no model) and through Embedder
// on the tiny-bert fixture (concurrent calls equal single calls, row for row).

import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedder, EmbedError } from '@semroute/embed';
import { Coalescer, type PassResult } from '../src/coalescer.js';

/** A fake engine: row i of a pass is [code of the text's first char, text length, pass number]. */
function fakeEngine(opts: { failOn?: string } = {}) {
  const passes: string[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const run = async (texts: string[]): Promise<PassResult> => {
    passes.push(texts);
    if (hold) await new Promise<void>((r) => (release = r));
    if (opts.failOn !== undefined) {
      const i = texts.indexOf(opts.failOn);
      if (i >= 0) throw new Error(`bad text at index ${i}`);
    }
    const data = new Float32Array(texts.length * 3);
    texts.forEach((t, i) => {
      data.set([t.charCodeAt(0), t.length, passes.length], i * 3);
    });
    return { data, dim: 3, truncated: texts.flatMap((t, i) => (t.endsWith('!') ? [i] : [])) };
  };
  return {
    run,
    passes,
    hold: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

const rowsOf = (r: PassResult) => Array.from({ length: r.data.length / r.dim }, (_, i) => Array.from(r.data.subarray(i * r.dim, (i + 1) * r.dim)));

describe('Coalescer', () => {
  it('runs calls made in the same turn as one pass and gives each caller its own rows', async () => {
    const e = fakeEngine();
    const q = new Coalescer(e.run, { maxBatch: 32, maxWaitMs: 0 });
    const [a, b, c] = await Promise.all([q.submit(['aa', 'b!']), q.submit(['ccc']), q.submit(['d', 'ee', 'f!'])]);
    expect(e.passes).toEqual([['aa', 'b!', 'ccc', 'd', 'ee', 'f!']]);
    expect(rowsOf(a!)).toEqual([[97, 2, 1], [98, 2, 1]]);
    expect(rowsOf(b!)).toEqual([[99, 3, 1]]);
    expect(rowsOf(c!)).toEqual([[100, 1, 1], [101, 2, 1], [102, 2, 1]]);
    // Truncation indices are the caller's own.
    expect([a!.truncated, b!.truncated, c!.truncated]).toEqual([[1], [], [2]]);
    // Each caller owns its buffer: no view of another caller's rows.
    expect(a!.data.buffer).not.toBe(b!.data.buffer);
    expect(a!.data.length).toBe(6);
  });

  it('queues calls while a pass runs and sends them together in the next one, up to maxBatch texts', async () => {
    const e = fakeEngine();
    const q = new Coalescer(e.run, { maxBatch: 4, maxWaitMs: 0 });
    e.hold();
    const first = q.submit(['x']);
    await new Promise((r) => setImmediate(r));
    expect(e.passes).toEqual([['x']]);
    const later = [q.submit(['a', 'b']), q.submit(['c']), q.submit(['d']), q.submit(['e', 'f'])];
    await new Promise((r) => setImmediate(r));
    expect(e.passes.length).toBe(1); // nothing starts while the engine is busy
    e.release();
    await Promise.all([first, ...later]);
    expect(e.passes).toEqual([['x'], ['a', 'b', 'c', 'd'], ['e', 'f']]);
    expect(q.stats).toEqual({ passes: 3, calls: 5, aborted: 0 });
  });

  it('waits up to maxWaitMs for company when idle, and starts at once when the batch is full', async () => {
    const e = fakeEngine();
    const q = new Coalescer(e.run, { maxBatch: 3, maxWaitMs: 30 });
    const p1 = q.submit(['a']);
    await new Promise((r) => setTimeout(r, 5));
    expect(e.passes.length).toBe(0);
    const p2 = q.submit(['b']);
    await Promise.all([p1, p2]);
    expect(e.passes).toEqual([['a', 'b']]);
    const t = performance.now();
    await Promise.all([q.submit(['c', 'd']), q.submit(['e'])]);
    expect(performance.now() - t).toBeLessThan(25); // full batch: no wait
    expect(e.passes[1]).toEqual(['c', 'd', 'e']);
  });

  it('never runs a call whose signal aborted while it was queued', async () => {
    const e = fakeEngine();
    const q = new Coalescer(e.run, { maxBatch: 32, maxWaitMs: 0 });
    e.hold();
    const busy = q.submit(['x']);
    await new Promise((r) => setImmediate(r));
    const ac = new AbortController();
    const dropped = q.submit(['late'], ac.signal);
    const kept = q.submit(['kept']);
    ac.abort(new Error('deadline'));
    await expect(dropped).rejects.toThrow('deadline');
    await expect(q.submit(['never'], ac.signal)).rejects.toThrow('deadline');
    e.release();
    await Promise.all([busy, kept]);
    expect(e.passes).toEqual([['x'], ['kept']]);
    expect(q.stats.aborted).toBe(1);
  });

  it("fails only the caller whose texts failed, with indices into its own texts", async () => {
    const e = fakeEngine({ failOn: 'bad' });
    const q = new Coalescer(e.run, { maxBatch: 32, maxWaitMs: 0 });
    const [ok1, bad, ok2] = await Promise.allSettled([q.submit(['a']), q.submit(['z', 'bad']), q.submit(['c'])]);
    expect(ok1.status).toBe('fulfilled');
    expect(ok2.status).toBe('fulfilled');
    expect(bad.status === 'rejected' && (bad.reason as Error).message).toBe('bad text at index 1');
  });

  it('rejects impossible options', () => {
    const e = fakeEngine();
    expect(() => new Coalescer(e.run, { maxBatch: 0, maxWaitMs: 0 })).toThrow(RangeError);
    expect(() => new Coalescer(e.run, { maxBatch: 1, maxWaitMs: -1 })).toThrow(RangeError);
  });
});

describe('Embedder with coalescing (tiny-bert)', () => {
  const tinyBert = join(resolve(import.meta.dirname, '../../..'), 'crates/semroute-embed/tests/fixtures/tiny-bert');
  const TEXTS = ['hi', 'How do I reverse a linked list in place?', 'Bonjour tout le monde', 'a b c d e f g'];

  it('gives concurrent callers exactly the rows they would get alone, in fewer passes', async () => {
    const single = await Embedder.load(tinyBert, { coalesce: false });
    const shared = await Embedder.load(tinyBert, { maxBatch: 8 });
    const alone = await Promise.all(TEXTS.map((t) => single.embed([t])));
    const together = await Promise.all([...TEXTS.map((t) => shared.embed([t])), shared.embed(TEXTS)]);
    for (let i = 0; i < TEXTS.length; i++) {
      const a = alone[i]!.data;
      const b = together[i]!.data;
      expect(b.length).toBe(a.length);
      expect(Math.max(...a.map((x, j) => Math.abs(x - b[j]!)))).toBeLessThan(1e-5);
      // The same text inside the 4-text call is row i there.
      const row = together[TEXTS.length]!.data.subarray(i * a.length, (i + 1) * a.length);
      expect(Math.max(...a.map((x, j) => Math.abs(x - row[j]!)))).toBeLessThan(1e-5);
    }
    expect(shared.coalescing!.passes).toBeLessThan(TEXTS.length + 1);
    expect(single.coalescing).toBeUndefined();
  });

  it('rejects bad coalesce options and signals with INVALID_ARGUMENT', async () => {
    for (const coalesce of [{ maxWaitMs: -1 }, { maxWaitMs: Number.NaN }, 3 as never]) {
      await expect(Embedder.load(tinyBert, { coalesce })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    const e = await Embedder.load(tinyBert);
    await expect(e.embed(['x'], { signal: 'no' as never })).rejects.toBeInstanceOf(EmbedError);
    const ac = new AbortController();
    ac.abort(new Error('gone'));
    await expect(e.embed(['x'], { signal: ac.signal })).rejects.toThrow('gone');
  });
});
