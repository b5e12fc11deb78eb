// Embedding signal: similarity of the prompt to candidate phrases, max or mean, against a threshold.
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import { dot } from '../vector.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type EmbeddingConfig = SignalsConfig['embeddings'][number];

export class EmbeddingSignal implements SignalEvaluator {
  readonly type = 'embedding' as const;
  readonly name: string;
  private readonly phrases: string[];
  private vectors: Float32Array[] = [];

  constructor(private readonly cfg: EmbeddingConfig) {
    this.name = cfg.name;
    this.phrases = cfg.candidates;
  }

  loadTexts(): string[] {
    return this.phrases;
  }

  bind(vectors: Float32Array[]): void {
    this.vectors = vectors;
  }

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const sims = this.vectors.map((v) => dot(input.embedding, v));
    let best = 0;
    sims.forEach((s, i) => {
      if (s > sims[best]!) best = i;
    });
    const score =
      this.cfg.aggregation_method === 'mean' ? sims.reduce((a, b) => a + b, 0) / Math.max(1, sims.length) : (sims[best] ?? 0);
    return {
      id: `embedding:${this.name}`,
      type: 'embedding',
      name: this.name,
      matched: score >= this.cfg.threshold,
      confidence: Math.max(0, Math.min(1, score)),
      detail: { score, nearest: this.phrases[best] },
    };
  }
}
