// knn / kmeans / svm / mlp: selectors trained offline (`semroute train`) from labelled prompts. Each
// loads its model file at creation and scores only the candidates that are labels of the model:
//   knn    : top-k stored examples by cosine; score = sum of max(sim, 0) + 1e-6 per label / total
//   kmeans : nearest centroid (cosine); score = the cluster's label share
//   svm    : f_m = w_m . x + b_m (one-vs-rest); score = softmax(f) over the candidate labels
//   mlp    : p = softmax(W2 relu(W1 x + b1) + b2), renormalised over the candidate labels
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { SelectionContext, SelectionResult, Selector } from './types.js';
import { pick } from './candidate-info.js';
import { SelectionError } from './errors.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { argmax, normalize, softmax } from './math.js';
import { loadModelFile, type SelectorModelFile, type TrainedAlgorithm } from './model-file.js';
import { mlpHidden, mlpOutput } from './training.js';

const baseParams = z.object({ model_path: z.string().min(1, 'model_path is required') });
const knnParams = baseParams.extend({ k: z.number().int().positive().optional() });
type TrainedParams = z.infer<typeof knnParams>;

/** Scores of the model's labels (by label index) for a unit-norm prompt embedding; only `allowed` labels. */
type Scorer = (x: Float64Array, allowed: Set<number>) => Map<number, number>;

class TrainedSelector implements Selector {
  constructor(
    readonly type: TrainedAlgorithm,
    private readonly file: SelectorModelFile,
    private readonly path: string,
    private readonly scorer: Scorer,
  ) {}

  /** Labels (card names) the model was trained on. */
  get labels(): readonly string[] {
    return this.file.labels;
  }

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    if (ctx.promptEmbedding.length !== this.file.dim) {
      throw new SelectionError(
        'EMBEDDING_DIM_MISMATCH',
        `${this.type}: model ${this.path} expects ${this.file.dim}-dim embeddings, the prompt has ${ctx.promptEmbedding.length} (retrain with this config's embedder)`,
      );
    }
    const labelOf = ctx.candidates.map((c) => this.file.labels.indexOf(c.model));
    const allowed = new Set(labelOf.filter((i) => i >= 0));
    if (allowed.size === 0) {
      throw new SelectionError(
        'SELECTOR_MODEL_INVALID',
        `${this.type}: model ${this.path} knows labels [${this.file.labels.join(', ')}], none of which is a candidate of decision ${ctx.decision}`,
      );
    }
    const byLabel = this.scorer(normalize(ctx.promptEmbedding), allowed);
    const scores = labelOf.map((l) => (l >= 0 ? (byLabel.get(l) ?? 0) : -Infinity));
    const best = argmax(scores);
    const finite = scores.map((s) => (Number.isFinite(s) ? s : 0));
    return pick(ctx.candidates, best, finite, Math.max(0, Math.min(1, finite[best] as number)));
  }
}

function knnScorer(model: Extract<SelectorModelFile, { algorithm: 'knn' }>['model'], kOverride?: number): Scorer {
  const k = kOverride ?? model.k;
  const vectors = model.vectors.map((v) => normalize(v));
  return (x, allowed) => {
    const hits = vectors
      .map((v, i) => ({ label: model.label_index[i] as number, sim: dot(x, v) }))
      .filter((h) => allowed.has(h.label))
      .sort((a, b) => b.sim - a.sim)
      .slice(0, k);
    const votes = new Map<number, number>();
    let total = 0;
    for (const h of hits) {
      const w = Math.max(h.sim, 0) + 1e-6;
      votes.set(h.label, (votes.get(h.label) ?? 0) + w);
      total += w;
    }
    for (const [l, v] of votes) votes.set(l, v / total);
    return votes;
  };
}

function kmeansScorer(model: Extract<SelectorModelFile, { algorithm: 'kmeans' }>['model']): Scorer {
  const centroids = model.centroids.map((c) => normalize(c));
  return (x, allowed) => {
    const inAllowed = (row: number[]): number => row.reduce((a, c, l) => a + (allowed.has(l) ? c : 0), 0);
    let best = -1;
    let bestSim = -Infinity;
    centroids.forEach((c, j) => {
      if (inAllowed(model.label_counts[j] as number[]) === 0) return;
      const s = dot(x, c);
      if (s > bestSim) {
        bestSim = s;
        best = j;
      }
    });
    const out = new Map<number, number>();
    if (best < 0) return out;
    const row = model.label_counts[best] as number[];
    const total = inAllowed(row);
    row.forEach((c, l) => {
      if (allowed.has(l)) out.set(l, c / total);
    });
    return out;
  };
}

function svmScorer(model: Extract<SelectorModelFile, { algorithm: 'svm' }>['model']): Scorer {
  const weights = model.weights.map((w) => Float64Array.from(w));
  return (x, allowed) => {
    const labels = [...allowed];
    const f = labels.map((l) => dot(weights[l] as Float64Array, x) + (model.bias[l] as number));
    const p = softmax(f);
    return new Map(labels.map((l, i) => [l, p[i] as number]));
  };
}

function mlpScorer(model: Extract<SelectorModelFile, { algorithm: 'mlp' }>['model'], dim: number): Scorer {
  const H = model.b1.length;
  const L = model.b2.length;
  const w1 = Float64Array.from(model.w1.flat());
  const w2 = Float64Array.from(model.w2.flat());
  return (x, allowed) => {
    const h = new Float64Array(H);
    mlpHidden(w1, model.b1, x, H, dim, h);
    const p = mlpOutput(w2, model.b2, h, L, H);
    let total = 0;
    for (const l of allowed) total += p[l] as number;
    return new Map([...allowed].map((l) => [l, (p[l] as number) / total]));
  };
}

/** Dot product of two equal-length typed vectors (both unit-norm here, so it is their cosine). */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

async function createTrained(algorithm: TrainedAlgorithm, params: TrainedParams, configDir: string): Promise<TrainedSelector> {
  const path = isAbsolute(params.model_path) ? params.model_path : resolve(configDir, params.model_path);
  const file = await loadModelFile(path, algorithm);
  switch (file.algorithm) {
    case 'knn':
      return new TrainedSelector(algorithm, file, path, knnScorer(file.model, params.k));
    case 'kmeans':
      return new TrainedSelector(algorithm, file, path, kmeansScorer(file.model));
    case 'svm':
      return new TrainedSelector(algorithm, file, path, svmScorer(file.model));
    case 'mlp':
      return new TrainedSelector(algorithm, file, path, mlpScorer(file.model, file.dim));
  }
}

function trainedFactory(algorithm: TrainedAlgorithm): SelectorFactory<TrainedParams> {
  return {
    type: algorithm,
    params: algorithm === 'knn' ? knnParams : baseParams,
    create: (p, deps) => createTrained(algorithm, p, deps.configDir),
  };
}

export const knnFactory = trainedFactory('knn');
export const kmeansFactory = trainedFactory('kmeans');
export const svmFactory = trainedFactory('svm');
export const mlpFactory = trainedFactory('mlp');
