// Domain signals: one classifier over all declared domains. Each domain is described by texts
// (its description or name, its mmlu_categories, its labelled examples), embedded once at load.
// centroid: score = cosine to the unit mean of the domain's texts. knn: the k most similar texts
// vote with their cosine. Scores -> softmax(temperature) -> the domain's confidence; a domain
// signal matches when it is the top domain (and its score clears its optional threshold).
import type { SignalResult } from '../api.js';
import type { DomainClassifierConfig, SignalsConfig } from '../config/schema.js';
import { centroid, dot } from '../vector.js';
import type { SignalEvaluator, SignalInput } from './types.js';
import type { LoadTimeTexts } from '../load-texts.js';

type DomainConfig = SignalsConfig['domains'][number];

export interface DomainPrediction {
  label: string;
  /** Softmax probability per domain. */
  probs: Record<string, number>;
  /** Raw similarity score per domain. */
  scores: Record<string, number>;
}

/** Texts that stand for a domain. */
export function domainTexts(d: DomainConfig): string[] {
  const texts = [d.description ?? d.name];
  for (const c of d.mmlu_categories ?? []) if (c.toLowerCase() !== d.name.toLowerCase()) texts.push(c);
  if (d.description) texts.push(d.name);
  texts.push(...(d.examples ?? []));
  return texts;
}

export class DomainClassifier implements LoadTimeTexts {
  private rows: Array<{ domain: number; v: Float32Array }> = [];
  private centroids: Float32Array[] = [];
  private readonly cache = new WeakMap<Float32Array, DomainPrediction>();

  constructor(
    readonly domains: DomainConfig[],
    private readonly opts: DomainClassifierConfig,
  ) {}

  /** Texts to embed, grouped by domain in declaration order. */
  loadTexts(): string[] {
    return this.domains.flatMap(domainTexts);
  }

  bind(vectors: Float32Array[], dim: number): void {
    let at = 0;
    this.rows = [];
    this.centroids = this.domains.map((d, di) => {
      const n = domainTexts(d).length;
      const vs = vectors.slice(at, at + n);
      at += n;
      for (const v of vs) this.rows.push({ domain: di, v });
      return centroid(vs, dim);
    });
  }

  /** Classifies one prompt embedding; memoised per embedding so N domain signals cost one pass. */
  classify(e: Float32Array): DomainPrediction {
    const hit = this.cache.get(e);
    if (hit) return hit;
    let scores: number[];
    if (this.opts.method === 'knn') {
      const sims = this.rows.map((r) => ({ d: r.domain, s: dot(e, r.v) })).sort((a, b) => b.s - a.s);
      const top = sims.slice(0, this.opts.k);
      scores = this.domains.map((_, di) => {
        const mine = top.filter((t) => t.d === di);
        // Votes weighted by similarity; a domain absent from the top k gets its best similarity, discounted.
        if (mine.length > 0) return mine.reduce((a, t) => a + t.s, 0) / this.opts.k + mine[0]!.s;
        const best = sims.find((t) => t.d === di)?.s ?? -1;
        return best - 1;
      });
    } else {
      scores = this.centroids.map((c) => dot(e, c));
    }
    const t = this.opts.temperature;
    const m = Math.max(...scores);
    const ex = scores.map((s) => Math.exp((s - m) / t));
    const z = ex.reduce((a, b) => a + b, 0);
    const pred: DomainPrediction = { label: '', probs: {}, scores: {} };
    let best = 0;
    this.domains.forEach((d, i) => {
      pred.probs[d.name] = ex[i]! / z;
      pred.scores[d.name] = scores[i]!;
      if (scores[i]! > scores[best]!) best = i;
    });
    pred.label = this.domains[best]?.name ?? '';
    this.cache.set(e, pred);
    return pred;
  }
}

export class DomainSignal implements SignalEvaluator {
  readonly type = 'domain' as const;
  readonly name: string;
  loadTexts(): string[] {
    return []; // the shared classifier embeds the texts
  }

  constructor(
    private readonly cfg: DomainConfig,
    private readonly classifier: DomainClassifier,
  ) {
    this.name = cfg.name;
  }

  bind(): void {}

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const p = this.classifier.classify(input.embedding);
    const score = p.scores[this.name] ?? -1;
    const matched = p.label === this.name && (this.cfg.threshold === undefined || score >= this.cfg.threshold);
    return {
      id: `domain:${this.name}`,
      type: 'domain',
      name: this.name,
      matched,
      confidence: p.probs[this.name] ?? 0,
      detail: { predicted: p.label, score },
    };
  }
}
