// session_aware: sticky sessions. The `base` selector scores the candidates; a session stays with the
// model it was last routed to unless the best alternative beats it by more than `margin` (in the base's
// score units): switch iff score(best) - score(current) > margin. The session's model is kept in the
// state store under session:<decision>:<sessionId> with a TTL refreshed on every request.
import { z } from 'zod';
import type { Outcome, SelectionContext, SelectionResult, Selector } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { requireCandidates, type FactoryLookup, type SelectorFactory } from './factory.js';
import { sessionKey } from './keys.js';
import { createSubSelector, subSelectorSpec } from './sub-selector.js';

function sessionParams(lookup: FactoryLookup) {
  return z.object({
    base: subSelectorSpec(lookup, ['session_aware']).prefault({ type: 'multi_factor' }),
    margin: z.number().nonnegative().default(0.1),
    ttl_seconds: z.number().positive().default(3600),
  });
}
export type SessionAwareParams = z.infer<ReturnType<typeof sessionParams>>;

class SessionAwareSelector implements Selector {
  readonly type = 'session_aware';
  constructor(
    private readonly base: Selector,
    private readonly p: SessionAwareParams,
  ) {}

  async select(ctx: SelectionContext): Promise<SelectionResult> {
    requireCandidates(ctx, this.type);
    const result = await this.base.select(ctx);
    if (ctx.sessionId === undefined) return result;
    const key = sessionKey(ctx.decision, ctx.sessionId);
    const current = await ctx.state.getString(key);
    let chosen = result;
    if (current !== undefined && current !== result.model && ctx.candidates.some((c) => c.model === current)) {
      const gain = (result.scores[result.model] ?? 0) - (result.scores[current] ?? 0);
      if (gain <= this.p.margin) chosen = { ...result, model: current, reasonCode: 'session_sticky' };
    }
    await ctx.state.setString(key, chosen.model, this.p.ttl_seconds * 1000);
    return chosen;
  }

  async recordOutcome(outcome: Outcome, state: LearningStateStore): Promise<void> {
    // The model that actually served the session becomes its sticky model.
    if (outcome.sessionId !== undefined) {
      await state.setString(sessionKey(outcome.decision, outcome.sessionId), outcome.model, this.p.ttl_seconds * 1000);
    }
    await this.base.recordOutcome?.(outcome, state);
  }
}

/** The session_aware factory; `lookup` resolves the base selector type (the registry). */
export function makeSessionAwareFactory(lookup: FactoryLookup): SelectorFactory<SessionAwareParams> {
  return {
    type: 'session_aware',
    aliases: ['session'],
    params: sessionParams(lookup),
    create: async (p, deps) => new SessionAwareSelector(await createSubSelector(lookup, p.base, deps), p),
  };
}
