// Route-time view of the task library: which task types a prompt looks like.
//
// Prototypes are the library's prompt vectors (unit-norm), stored task by task in one flat array.
// For a prompt p: cosine to every task centroid; the `shortlist` closest tasks' prototypes are
// searched for the k nearest neighbours (a two-stage search: a few hundred rows instead of
// thousands); each neighbour votes for its task with weight exp(cos / temperature). The vote is
// blended with a softmax over the centroid cosines, giving P(task | prompt).
import { dot } from '../vector.js';

export interface TaskIndexParams {
  /** Nearest prototypes that vote. */
  k: number;
  /** Softmax temperature of the neighbour votes. */
  knnTemperature: number;
  /** Softmax temperature over centroid cosines. */
  centroidTemperature: number;
  /** Weight of the neighbour vote against the centroid softmax (1 = votes only). */
  knnWeight: number;
  /** Tasks whose prototypes are searched. */
  shortlist: number;
}

export const DEFAULT_TASK_INDEX_PARAMS: TaskIndexParams = {
  k: 20,
  knnTemperature: 0.05,
  centroidTemperature: 0.05,
  knnWeight: 0.4,
  shortlist: 16,
};

export interface TaskDistribution {
  /** P(task | prompt), indexed like the index's tasks. */
  probs: Float64Array;
  /** Cosine to each task centroid. */
  centroidSims: Float64Array;
}

export class TaskIndex {
  /** Unit-norm centroid per task. */
  readonly centroids: Float32Array[];
  private readonly rows: Float32Array;
  /** Prototype row range of each task: [start, end). */
  private readonly ranges: Array<[number, number]>;

  /**
   * @param vectors unit-norm prototype rows, `labels[i]` the task of row i
   * @param taskCount number of tasks (labels are < taskCount; a task may have no prototype)
   */
  constructor(
    vectors: Float32Array[],
    labels: number[],
    readonly taskCount: number,
    readonly dim: number,
    private readonly params: TaskIndexParams = DEFAULT_TASK_INDEX_PARAMS,
  ) {
    const order = labels.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.rows = new Float32Array(order.length * dim);
    this.ranges = Array.from({ length: taskCount }, () => [0, 0] as [number, number]);
    const sums = Array.from({ length: taskCount }, () => new Float64Array(dim));
    order.forEach(([t, i], r) => {
      const v = vectors[i]!;
      this.rows.set(v, r * dim);
      const range = this.ranges[t]!;
      if (range[1] === range[0]) range[0] = r;
      range[1] = r + 1;
      const s = sums[t]!;
      for (let j = 0; j < dim; j++) s[j]! += v[j]!;
    });
    this.centroids = sums.map((s) => {
      let n = 0;
      for (let j = 0; j < dim; j++) n += s[j]! * s[j]!;
      n = Math.sqrt(n);
      const c = new Float32Array(dim);
      if (n > 0) for (let j = 0; j < dim; j++) c[j] = s[j]! / n;
      return c;
    });
  }

  /** Number of prototypes of a task. */
  count(task: number): number {
    const [a, b] = this.ranges[task]!;
    return b - a;
  }

  distribution(p: Float32Array): TaskDistribution {
    const { k, knnTemperature, centroidTemperature, knnWeight, shortlist } = this.params;
    const T = this.taskCount;
    const centroidSims = new Float64Array(T);
    for (let t = 0; t < T; t++) centroidSims[t] = this.count(t) > 0 ? dot(p, this.centroids[t]!) : -1;

    // Neighbours among the shortlisted tasks' prototypes.
    const tasks = [...centroidSims.keys()].filter((t) => this.count(t) > 0).sort((a, b) => centroidSims[b]! - centroidSims[a]!);
    const best: Array<{ s: number; t: number }> = [];
    for (const t of tasks.slice(0, shortlist)) {
      const [a, b] = this.ranges[t]!;
      for (let r = a; r < b; r++) {
        const s = rowDot(this.rows, r * this.dim, p, this.dim);
        if (best.length < k) {
          best.push({ s, t });
          if (best.length === k) best.sort((x, y) => x.s - y.s);
        } else if (s > best[0]!.s) {
          best[0] = { s, t };
          for (let i = 0; i + 1 < best.length && best[i]!.s > best[i + 1]!.s; i++) [best[i], best[i + 1]] = [best[i + 1]!, best[i]!];
        }
      }
    }
    const probs = new Float64Array(T);
    if (best.length > 0 && knnWeight > 0) {
      const top = Math.max(...best.map((b) => b.s));
      let z = 0;
      for (const b of best) {
        const w = Math.exp((b.s - top) / knnTemperature);
        probs[b.t]! += w;
        z += w;
      }
      for (let t = 0; t < T; t++) probs[t]! *= knnWeight / z;
    }
    if (knnWeight < 1) {
      const top = Math.max(...centroidSims);
      let z = 0;
      const ex = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        ex[t] = this.count(t) > 0 ? Math.exp((centroidSims[t]! - top) / centroidTemperature) : 0;
        z += ex[t]!;
      }
      const w = best.length > 0 && knnWeight > 0 ? 1 - knnWeight : 1;
      for (let t = 0; t < T; t++) probs[t]! += (w * ex[t]!) / z;
    }
    return { probs, centroidSims };
  }
}

function rowDot(rows: Float32Array, off: number, p: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += rows[off + j]! * p[j]!;
    s1 += rows[off + j + 1]! * p[j + 1]!;
    s2 += rows[off + j + 2]! * p[j + 2]!;
    s3 += rows[off + j + 3]! * p[j + 3]!;
  }
  for (; j < dim; j++) s0 += rows[off + j]! * p[j]!;
  return s0 + s1 + s2 + s3;
}
