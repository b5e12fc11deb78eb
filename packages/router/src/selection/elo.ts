// elo: ratings per decision/model learnt from feedback, combined with semantic fit.
//   expected(a vs b) = 1 / (1 + 10^((R_b - R_a) / 400));   R_a += K * (S - expected)
// Pairwise outcomes (result vs opponent) update both models; success / reward outcomes play a virtual
// opponent rated `initial_rating`. Selection:
//   score_i = (w_r * 1 / (1 + 10^((mean(R) - R_i) / 400)) + w_f * exp((s_i - s_max) / T)) / (w_r + w_f)
// Ratings are stored as offsets from `initial_rating` so every update is one atomic increment.
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { outcomeReward, pick } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { eloKey } from './keys.js';
import { argmax, marginConfidence, relativeFit } from './math.js';

const params = z
  .object({
    k_factor: z.number().positive().default(32),
    initial_rating: z.number().default(1500),
    rating_weight: z.number().nonnegative().default(0.5),
    fit_weight: z.number().nonnegative().default(0.5),
    temperature: z.number().positive().default(0.05),
  })
  .refine((p) => p.rating_weight + p.fit_weight > 0, { message: 'rating_weight + fit_weight must be > 0', path: ['rating_weight'] });
export type EloParams = z.infer<typeof params>;

/** Expected score of a player rated `ra` against one rated `rb`. */
export function eloExpected(ra: number, rb: number): number {
  return 1 / (1 + 10 ** ((rb - ra) / 400));
}

class EloSelector implements Selector {
  readonly type = 'elo';
  constructor(private readonly p: EloParams) {}

  /** Current ratings of `models` in `decision` (initial_rating when never updated). */
  async ratings(state: LearningStateStore, decision: string, models: string[]): Promise<number[]> {
    const offsets = await state.getNumbers(eloKey(decision), models);
    return models.map((m) => this.p.initial_rating + (offsets[m] ?? 0));
  }

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const cands = ctx.candidates;
    const ratings = await this.ratings(
      ctx.state,
      ctx.decision,
      cands.map((c) => c.model),
    );
    const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
    const fit = relativeFit(
      cands.map((c) => c.similarity),
      this.p.temperature,
    );
    const { rating_weight: wr, fit_weight: wf } = this.p;
    const scores = ratings.map((r, i) => (wr * eloExpected(r, mean) + wf * (fit[i] as number)) / (wr + wf));
    const best = argmax(scores);
    return pick(cands, best, scores, marginConfidence(scores));
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    const key = eloKey(outcome.decision);
    const K = this.p.k_factor;
    if (outcome.opponent !== undefined && outcome.result !== undefined && outcome.opponent !== outcome.model) {
      const s = outcome.result === 'win' ? 1 : outcome.result === 'loss' ? 0 : 0.5;
      const [ra, rb] = await this.ratings(state, outcome.decision, [outcome.model, outcome.opponent]);
      const delta = K * (s - eloExpected(ra as number, rb as number));
      await state.incrNumbers(key, { [outcome.model]: delta, [outcome.opponent]: -delta });
      return;
    }
    const s = outcomeReward(outcome);
    if (s === undefined) return;
    const [ra] = await this.ratings(state, outcome.decision, [outcome.model]);
    await state.incrNumbers(key, { [outcome.model]: K * (s - eloExpected(ra as number, this.p.initial_rating)) });
  }
}

export const eloFactory: SelectorFactory<EloParams> = {
  type: 'elo',
  params,
  create: (p) => new EloSelector(p),
};
