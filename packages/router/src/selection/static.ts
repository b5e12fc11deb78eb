// static: the candidate with the highest modelRefs weight; ties go to the first listed. Deterministic.
import { z } from 'zod';
import type { SelectionContext, SelectionResult, Selector } from './types.js';
import { pick } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { argmax } from './math.js';

const params = z.object({});
export type StaticParams = z.infer<typeof params>;

class StaticSelector implements Selector {
  readonly type = 'static';
  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const weights = ctx.candidates.map((c) => Math.max(0, c.weight));
    const total = weights.reduce((a, b) => a + b, 0);
    // Scores are the normalised weights; confidence is the chosen weight's share.
    const scores = total > 0 ? weights.map((w) => w / total) : weights.map(() => 1 / weights.length);
    const best = argmax(scores);
    return pick(ctx.candidates, best, scores, scores[best] as number);
  }
}

export const staticFactory: SelectorFactory<StaticParams> = {
  type: 'static',
  params,
  create: () => new StaticSelector(),
};
