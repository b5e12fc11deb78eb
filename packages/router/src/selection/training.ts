// Training of the knn / kmeans / svm / mlp selectors from labelled embeddings. Pure: the caller embeds
// the texts and writes the returned model file. All randomness comes from a seeded rng.
import { SelectionError } from './errors.js';
import { cosine, normalize } from './math.js';
import { seededRng, sampleNormal, shuffle, type Rng } from './random.js';
import type { SelectorModelFile, TrainedAlgorithm } from './model-file.js';

export interface LabelledEmbedding {
  embedding: Float32Array;
  label: string;
}

export interface TrainOptions {
  seed?: number;
  /** knn: neighbours voting (default 5). */
  k?: number;
  /** kmeans: clusters (default 2 per label, at most one per example). */
  clusters?: number;
  /** kmeans: Lloyd iterations (default 50). */
  iterations?: number;
  /** svm / mlp: passes over the data (svm 60, mlp 200). */
  epochs?: number;
  /** svm / mlp: learning rate (svm 0.1, mlp 0.01). */
  learningRate?: number;
  /** svm / mlp: L2 regularisation (svm 1e-3, mlp 1e-4). */
  lambda?: number;
  /** mlp: hidden units (default 64). */
  hidden?: number;
  /** mlp: mini-batch size (default 16). */
  batchSize?: number;
  /** Recorded in the file: which embedder produced the vectors. */
  embedder?: string;
}

interface Dataset {
  x: Float64Array[];
  y: number[];
  labels: string[];
  dim: number;
}

/** Trains a selector model of `algorithm` from labelled embeddings. */
export function trainSelectorModel(algorithm: TrainedAlgorithm, examples: LabelledEmbedding[], opts: TrainOptions = {}): SelectorModelFile {
  const data = prepare(examples);
  const seed = opts.seed ?? 42;
  const rng = seededRng(seed);
  const head = {
    format: 'semroute-selector-model' as const,
    version: 1 as const,
    dim: data.dim,
    labels: data.labels,
    training: { examples: examples.length, seed, ...(opts.embedder ? { embedder: opts.embedder } : {}) },
  };
  switch (algorithm) {
    case 'knn':
      return { ...head, algorithm, model: { k: Math.min(opts.k ?? 5, data.x.length), vectors: data.x.map(round), label_index: data.y } };
    case 'kmeans':
      return { ...head, algorithm, model: trainKmeans(data, rng, opts) };
    case 'svm':
      return { ...head, algorithm, model: trainSvm(data, rng, opts) };
    case 'mlp':
      return { ...head, algorithm, model: trainMlp(data, rng, opts) };
    default:
      throw new SelectionError('TRAINING_INVALID', `unknown trained algorithm "${String(algorithm)}"`);
  }
}

function prepare(examples: LabelledEmbedding[]): Dataset {
  if (examples.length === 0) throw new SelectionError('TRAINING_INVALID', 'no training examples');
  const dim = (examples[0] as LabelledEmbedding).embedding.length;
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const x: Float64Array[] = [];
  const y: number[] = [];
  examples.forEach((e, i) => {
    if (e.embedding.length !== dim) {
      throw new SelectionError('TRAINING_INVALID', `example ${i} has dimension ${e.embedding.length}, expected ${dim}`);
    }
    if (!e.embedding.every(Number.isFinite)) throw new SelectionError('TRAINING_INVALID', `example ${i} has a non-finite value`);
    x.push(normalize(e.embedding));
    y.push(labels.indexOf(e.label));
  });
  return { x, y, labels, dim };
}

/** Float values rounded to 7 significant digits (float32 precision) to keep files small. */
function round(v: ArrayLike<number>): number[] {
  return Array.from(v, (x) => Number(x.toPrecision(7)));
}

// ------------------------------------------------------------------ kmeans (spherical, k-means++ init)

