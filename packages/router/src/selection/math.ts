// Small numeric helpers shared by the selectors. Pure functions, no state.

/** Index of the largest value (first on ties); -1 for an empty array. */
export function argmax(values: readonly number[]): number {
  let best = -1;
  let bestValue = -Infinity;
  values.forEach((v, i) => {
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  });
  return best;
}

/** Softmax of `values / temperature` (max-shifted for stability). */
export function softmax(values: readonly number[], temperature = 1): number[] {
  if (values.length === 0) return [];
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp((v - max) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * Semantic fit relative to the best candidate: exp((s_i - s_max) / T), i.e. softmax divided by its
 * maximum. The best-fitting candidate gets 1 and the others decay with their similarity gap.
 */
export function relativeFit(similarities: readonly number[], temperature: number): number[] {
  if (similarities.length === 0) return [];
  const max = Math.max(...similarities);
  return similarities.map((s) => Math.exp((s - max) / temperature));
}

/**
 * Min-max normalisation to [0, 1]; `higherIsBetter=false` flips it so the smallest value gets 1.
 * Undefined entries stay undefined. When all defined values are equal they all get `flat`.
 */
export function minMax(
  values: ReadonlyArray<number | undefined>,
  higherIsBetter = true,
  flat = 1,
): Array<number | undefined> {
  const known = values.filter((v): v is number => v !== undefined);
  if (known.length === 0) return values.map(() => undefined);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return values.map((v) => {
    if (v === undefined) return undefined;
    if (hi === lo) return flat;
    const t = (v - lo) / (hi - lo);
    return higherIsBetter ? t : 1 - t;
  });
}

/** Percentile with linear interpolation between closest ranks (p in [0, 100]); undefined when empty. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * Math.min(100, Math.max(0, p))) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Confidence from the margin between the two best non-negative scores: top / (top + second),
 * in [0.5, 1]; 1 with a single candidate, 0.5 when the two best tie.
 */
export function marginConfidence(scores: readonly number[]): number {
  if (scores.length <= 1) return 1;
  const sorted = [...scores].map((s) => Math.max(0, s)).sort((a, b) => b - a);
  const top = sorted[0] as number;
  const second = sorted[1] as number;
  if (top + second === 0) return 0.5;
  return top / (top + second);
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Copy of `v` scaled to unit L2 norm (unchanged when all zeros). */
export function normalize(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>);
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / n;
  return out;
}

/** Clamp to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
