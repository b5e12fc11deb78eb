// router_dc: contrastive dual-encoder routing. p_i = softmax(s_i / T) over the candidates' prompt-card
// similarities; the most probable candidate wins and its probability is the confidence.
import { z } from 'zod';
import type { SelectionContext, SelectionResult, Selector } from './types.js';
import { pick } from './candidate-info.js';
import { requireCandidates, type SelectorFactory } from './factory.js';
import { argmax, softmax } from './math.js';

const params = z.object({
  temperature: z.number().positive().default(0.07),
});
export type RouterDcParams = z.infer<typeof params>;

class RouterDcSelector implements Selector {
  readonly type = 'router_dc';
  constructor(private readonly p: RouterDcParams) {}

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const probs = softmax(
      ctx.candidates.map((c) => c.similarity),
      this.p.temperature,
    );
    const best = argmax(probs);
    return pick(ctx.candidates, best, probs, probs[best] as number);
  }
}

export const routerDcFactory: SelectorFactory<RouterDcParams> = {
  type: 'router_dc',
  aliases: ['routerdc'],
  params,
  create: (p) => new RouterDcSelector(p),
};
