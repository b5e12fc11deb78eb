// multi_factor: score_i = sum_f w_f * factor_f(i) / sum_f w_f over the factors known for some candidate.
//   quality = (1 - b) * exp((s_i - s_max) / T) + b * quality_score   (b applies only where quality_score is set)
//   latency, cost, load = min-max scaled so the fastest / cheapest / least loaded gets 1
// A factor unknown for every candidate is dropped (weights renormalised); one unknown for some candidates
// gets the mean of the known values there. SLO ceilings prune only candidates whose value is known.
import { z } from 'zod';
import type { Candidate, Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { estimateLatency, pick, pricePer1m, recordLatency, type LatencyQuery } from './candidate-info.js';
import { SelectionError } from './errors.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { INFLIGHT_KEY } from './keys.js';
import { argmax, clamp, marginConfidence, minMax, relativeFit } from './math.js';

const nonNegative = z.number().nonnegative();

const params = z
  .object({
    weights: z
      .object({
        quality: nonNegative.optional(),
        latency: nonNegative.optional(),
        cost: nonNegative.optional(),
        load: nonNegative.optional(),
      })
      .optional(),
    slo: z
      .object({
        max_cost_per_1m: nonNegative.optional(),
        max_latency_ms: z.number().positive().optional(),
        max_inflight: z.number().int().nonnegative().optional(),
      })
      .optional(),
    on_no_candidates: z.enum(['cheapest', 'first', 'fail']).default('cheapest'),
    /** Temperature of the semantic fit (smaller = sharper preference for the best-fitting card). */
    temperature: z.number().positive().default(0.05),
    /** Share of `quality_score` in the quality factor when a card has one. */
    quality_score_weight: z.number().min(0).max(1).default(0.3),
    /** Latency percentile read from recorded outcomes. */
    latency_percentile: z.number().min(0).max(100).default(50),
    /** Output tokens assumed when turning TPOT into a request latency. */
    expected_output_tokens: z.number().int().nonnegative().default(256),
    /** Latency samples kept per model. */
    max_latency_samples: z.number().int().positive().default(1000),
  })
  .superRefine((p, ctx) => {
    const w = p.weights;
    if (w && Object.values(w).every((v) => v === undefined || v === 0)) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'at least one weight must be > 0' });
    }
  });
export type MultiFactorParams = z.infer<typeof params>;

type Factor = 'quality' | 'latency' | 'cost' | 'load';
const FACTORS: Factor[] = ['quality', 'latency', 'cost', 'load'];

interface Facts {
  price: Array<number | undefined>;
  latencyMs: Array<number | undefined>;
  inflight: Array<number | undefined>;
}

class MultiFactorSelector implements Selector {
  readonly type = 'multi_factor';
  private readonly weights: Record<Factor, number>;

  private readonly latencyQuery: LatencyQuery;

  constructor(private readonly p: MultiFactorParams) {
    this.latencyQuery = {
      ttftPercentile: p.latency_percentile,
      tpotPercentile: p.latency_percentile,
      outputTokens: p.expected_output_tokens,
    };
    const w = p.weights ?? { quality: 1 };
    this.weights = { quality: w.quality ?? 0, latency: w.latency ?? 0, cost: w.cost ?? 0, load: w.load ?? 0 };
  }

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const all = ctx.candidates;
    const facts = await this.facts(ctx);

    const kept = all.map((_, i) => i).filter((i) => this.meetsSlo(facts, i));
    if (kept.length === 0) return this.noCandidates(ctx, facts);

    const cands = kept.map((i) => all[i] as Candidate);
    const factor: Record<Factor, Array<number | undefined>> = {
      quality: this.quality(cands),
      latency: minMax(kept.map((i) => facts.latencyMs[i]), false),
      cost: minMax(kept.map((i) => facts.price[i]), false),
      load: minMax(kept.map((i) => facts.inflight[i]), false),
    };

