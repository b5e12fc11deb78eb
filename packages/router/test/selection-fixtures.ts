// Shared builders for the selection tests (not a test file itself).
import type { Candidate, SelectionContext, Selector } from '../src/selection/types.js';
import type { LearningStateStore } from '../src/state/types.js';
import { getSelectorFactory } from '../src/selection/registry.js';
import { seededRng } from '../src/selection/random.js';
import { MemoryStateStore } from '../src/state/memory.js';

export interface CandSpec {
  model: string;
  similarity: number;
  weight?: number;
  price?: [number, number];
  qualityScore?: number;
  paramSize?: string;
}

/** A candidate as the router would build it. */
export function cand(s: CandSpec): Candidate {
  const c: Candidate = { model: s.model, similarity: s.similarity, weight: s.weight ?? 1, card: { name: s.model } };
  if (s.qualityScore !== undefined) c.card!.quality_score = s.qualityScore;
  if (s.paramSize !== undefined) c.card!.param_size = s.paramSize;
  if (s.price) c.provider = { name: s.model, pricing: { prompt_per_1m: s.price[0], completion_per_1m: s.price[1] } };
  return c;
}

export interface CtxOptions {
  decision?: string;
  state?: LearningStateStore;
  rng?: () => number;
  now?: () => number;
  sessionId?: string;
  embedding?: Float32Array;
}

/** A selection context over `specs` with a fresh memory store and a seeded rng unless given. */
export function ctx(specs: CandSpec[], o: CtxOptions = {}): SelectionContext {
  const c: SelectionContext = {
    decision: o.decision ?? 'd',
    candidates: specs.map(cand),
    promptEmbedding: o.embedding ?? new Float32Array([1, 0, 0]),
    promptText: 'prompt',
    promptTokens: 3,
    state: o.state ?? new MemoryStateStore(),
    rng: o.rng ?? seededRng(1),
    now: o.now ?? (() => 0),
  };
  if (o.sessionId !== undefined) c.sessionId = o.sessionId;
  return c;
}

/** Creates a selector from the registry exactly as the config loader would (params validated by zod). */
export async function make(type: string, params: unknown = {}, configDir = '/'): Promise<Selector> {
  const f = getSelectorFactory(type);
  if (!f) throw new Error(`no selector ${type}`);
  return f.create(f.params.parse(params), { configDir });
}

/** Issues of validating `params` for `type`, as "path: message" strings. */
export function paramIssues(type: string, params: unknown): string[] {
  const r = getSelectorFactory(type)!.params.safeParse(params);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
