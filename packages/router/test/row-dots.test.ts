// The WebAssembly SIMD dot products of the task index against a plain JavaScript loop.
import { describe, expect, it } from 'vitest';
import { RowDots } from '../src/library/wasm/row-dots.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

describe('RowDots', () => {
  for (const dim of [1, 5, 16, 17, 384, 1000]) {
    it(`matches a scalar loop, dim ${dim}, any row range`, () => {
      const r = rng(dim);
      const count = 37;
      const rows = Float32Array.from({ length: count * dim }, r);
      const q = Float32Array.from({ length: dim }, r);
      const table = new RowDots(rows, count, dim);
      const want = Array.from({ length: count }, (_, i) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += rows[i * dim + j]! * q[j]!;
        return s;
      });
      const all = Array.from(table.dots(q));
      all.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i]!, 3);
      });
      const part = Array.from(table.dots(q, 10, 13));
      expect(part).toHaveLength(3);
      part.forEach((v, i) => {
        expect(v).toBeCloseTo(want[10 + i]!, 3);
      });
      expect(table.dots(q, 5, 5)).toHaveLength(0);
    });
  }

  it('a second query does not see the first one', () => {
    const table = new RowDots(Float32Array.from([1, 0, 0, 1]), 2, 2);
    expect(Array.from(table.dots(Float32Array.from([2, 3])))).toEqual([2, 3]);
    expect(Array.from(table.dots(Float32Array.from([-1, 4])))).toEqual([-1, 4]);
  });

  it('rejects a wrong query size, a bad range and a short table', () => {
    const table = new RowDots(new Float32Array(8), 2, 4);
    expect(() => table.dots(new Float32Array(3))).toThrow(/query of 3 floats, rows of 4/);
    expect(() => table.dots(new Float32Array(4), 1, 3)).toThrow(/rows \[1, 3\) of 2/);
    expect(() => new RowDots(new Float32Array(7), 2, 4)).toThrow(/7 floats for 2 rows of 4/);
  });

  it('holds a table larger than one wasm page', () => {
    const dim = 384;
    const count = 3000;
    const rows = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) rows[i * dim + (i % dim)] = i;
    const q = new Float32Array(dim).fill(1);
    const out = new RowDots(rows, count, dim).dots(q);
    expect(out[2999]).toBe(2999);
    expect(out[0]).toBe(0);
  });
});