    const used = FACTORS.filter((f) => this.weights[f] > 0 && factor[f].some((v) => v !== undefined));
    // Drop factors weighted 0 or unknown for every candidate; if none is left (e.g. weights {cost: 1}
    // and no prices), quality alone decides, so the choice still follows meaning.
    const active = used.length > 0 ? used : (['quality'] as Factor[]);
    const weightOf = (f: Factor): number => (used.length > 0 ? this.weights[f] : 1);
    const totalWeight = active.reduce((a, f) => a + weightOf(f), 0);

    const scores = cands.map((_, j) => {
      let s = 0;
      for (const f of active) s += weightOf(f) * fillMissing(factor[f], j);
      return s / totalWeight;
    });
    const best = argmax(scores);
    const result = pick(cands, best, scores, marginConfidence(scores));
    // Pruned candidates are reported with score 0 so callers see the whole field.
    for (const c of all) if (!(c.model in result.scores)) result.scores[c.model] = 0;
    return result;
  }

  /** Latency samples feed the latency factor and the latency SLO. */
  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    await recordLatency(outcome, state, this.p.max_latency_samples);
  }

  /** Semantic fit relative to the best card, blended with quality_score where the card has one. */
  private quality(cands: Candidate[]): number[] {
    const fit = relativeFit(cands.map((c) => c.similarity), this.p.temperature);
    return cands.map((c, i) => {
      const q = c.card?.quality_score;
      if (q === undefined) return fit[i] as number;
      const b = this.p.quality_score_weight;
      return (1 - b) * (fit[i] as number) + b * clamp(q, 0, 1);
    });
  }

  private async facts(ctx: SelectionContext): Promise<Facts> {
    const models = ctx.candidates.map((c) => c.model);
    const needLatency = this.weights.latency > 0 || this.p.slo?.max_latency_ms !== undefined;
    const needLoad = this.weights.load > 0 || this.p.slo?.max_inflight !== undefined;
    const [latency, inflight] = await Promise.all([
      needLatency
        ? Promise.all(models.map((m) => estimateLatency(ctx.state, m, this.latencyQuery)))
        : Promise.resolve(undefined),
      needLoad ? ctx.state.getNumbers(INFLIGHT_KEY, models) : Promise.resolve(undefined),
    ]);
    return {
      price: ctx.candidates.map(pricePer1m),
      latencyMs: models.map((_, i) => latency?.[i]?.totalMs),
      inflight: models.map((m) => inflight?.[m]),
    };
  }

  private meetsSlo(f: Facts, i: number): boolean {
    const slo = this.p.slo;
    if (!slo) return true;
    const price = f.price[i];
    const lat = f.latencyMs[i];
    const load = f.inflight[i];
    if (slo.max_cost_per_1m !== undefined && price !== undefined && price > slo.max_cost_per_1m) return false;
    if (slo.max_latency_ms !== undefined && lat !== undefined && lat > slo.max_latency_ms) return false;
    if (slo.max_inflight !== undefined && load !== undefined && load >= slo.max_inflight) return false;
    return true;
  }

  private noCandidates(ctx: SelectionContext, f: Facts): SelectionResult {
    const mode = this.p.on_no_candidates;
    if (mode === 'fail') {
      throw new SelectionError('NO_CANDIDATES', `multi_factor: every candidate of decision ${ctx.decision} violates the SLO`);
    }
    let index = 0;
    if (mode === 'cheapest') {
      // Lowest known price; with no prices at all, the first candidate.
      const prices = f.price.map((p) => (p === undefined ? -Infinity : -p));
      index = f.price.some((p) => p !== undefined) ? argmax(prices) : 0;
    }
    const scores = ctx.candidates.map((_, i) => (i === index ? 1 : 0));
    return pick(ctx.candidates, index, scores, 0, 'no_candidates');
  }
}

/** Value j of a factor, or the mean of its known values when j's is unknown. */
function fillMissing(values: Array<number | undefined>, j: number): number {
  const v = values[j];
  if (v !== undefined) return v;
  const known = values.filter((x): x is number => x !== undefined);
  return known.reduce((a, b) => a + b, 0) / known.length;
}

export const multiFactorFactory: SelectorFactory<MultiFactorParams> = {
  type: 'multi_factor',
  params,
  create: (p) => new MultiFactorSelector(p),
};
