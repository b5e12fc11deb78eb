// The cache's vector index: exact while small, HNSW (hnswlib-node) once large, same answers.
import { describe, expect, it } from 'vitest';
import { FlatIndex } from '../src/cache/flat-index.js';
import { VectorIndex } from '../src/cache/vector-index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function unit(r: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = r() - 0.5;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** `v` nudged by noise of relative size `eps`, renormalised: a near-duplicate query. */
function near(r: () => number, v: Float32Array, eps: number): Float32Array {
  const u = v.map((x) => x + (r() - 0.5) * eps * 2 / Math.sqrt(v.length));
  const n = Math.hypot(...u);
  return u.map((x) => x / n);
}

describe('VectorIndex', () => {
  it('switches to HNSW past the threshold and finds what exact search finds', async () => {
    const r = rng(7);
    const dim = 32;
    const idx = new VectorIndex(dim, { annThreshold: 500 });
    const flat = new FlatIndex(dim);
    const vecs: Float32Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = unit(r, dim);
      vecs.push(v);
      idx.upsert(`e${i}`, v);
      flat.upsert(`e${i}`, v);
    }
    expect(idx.approximate).toBe(false); // still building in the background: exact meanwhile
    for (let i = 0; i < 3000; i += 7) {
      idx.remove(`e${i}`);
      flat.remove(`e${i}`);
    }
    const late = unit(r, dim);
    idx.upsert('late', late);
    flat.upsert('late', late);
    await idx.whenIndexed();
    expect(idx.approximate).toBe(true);
    expect(idx.size).toBe(flat.size);

    let agree = 0;
    let queries = 0;
    for (let i = 1; i < 3000; i += 10) {
      if (i % 7 === 0) continue;
      const q = near(r, vecs[i]!, 0.3);
      const want = flat.search(q, 1, 0.8)[0];
      const got = idx.search(q, 1, 0.8)[0];
      queries++;
      if (got && want && got.id === want.id && Math.abs(got.similarity - want.similarity) < 1e-5) agree++;
    }
    expect(agree / queries).toBeGreaterThan(0.98);
    expect(idx.search(late, 1, 0.99)[0]?.id).toBe('late');
    // Removed entries are never returned.
    for (let i = 0; i < 3000; i += 7) expect(idx.search(vecs[i]!, 4, 0).some((h) => h.id === `e${i}`)).toBe(false);
    idx.dispose();
  });

  it('replaces a vector on upsert of an existing id', async () => {
    const r = rng(3);
    const idx = new VectorIndex(8, { annThreshold: 2 });
    const a = unit(r, 8);
    const b = unit(r, 8);
    idx.upsert('x', a);
    idx.upsert('y', unit(r, 8));
    await idx.whenIndexed();
    idx.upsert('x', b);
    expect(idx.search(b, 1, 0.999)[0]?.id).toBe('x');
    expect(idx.search(a, 2, 0.999)).toEqual([]);
    expect(idx.size).toBe(2);
    idx.dispose();
  });
});
