// rl_driven: Thompson sampling. Each decision/model keeps a Beta posterior
//   theta_i ~ Beta(prior_alpha + sum(reward), prior_beta + sum(1 - reward))
// drawn with the injected rng (Gamma by Marsaglia-Tsang); score_i = (1 - w) * theta_i + w * fit_i with
// fit_i = exp((s_i - s_max) / T) and w = fit_weight (0 by default: pure Thompson sampling).
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { outcomeReward, pick } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { rlKey } from './keys.js';
import { argmax, marginConfidence, relativeFit } from './math.js';
import { sampleBeta } from './random.js';

const params = z.object({
  prior_alpha: z.number().positive().default(1),
  prior_beta: z.number().positive().default(1),
  fit_weight: z.number().min(0).max(1).default(0),
  temperature: z.number().positive().default(0.05),
});
export type RlDrivenParams = z.infer<typeof params>;

class RlDrivenSelector implements Selector {
  readonly type = 'rl_driven';
  constructor(private readonly p: RlDrivenParams) {}

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const cands = ctx.candidates;
    const counts = await ctx.state.getNumbers(
      rlKey(ctx.decision),
      cands.flatMap((c) => [`${c.model}:alpha`, `${c.model}:beta`]),
    );
    const fit = relativeFit(
      cands.map((c) => c.similarity),
      this.p.temperature,
    );
    const w = this.p.fit_weight;
    const scores = cands.map((c, i) => {
      const a = this.p.prior_alpha + (counts[`${c.model}:alpha`] ?? 0);
      const b = this.p.prior_beta + (counts[`${c.model}:beta`] ?? 0);
      return (1 - w) * sampleBeta(a, b, ctx.rng) + w * (fit[i] as number);
    });
    const best = argmax(scores);
    return pick(cands, best, scores, marginConfidence(scores));
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    const r = outcomeReward(outcome);
    if (r === undefined) return;
    await state.incrNumbers(rlKey(outcome.decision), { [`${outcome.model}:alpha`]: r, [`${outcome.model}:beta`]: 1 - r });
  }
}

export const rlDrivenFactory: SelectorFactory<RlDrivenParams> = {
  type: 'rl_driven',
  aliases: ['thompson'],
  params,
  create: (p) => new RlDrivenSelector(p),
};
