// Picks the decision for a request: among decisions whose rules match, the highest priority
// (ties: higher confidence, then config order) or, with strategy `confidence`, the highest rule
// confidence (ties: priority, then order).
import type { SignalResult } from '../api.js';
import type { DecisionConfig } from '../config/schema.js';
import { evaluateRule } from './rules.js';

export interface DecisionMatch {
  decision: DecisionConfig;
  confidence: number;
}

/** The winning decision, or undefined when none matches. */
export function matchDecision(
  decisions: DecisionConfig[],
  signals: SignalResult[],
  strategy: 'priority' | 'confidence',
  only?: string,
): DecisionMatch | undefined {
  const byId = new Map(signals.map((s) => [s.id, s]));
  let best: (DecisionMatch & { order: number }) | undefined;
  decisions.forEach((decision, order) => {
    if (only !== undefined && decision.name !== only) return;
    const r = evaluateRule(decision.rules, byId);
    if (!r.matched) return;
    const cand = { decision, confidence: r.confidence, order };
    if (!best || better(cand, best, strategy)) best = cand;
  });
  return best && { decision: best.decision, confidence: best.confidence };
}

function better(a: DecisionMatch, b: DecisionMatch, strategy: 'priority' | 'confidence'): boolean {
  const [p, c] = [a.decision.priority - b.decision.priority, a.confidence - b.confidence];
  if (strategy === 'priority') return p !== 0 ? p > 0 : c > 0;
  return c !== 0 ? c > 0 : p > 0;
}
