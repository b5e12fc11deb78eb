// Route-time view of the task library: which task types a prompt looks like.
//
// Prototypes are the library's prompt vectors (unit-norm), stored task by task in one flat array.
// For a prompt p: cosine to every task centroid; the `shortlist` closest tasks' prototypes are
// searched for the k nearest neighbours (a two-stage search: a few hundred rows instead of
// thousands); each neighbour votes for its task with weight exp(cos / temperature). The vote is
// blended with a softmax over the centroid cosines, giving P(task | prompt). The dot products run in
// WebAssembly SIMD (wasm/row-dots.ts): centroids first, then the prototypes task by task.
import { RowDots } from './wasm/row-dots.js';

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
  /** Centroid rows [0, taskCount), then the prototypes, task by task. */
  private readonly table: RowDots;
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
    const rows = new Float32Array(order.length * dim);
    this.ranges = Array.from({ length: taskCount }, () => [0, 0] as [number, number]);
    const sums = Array.from({ length: taskCount }, () => new Float64Array(dim));
    order.forEach(([t, i], r) => {
      const v = vectors[i]!;
      rows.set(v, r * dim);
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
    const all = new Float32Array((taskCount + order.length) * dim);
    this.centroids.forEach((c, t) => {
      all.set(c, t * dim);
    });
    all.set(rows, taskCount * dim);
    this.table = new RowDots(all, taskCount + order.length, dim);
    // Scratch for the k nearest: scores and tasks.
    this.bestS = new Float64Array(params.k);
    this.bestT = new Int32Array(params.k);
  }

  private readonly bestS: Float64Array;
  private readonly bestT: Int32Array;

  /** Number of prototypes of a task. */
  count(task: number): number {
    const [a, b] = this.ranges[task]!;
    return b - a;
  }

  distribution(p: Float32Array): TaskDistribution {
    const { k, knnTemperature, centroidTemperature, knnWeight, shortlist } = this.params;
    const T = this.taskCount;
    const centroidSims = new Float64Array(T);
    const cs = this.table.dots(p, 0, T);
    for (let t = 0; t < T; t++) centroidSims[t] = this.count(t) > 0 ? cs[t]! : -1;

    // The k nearest among the shortlisted tasks' prototypes (bestS/bestT, `filled` of them; `low`
    // the slot of the weakest once full).
    const tasks = [...centroidSims.keys()].filter((t) => this.count(t) > 0).sort((a, b) => centroidSims[b]! - centroidSims[a]!);
    const { bestS, bestT } = this;
    let filled = 0;
    let low = 0;
    for (const t of tasks.slice(0, shortlist)) {
      const [a, b] = this.ranges[t]!;
      const sims = this.table.dots(p, T + a, T + b);
      for (let i = 0; i < sims.length; i++) {
        const s = sims[i]!;
        if (filled < k) {
          bestS[filled] = s;
          bestT[filled] = t;
          filled++;
          if (filled === k) low = argMin(bestS, k);
        } else if (s > bestS[low]!) {
          bestS[low] = s;
          bestT[low] = t;
          low = argMin(bestS, k);
        }
      }
    }
    const probs = new Float64Array(T);
    if (filled > 0 && knnWeight > 0) {
      let top = -Infinity;
      for (let i = 0; i < filled; i++) top = Math.max(top, bestS[i]!);
      let z = 0;
      for (let i = 0; i < filled; i++) {
        const w = Math.exp((bestS[i]! - top) / knnTemperature);
        probs[bestT[i]!]! += w;
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
      const w = filled > 0 && knnWeight > 0 ? 1 - knnWeight : 1;
      for (let t = 0; t < T; t++) probs[t]! += (w * ex[t]!) / z;
    }
    return { probs, centroidSims };
  }
}

function argMin(xs: Float64Array, n: number): number {
  let m = 0;
  for (let i = 1; i < n; i++) if (xs[i]! < xs[m]!) m = i;
  return m;
}
