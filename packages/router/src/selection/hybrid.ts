// hybrid: weighted blend of other selectors. Each component's scores are min-max normalised over the
// candidates (0.5 for all when it does not discriminate), then
//   score_i = sum_k w_k * norm_k(i) / sum_k w_k
// Outcomes are forwarded to every component, so learning components keep learning.
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { pick } from './candidate-info.js';
import { requireCandidates, type FactoryLookup, type SelectorFactory } from './factory.js';
import { argmax, marginConfidence, minMax } from './math.js';
import { createSubSelector, subSelectorSpec } from './sub-selector.js';

function hybridParams(lookup: FactoryLookup) {
  return z.object({
    components: z
      .array(
        z.intersection(subSelectorSpec(lookup, ['hybrid']), z.object({ weight: z.number().positive().default(1) })),
      )
      .min(1, 'hybrid needs at least one component'),
  });
}
export type HybridParams = z.infer<ReturnType<typeof hybridParams>>;

class HybridSelector implements Selector {
  readonly type = 'hybrid';
  constructor(private readonly parts: Array<{ selector: Selector; weight: number }>) {}

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const results = await Promise.all(this.parts.map((p) => p.selector.select(ctx)));
    const total = this.parts.reduce((a, p) => a + p.weight, 0);
    const blended = ctx.candidates.map(() => 0);
    results.forEach((r, k) => {
      const norm = minMax(
        ctx.candidates.map((c) => r.scores[c.model] ?? 0),
        true,
        0.5,
      );
      const w = (this.parts[k] as { weight: number }).weight;
      norm.forEach((v, i) => {
        blended[i] = (blended[i] as number) + (w * (v as number)) / total;
      });
    });
    const best = argmax(blended);
    return pick(ctx.candidates, best, blended, marginConfidence(blended));
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    await Promise.all(this.parts.map((p) => p.selector.recordOutcome?.(outcome, state)));
  }
}

/** The hybrid factory; `lookup` resolves component types (the registry). */
export function makeHybridFactory(lookup: FactoryLookup): SelectorFactory<HybridParams> {
  return {
    type: 'hybrid',
    params: hybridParams(lookup),
    create: async (p, deps) =>
      new HybridSelector(
        await Promise.all(p.components.map(async (c) => ({ selector: await createSubSelector(lookup, c, deps), weight: c.weight }))),
      ),
  };
}