function trainKmeans(d: Dataset, rng: Rng, opts: TrainOptions) {
  const n = d.x.length;
  const k = Math.max(1, Math.min(opts.clusters ?? 2 * d.labels.length, n));
  const dist = (a: Float64Array, b: Float64Array): number => 1 - cosine(a, b);
  // k-means++: each next centre drawn with probability proportional to squared distance to the nearest centre.
  const centroids: Float64Array[] = [Float64Array.from(d.x[Math.floor(rng() * n)] as Float64Array)];
  while (centroids.length < k) {
    const d2 = d.x.map((x) => Math.min(...centroids.map((c) => dist(x, c))) ** 2);
    const total = d2.reduce((a, b) => a + b, 0);
    let r = rng() * total;
    let idx = 0;
    while (idx < n - 1 && r >= (d2[idx] as number)) r -= d2[idx++] as number;
    centroids.push(Float64Array.from(d.x[total > 0 ? idx : centroids.length % n] as Float64Array));
  }
  const assign = new Array<number>(n).fill(-1);
  for (let it = 0; it < (opts.iterations ?? 50); it++) {
    let changed = false;
    d.x.forEach((x, i) => {
      let best = 0;
      let bestSim = -Infinity;
      centroids.forEach((c, j) => {
        const s = cosine(x, c);
        if (s > bestSim) {
          bestSim = s;
          best = j;
        }
      });
      if (assign[i] !== best) changed = true;
      assign[i] = best;
    });
    if (!changed) break;
    centroids.forEach((_c, j) => {
      const members = d.x.filter((_, i) => assign[i] === j);
      if (members.length === 0) return; // keep an empty cluster's centre where it is
      const sum = new Float64Array(d.dim);
      for (const m of members) for (let t = 0; t < d.dim; t++) sum[t] = (sum[t] as number) + (m[t] as number);
      centroids[j] = normalize(sum);
    });
  }
  const counts = centroids.map(() => new Array<number>(d.labels.length).fill(0));
  assign.forEach((j, i) => {
    const row = counts[j] as number[];
    row[d.y[i] as number] = (row[d.y[i] as number] as number) + 1;
  });
  // Clusters that ended empty are dropped: they carry no label evidence.
  const keep = counts.map((row) => row.some((c) => c > 0));
  return { centroids: centroids.filter((_, j) => keep[j]).map(round), label_counts: counts.filter((_, j) => keep[j]) };
}

// ------------------------------------------------------------------ svm (one-vs-rest, hinge loss, SGD)

function trainSvm(d: Dataset, rng: Rng, opts: TrainOptions) {
  const L = d.labels.length;
  const lambda = opts.lambda ?? 1e-3;
  const lr0 = opts.learningRate ?? 0.1;
  const w = d.labels.map(() => new Float64Array(d.dim));
  const b = new Float64Array(L);
  const order = d.x.map((_, i) => i);
  let t = 0;
  for (let epoch = 0; epoch < (opts.epochs ?? 60); epoch++) {
    shuffle(order, rng);
    for (const i of order) {
      const x = d.x[i] as Float64Array;
      const lr = lr0 / (1 + lr0 * lambda * t++);
      for (let m = 0; m < L; m++) {
        const wm = w[m] as Float64Array;
        const y = d.y[i] === m ? 1 : -1;
        let f = b[m] as number;
        for (let j = 0; j < d.dim; j++) f += (wm[j] as number) * (x[j] as number);
        // Subgradient of lambda/2 |w|^2 + max(0, 1 - y f).
        const hinge = y * f < 1;
        for (let j = 0; j < d.dim; j++) wm[j] = (wm[j] as number) * (1 - lr * lambda) + (hinge ? lr * y * (x[j] as number) : 0);
        if (hinge) b[m] = (b[m] as number) + lr * y;
      }
    }
  }
  return { weights: w.map(round), bias: round(b) };
}

// ------------------------------------------------------------------ mlp (one ReLU hidden layer, softmax, Adam)

