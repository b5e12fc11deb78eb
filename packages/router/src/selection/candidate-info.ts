// What selectors derive from a candidate and the learning state: price, size, predicted latency.
import type { Candidate, Outcome, SelectionResult } from './types.js';
import type { LearningStateStore } from '../state/types.js';
import { tpotKey, ttftKey } from './keys.js';
import { percentile } from './math.js';

/**
 * Price per 1M tokens: the mean of prompt and completion prices when both are known, else the one
 * that is known; undefined when the provider has no pricing.
 */
export function pricePer1m(c: Candidate): number | undefined {
  const p = c.provider?.pricing?.prompt_per_1m;
  const q = c.provider?.pricing?.completion_per_1m;
  if (p !== undefined && q !== undefined) return (p + q) / 2;
  return p ?? q;
}

const SIZE_UNITS: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** Parameter count parsed from a card's `param_size` ("7B", "~100B", "200B+", "1.5T"); undefined if absent or unreadable. */
export function paramCount(c: Candidate): number | undefined {
  const m = /([\d.]+)\s*([KMBT])/i.exec(c.card?.param_size ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = SIZE_UNITS[(m[2] as string).toUpperCase()] as number;
  return Number.isFinite(n) ? n * unit : undefined;
}

export interface LatencyEstimate {
  ttftMs?: number;
  tpotMs?: number;
  /** ttft + tpot * outputTokens, using whichever parts are known. */
  totalMs?: number;
}

export interface LatencyQuery {
  ttftPercentile: number;
  tpotPercentile: number;
  outputTokens: number;
}

/** Percentile latency of a model from its recorded TTFT / TPOT samples. */
export async function estimateLatency(state: LearningStateStore, model: string, q: LatencyQuery): Promise<LatencyEstimate> {
  const [ttftSamples, tpotSamples] = await Promise.all([state.getSamples(ttftKey(model)), state.getSamples(tpotKey(model))]);
  const ttftMs = percentile(ttftSamples, q.ttftPercentile);
  const tpotMs = percentile(tpotSamples, q.tpotPercentile);
  const outputTokens = q.outputTokens;
  const totalMs = ttftMs === undefined && tpotMs === undefined ? undefined : (ttftMs ?? 0) + (tpotMs ?? 0) * outputTokens;
  return { ttftMs, tpotMs, totalMs };
}

/** Scores keyed by model name. */
export function scoreMap(candidates: readonly Candidate[], values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  candidates.forEach((c, i) => {
    out[c.model] = values[i] as number;
  });
  return out;
}

/** Result helper: picks `candidates[index]`. */
export function pick(
  candidates: readonly Candidate[],
  index: number,
  scores: readonly number[],
  confidence: number,
  reasonCode?: SelectionResult['reasonCode'],
): SelectionResult {
  const chosen = candidates[index];
  if (!chosen) throw new RangeError(`selector picked index ${index} of ${candidates.length} candidates`);
  const result: SelectionResult = { model: chosen.model, confidence, scores: scoreMap(candidates, scores) };
  if (reasonCode !== undefined) result.reasonCode = reasonCode;
  return result;
}

/** Appends an outcome's TTFT / TPOT to the model's bounded sample lists. */
export async function recordLatency(outcome: Outcome, state: LearningStateStore, maxSamples: number): Promise<void> {
  const writes: Array<Promise<void>> = [];
  if (outcome.ttftMs !== undefined && Number.isFinite(outcome.ttftMs) && outcome.ttftMs >= 0) {
    writes.push(state.pushSample(ttftKey(outcome.model), outcome.ttftMs, maxSamples));
  }
  if (outcome.tpotMs !== undefined && Number.isFinite(outcome.tpotMs) && outcome.tpotMs >= 0) {
    writes.push(state.pushSample(tpotKey(outcome.model), outcome.tpotMs, maxSamples));
  }
  await Promise.all(writes);
}

/** Reward in [0, 1] of an outcome: `reward` when given, else success as 1 / 0; undefined when neither. */
export function outcomeReward(outcome: Outcome): number | undefined {
  if (outcome.reward !== undefined && Number.isFinite(outcome.reward)) return Math.min(1, Math.max(0, outcome.reward));
  if (outcome.success !== undefined) return outcome.success ? 1 : 0;
  return undefined;
}
