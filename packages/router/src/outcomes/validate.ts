// Outcome validation: feedback comes from clients, so every field is checked against the config
// before any learning state changes. A batch is checked whole first; the first bad item and field
// are named. Model and decision names must come from the config, which bounds every state key.
import type { Outcome } from '../selection/types.js';
import { OutcomeValidationError } from '../errors.js';

/** Largest batch `recordOutcomes` accepts by default. */
export const DEFAULT_MAX_OUTCOME_BATCH = 1000;
/** Latencies above an hour are not a measurement of an LLM answer: rejected rather than learnt from. */
export const MAX_LATENCY_MS = 3_600_000;
/** Session ids become (TTL-bounded) state keys: their length is bounded too. */
export const MAX_SESSION_ID_LENGTH = 256;

const FIELDS = ['decision', 'model', 'success', 'reward', 'opponent', 'result', 'ttftMs', 'tpotMs', 'sessionId', 'timestamp'] as const;
const RESULTS = ['win', 'loss', 'draw'] as const;

/** What validation needs from the config: each decision's candidate models. */
export type DecisionModels = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Checks a whole batch and returns clean copies (only known fields); throws `OutcomeValidationError`
 * naming the first bad item and field, before anything is applied.
 */
export function validateOutcomes(list: unknown, decisions: DecisionModels, maxBatch = DEFAULT_MAX_OUTCOME_BATCH): Outcome[] {
  if (!Array.isArray(list)) throw new OutcomeValidationError(null, 'batch', `expected an array of outcomes, got ${describe(list)}`);
  if (list.length > maxBatch) {
    throw new OutcomeValidationError(null, 'batch', `${list.length} outcomes in one batch; at most ${maxBatch}`);
  }
  return list.map((o, i) => validateOutcome(o, decisions, i));
}

/** Checks one outcome (`index` names it in errors). */
export function validateOutcome(o: unknown, decisions: DecisionModels, index = 0): Outcome {
  const fail = (field: string, message: string): never => {
    throw new OutcomeValidationError(index, field, message);
  };
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return fail('', `expected an outcome object, got ${describe(o)}`);
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(FIELDS as readonly string[]).includes(k)) fail(k, `unknown field (known: ${FIELDS.join(', ')})`);
  }

  if (typeof r.decision !== 'string' || r.decision === '') return fail('decision', `expected a decision name, got ${describe(r.decision)}`);
  const models = decisions.get(r.decision);
  if (!models) {
    const known = [...decisions.keys()];
    throw new OutcomeValidationError(index, 'decision', `no decision named ${JSON.stringify(clip(r.decision))} (known: ${known.join(', ') || '(none)'})`, 'UNKNOWN_DECISION');
  }
  const candidate = (field: 'model' | 'opponent', v: unknown): string => {
    if (typeof v !== 'string' || v === '') return fail(field, `expected a model name, got ${describe(v)}`);
    if (!models.has(v)) {
      fail(field, `model ${JSON.stringify(clip(v))} is not a candidate of decision "${r.decision as string}" (modelRefs: ${[...models].join(', ')})`);
    }
    return v;
  };
  const out: Outcome = { decision: r.decision, model: candidate('model', r.model) };

  if (r.success !== undefined) {
    if (typeof r.success !== 'boolean') fail('success', `expected true or false, got ${describe(r.success)}`);
    out.success = r.success as boolean;
  }
  if (r.reward !== undefined) out.reward = number(r.reward, 'reward', 0, 1, fail);
  if (r.opponent !== undefined) out.opponent = candidate('opponent', r.opponent);
  if (r.result !== undefined) {
    if (!(RESULTS as readonly unknown[]).includes(r.result)) fail('result', `expected one of win, loss, draw, got ${describe(r.result)}`);
    out.result = r.result as Outcome['result'];
  }
  // A pairwise result needs both halves; either alone would be ignored by every selector.
  if (out.result !== undefined && out.opponent === undefined) fail('opponent', '"result" needs "opponent" (the model it was compared with)');
  if (out.opponent !== undefined && out.result === undefined) fail('result', '"opponent" needs "result" (win, loss or draw)');
  if (r.ttftMs !== undefined) out.ttftMs = number(r.ttftMs, 'ttftMs', 0, MAX_LATENCY_MS, fail);
  if (r.tpotMs !== undefined) out.tpotMs = number(r.tpotMs, 'tpotMs', 0, MAX_LATENCY_MS, fail);
  if (r.sessionId !== undefined) {
    if (typeof r.sessionId !== 'string' || r.sessionId === '' || r.sessionId.length > MAX_SESSION_ID_LENGTH) {
      fail('sessionId', `expected a string of 1 to ${MAX_SESSION_ID_LENGTH} characters, got ${describe(r.sessionId)}`);
    }
    out.sessionId = r.sessionId as string;
  }
  if (r.timestamp !== undefined) out.timestamp = number(r.timestamp, 'timestamp', 0, Number.MAX_SAFE_INTEGER, fail);
  return out;
}

function number(v: unknown, field: string, min: number, max: number, fail: (f: string, m: string) => never): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    return fail(field, `expected a finite number from ${min} to ${max}, got ${describe(v)}`);
  }
  return v;
}

/** A short rendering of a bad value for a message (never the whole of a large one). */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const clip = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}...` : s);