function trainMlp(d: Dataset, rng: Rng, opts: TrainOptions) {
  const D = d.dim;
  const H = opts.hidden ?? 64;
  const L = d.labels.length;
  const lr = opts.learningRate ?? 0.01;
  const lambda = opts.lambda ?? 1e-4;
  const batch = Math.max(1, opts.batchSize ?? 16);
  // Parameters in flat arrays: w1 H x D, b1 H, w2 L x H, b2 L. He initialisation for the ReLU layer.
  const params = [
    Float64Array.from({ length: H * D }, () => sampleNormal(rng) * Math.sqrt(2 / D)),
    new Float64Array(H),
    Float64Array.from({ length: L * H }, () => sampleNormal(rng) * Math.sqrt(1 / H)),
    new Float64Array(L),
  ];
  const [w1, b1, w2, b2] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const [g1, gb1, g2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const order = d.x.map((_, i) => i);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  for (let epoch = 0; epoch < (opts.epochs ?? 200); epoch++) {
    shuffle(order, rng);
    for (let start = 0; start < order.length; start += batch) {
      const idx = order.slice(start, start + batch);
      for (const g of grads) g.fill(0);
      for (const i of idx) {
        const x = d.x[i] as Float64Array;
        mlpHidden(w1, b1, x, H, D, h);
        const p = mlpOutput(w2, b2, h, L, H);
        // d(cross-entropy)/d(logits) = p - onehot(y)
        p[d.y[i] as number] = (p[d.y[i] as number] as number) - 1;
        dh.fill(0);
        for (let l = 0; l < L; l++) {
          const dl = (p[l] as number) / idx.length;
          gb2[l] = (gb2[l] as number) + dl;
          for (let k = 0; k < H; k++) {
            g2[l * H + k] = (g2[l * H + k] as number) + dl * (h[k] as number);
            dh[k] = (dh[k] as number) + dl * (w2[l * H + k] as number);
          }
        }
        for (let k = 0; k < H; k++) {
          if ((h[k] as number) <= 0) continue; // ReLU gate
          const dk = dh[k] as number;
          gb1[k] = (gb1[k] as number) + dk;
          const off = k * D;
          for (let j = 0; j < D; j++) g1[off + j] = (g1[off + j] as number) + dk * (x[j] as number);
        }
      }
      step++;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      params.forEach((p, pi) => {
        const g = grads[pi] as Float64Array;
        const ma = m1[pi] as Float64Array;
        const va = m2[pi] as Float64Array;
        const decay = pi === 0 || pi === 2 ? lambda : 0; // weight decay on weights, not biases
        for (let j = 0; j < p.length; j++) {
          const gj = (g[j] as number) + decay * (p[j] as number);
          const mj = beta1 * (ma[j] as number) + (1 - beta1) * gj;
          const vj = beta2 * (va[j] as number) + (1 - beta2) * gj * gj;
          ma[j] = mj;
          va[j] = vj;
          p[j] = (p[j] as number) - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + 1e-8);
        }
      });
    }
  }
  const rows = (flat: Float64Array, r: number, c: number): number[][] => Array.from({ length: r }, (_, i) => round(flat.subarray(i * c, (i + 1) * c)));
  return { w1: rows(w1, H, D), b1: round(b1), w2: rows(w2, L, H), b2: round(b2) };
}

/** Hidden activations relu(W1 x + b1) into `out`. */
export function mlpHidden(w1: ArrayLike<number>, b1: ArrayLike<number>, x: ArrayLike<number>, H: number, D: number, out: Float64Array): void {
  for (let k = 0; k < H; k++) {
    let s = b1[k] as number;
    const off = k * D;
    for (let j = 0; j < D; j++) s += (w1[off + j] as number) * (x[j] as number);
    // biome-ignore lint/complexity/useMathMinMax: relu sends NaN to 0 here; Math.max(NaN, 0) would propagate it.
    out[k] = s > 0 ? s : 0;
  }
}

/** Softmax probabilities of W2 h + b2. */
export function mlpOutput(w2: ArrayLike<number>, b2: ArrayLike<number>, h: ArrayLike<number>, L: number, H: number): Float64Array {
  const z = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let s = b2[l] as number;
    for (let k = 0; k < H; k++) s += (w2[l * H + k] as number) * (h[k] as number);
    z[l] = s;
  }
  const max = Math.max(...z);
  let sum = 0;
  for (let l = 0; l < L; l++) {
    z[l] = Math.exp((z[l] as number) - max);
    sum += z[l] as number;
  }
  for (let l = 0; l < L; l++) z[l] = (z[l] as number) / sum;
  return z;
}
