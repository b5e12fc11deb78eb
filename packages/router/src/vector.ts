// Small dense-vector helpers over Float32Array rows.

/** Dot product (cosine for unit-norm vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** Returns a unit-norm copy (the zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n > 0) for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Unit-norm mean of unit-norm rows (the direction of a set of texts). */
export function centroid(rows: Float32Array[], dim: number): Float32Array {
  const acc = new Float32Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) acc[i]! += r[i]!;
  return normalize(acc);
}

/** Splits a batch into per-row views, normalising rows (embedders usually do; fakes may not). */
export function rowsOf(data: Float32Array, dim: number, count: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let r = 0; r < count; r++) rows.push(normalize(data.subarray(r * dim, (r + 1) * dim)));
  return rows;
}
