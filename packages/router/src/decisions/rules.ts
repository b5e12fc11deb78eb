// Rule evaluation over signal results: recursive AND / OR / NOT, each node with a confidence.
// AND: all children match, confidence = min. OR: any matches, confidence = max over matching
// children. NOT: none of its children match, confidence = 1 - max child confidence. `{}` (or a
// group with no conditions) matches everything with confidence 1.
import type { SignalResult } from '../api.js';
import type { RuleNode } from '../config/schema.js';
import { canonicalSignalType } from '../signals/types.js';

export interface RuleOutcome {
  matched: boolean;
  confidence: number;
}

/** Evaluates a rule tree against the request's signal results (indexed by `type:name`). */
export function evaluateRule(node: RuleNode, signals: Map<string, SignalResult>): RuleOutcome {
  if ('operator' in node) {
    const kids = node.conditions.map((c) => evaluateRule(c, signals));
    if (kids.length === 0) return { matched: true, confidence: 1 };
    if (node.operator === 'AND') {
      const matched = kids.every((k) => k.matched);
      return { matched, confidence: Math.min(...kids.map((k) => k.confidence)) };
    }
    if (node.operator === 'OR') {
      const hits = kids.filter((k) => k.matched);
      return hits.length > 0
        ? { matched: true, confidence: Math.max(...hits.map((k) => k.confidence)) }
        : { matched: false, confidence: Math.max(...kids.map((k) => k.confidence)) };
    }
    const matched = kids.every((k) => !k.matched);
    return { matched, confidence: 1 - Math.max(...kids.map((k) => k.confidence)) };
  }
  if ('type' in node) return leaf(node.type, node.name, signals);
  return { matched: true, confidence: 1 };
}

function leaf(type: string, name: string, signals: Map<string, SignalResult>): RuleOutcome {
  const r = signals.get(`${canonicalSignalType(type)}:${name}`);
  // The loader rejects rules naming undeclared signals, so a miss here means "not evaluated".
  return r ? { matched: r.matched, confidence: r.confidence } : { matched: false, confidence: 0 };
}
