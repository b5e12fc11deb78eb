// Contracts of the selection algorithms: the candidates a selector sees, what it answers, and the
// outcomes learning selectors record.
import type { ReasonCode } from '../api.js';
import type { LearningStateStore } from '../state/types.js';

/** Injected randomness and clock: selectors never call Math.random or Date.now themselves. */
export interface Determinism {
  /** Uniform [0, 1). */
  rng: () => number;
  /** Milliseconds since epoch. */
  now: () => number;
}

/** Minimal view of a model card the selectors read (the zod-parsed config type is a superset). */
export interface CardView {
  name: string;
  description?: string;
  capabilities?: string[];
  tags?: string[];
  quality_score?: number;
  param_size?: string;
  context_window_size?: number;
}

/** Minimal view of a provider model the selectors read. */
export interface ProviderModelView {
  name: string;
  provider_model_id?: string;
  pricing?: { prompt_per_1m?: number; completion_per_1m?: number; currency?: string };
}

/** One candidate model for a decision, with what the router already knows about the prompt. */
export interface Candidate {
  model: string;
  card?: CardView;
  provider?: ProviderModelView;
  /** modelRefs[].weight, default 1. */
  weight: number;
  useReasoning?: boolean;
  reasoningEffort?: string;
  /** Cosine similarity of the prompt embedding to the card's embedding(s), in [-1, 1]. */
  similarity: number;
}

export interface SelectionContext extends Determinism {
  decision: string;
  candidates: Candidate[];
  /** Unit-norm prompt embedding (shared with the signals). */
  promptEmbedding: Float32Array;
  promptText: string;
  /** Estimated prompt tokens. */
  promptTokens: number;
  sessionId?: string;
  state: LearningStateStore;
}

export interface SelectionResult {
  model: string;
  /** 0..1 */
  confidence: number;
  scores: Record<string, number>;
  /** Defaults to `auto_routing`. */
  reasonCode?: ReasonCode;
}

/** Feedback about a served request, for learning selectors (elo, rl_driven, latency_aware, session_aware, automix). */
export interface Outcome {
  decision: string;
  model: string;
  /** Did the answer satisfy the user / grader? */
  success?: boolean;
  /** Optional graded reward in [0, 1]; success maps to 1/0 when absent. */
  reward?: number;
  /** Pairwise preference: this model beat `opponent` (elo). */
  opponent?: string;
  /** 'win' | 'loss' | 'draw' against `opponent`. */
  result?: 'win' | 'loss' | 'draw';
  /** Time to first token, ms. */
  ttftMs?: number;
  /** Time per output token, ms. */
  tpotMs?: number;
  sessionId?: string;
  timestamp?: number;
}

export interface Selector {
  readonly type: string;
  select(ctx: SelectionContext): Promise<SelectionResult>;
  /** Learning selectors update their state; others ignore outcomes. */
  recordOutcome?(outcome: Outcome, state: LearningStateStore): Promise<void>;
}
