// automix: cost-aware escalation. Candidates are tried from the cheapest (known price, then parameter
// count, then listed order); the first whose predicted success reaches `threshold` serves, otherwise the
// one with the highest predicted success does.
//   fit_i  = exp((s_i - s_max) / T)                              (semantic fit, best card = 1)
//   p_i    = (prior_strength * fit_i + successes_i) / (prior_strength + trials_i)
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { outcomeReward, paramCount, pick, pricePer1m } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { automixKey } from './keys.js';
import { argmax, relativeFit } from './math.js';

const params = z.object({
  threshold: z.number().min(0).max(1).default(0.7),
  /** Pseudo-observations the semantic prior is worth against recorded outcomes. */
  prior_strength: z.number().positive().default(2),
  temperature: z.number().positive().default(0.05),
});
export type AutomixParams = z.infer<typeof params>;

class AutomixSelector implements Selector {
  readonly type = 'automix';
  constructor(private readonly p: AutomixParams) {}

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const cands = ctx.candidates;
    const fields = cands.flatMap((c) => [`${c.model}:success`, `${c.model}:trials`]);
    const history = await ctx.state.getNumbers(automixKey(ctx.decision), fields);
    const fit = relativeFit(
      cands.map((c) => c.similarity),
      this.p.temperature,
    );
    const k = this.p.prior_strength;
    const predicted = cands.map((c, i) => {
      const successes = history[`${c.model}:success`] ?? 0;
      const trials = history[`${c.model}:trials`] ?? 0;
      return (k * (fit[i] as number) + successes) / (k + trials);
    });
    const order = costOrder(ctx);
    const adequate = order.find((i) => (predicted[i] as number) >= this.p.threshold);
    const chosen = adequate ?? argmax(predicted);
    return pick(cands, chosen, predicted, predicted[chosen] as number);
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    const r = outcomeReward(outcome);
    if (r === undefined) return;
    await state.incrNumbers(automixKey(outcome.decision), { [`${outcome.model}:success`]: r, [`${outcome.model}:trials`]: 1 });
  }
}

/** Candidate indices from cheapest to most expensive; unknown prices / sizes sort last, ties keep listed order. */
export function costOrder(ctx: Pick<SelectionContext, 'candidates'>): number[] {
  const keyed = ctx.candidates.map((c, i) => ({ i, price: pricePer1m(c) ?? Infinity, size: paramCount(c) ?? Infinity }));
  keyed.sort((a, b) => a.price - b.price || a.size - b.size || a.i - b.i);
  return keyed.map((k) => k.i);
}

export const automixFactory: SelectorFactory<AutomixParams> = {
  type: 'automix',
  params,
  create: (p) => new AutomixSelector(p),
};
