// latency_aware: among candidates that fit the prompt well enough (s_i >= s_max - similarity_margin and
// s_i >= min_similarity), pick the fastest by predicted latency
//   L_i = P_ttft(TTFT samples) + P_tpot(TPOT samples) * expected_output_tokens
// from recorded outcomes. score_i = min(L) / L_i for eligible candidates with data, 0 otherwise. When no
// eligible candidate has latency data yet, the best-fitting one is chosen.
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { estimateLatency, pick, recordLatency, type LatencyQuery } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { argmax, marginConfidence, relativeFit } from './math.js';

const params = z.object({
  ttft_percentile: z.number().min(0).max(100).default(90),
  tpot_percentile: z.number().min(0).max(100).default(90),
  expected_output_tokens: z.number().int().nonnegative().default(256),
  similarity_margin: z.number().nonnegative().default(0.1),
  min_similarity: z.number().min(-1).max(1).optional(),
  max_samples: z.number().int().positive().default(1000),
  temperature: z.number().positive().default(0.05),
});
export type LatencyAwareParams = z.infer<typeof params>;

class LatencyAwareSelector implements Selector {
  readonly type = 'latency_aware';
  private readonly query: LatencyQuery;
  constructor(private readonly p: LatencyAwareParams) {
    this.query = { ttftPercentile: p.ttft_percentile, tpotPercentile: p.tpot_percentile, outputTokens: p.expected_output_tokens };
  }

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const cands = ctx.candidates;
    const sims = cands.map((c) => c.similarity);
    const sMax = Math.max(...sims);
    const eligible = sims.map((s) => s >= sMax - this.p.similarity_margin && (this.p.min_similarity === undefined || s >= this.p.min_similarity));
    const latency = await Promise.all(cands.map((c) => estimateLatency(ctx.state, c.model, this.query)));
    const known = latency.map((l, i) => (eligible[i] && l.totalMs !== undefined ? l.totalMs : undefined));
    const knownValues = known.filter((v): v is number => v !== undefined);
    if (knownValues.length === 0) {
      const fit = relativeFit(sims, this.p.temperature);
      const best = argmax(fit);
      return pick(cands, best, fit, marginConfidence(fit));
    }
    const fastest = Math.min(...knownValues);
    const scores = known.map((l) => (l === undefined ? 0 : l === 0 ? 1 : fastest / l));
    const best = argmax(scores);
    return pick(cands, best, scores, marginConfidence(scores));
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    await recordLatency(outcome, state, this.p.max_samples);
  }
}

export const latencyAwareFactory: SelectorFactory<LatencyAwareParams> = {
  type: 'latency_aware',
  params,
  create: (p) => new LatencyAwareSelector(p),
};
