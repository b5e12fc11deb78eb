// The public API's contracts: what a caller passes to the router and gets back (requests, the
// embedder it needs, decisions, signals, outcome receipts) and the Router interface itself.
import type { CacheSettings, RouteCache } from './cache/types.js';
import type { Outcome } from './selection/types.js';

/** One batch of embeddings: row-major `data` of `rows * dim` floats. */
export interface EmbeddingBatch {
  data: Float32Array;
  dim: number;
  /** Indices of inputs that were truncated to the model's max length. */
  truncated: number[];
}

/** What the router needs from an embedder; `@semroute/embed`'s `Embedder` satisfies it, and so do test fakes. */
export interface TextEmbedder {
  readonly info: {
    architecture: string;
    dim: number;
    maxSeqLen: number;
    supportsBatched: boolean;
  };
  /** `signal`: a caller that gives up (deadline passed) leaves the embedder's queue without costing a forward pass. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbeddingBatch>;
}

/** OpenAI-style chat content: a string or an array of content parts. */
export type ChatContent =
  | string
  | null
  | Array<{ type: string; text?: string; [k: string]: unknown }>;

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | string;
  content?: ChatContent;
  name?: string;
  [k: string]: unknown;
}

/** An OpenAI chat completion request body (only the fields the router reads are typed). */
export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  stream?: boolean;
  user?: string;
  tools?: unknown[];
  [k: string]: unknown;
}

/** Per-request context a caller may pass to `route()` (headers from the gateway, session, tenant). */
export interface RouteContext {
  requestId?: string;
  /** Sticky-session key for session_aware selection (e.g. x-session-id header). */
  sessionId?: string;
  /**
   * Tenant / user scope for a per-tenant cache; default: the request header the decision's cache
   * plugin names (`scope_header`), read from `headers`.
   */
  tenant?: string;
  /** Lower-cased request headers, when routing from a gateway. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Look the matched decision's semantic cache up (decisions with a cache plugin): the decision then
   * carries `cache`, a hit or a ticket to store the answer. For callers that serve the answer (the
   * sidecar, the proxy); default false.
   */
  cache?: boolean;
  /** `performance.now()` time by which the cache lookup must have answered; past it the lookup is `skipped`. */
  cacheDeadline?: number;
}

/** Result of one signal evaluation. */
export interface SignalResult {
  /** `type:name`, e.g. `keyword:code_words`. */
  id: string;
  type: string;
  name: string;
  matched: boolean;
  /** 0..1 */
  confidence: number;
  /** A graded score where the signal has one (task signals: P(task | prompt)). */
  score?: number;
  /** Optional detail: matched keywords, detected language, domain label... */
  detail?: unknown;
}

export type ReasonCode =
  | 'auto_routing' // an auto model name was routed by a decision + selector
  | 'explicit_model' // the request named a concrete model: passed through
  | 'default_model' // no decision matched
  | 'no_candidates' // SLOs pruned all candidates; on_no_candidates applied
  | 'cache_hit'
  | 'low_confidence' // the two best cards were within routing.low_confidence.margin
  | string;

export interface RouteDecision {
  /** Card / provider model name chosen (the value of x-selected-model). */
  selectedModel: string;
  /** `providers.models[].provider_model_id` of the chosen model (the body's new `model`). */
  providerModelId: string;
  /** Name of the decision that matched, or null when none did. */
  decision: string | null;
  /** Selection algorithm type used, e.g. `multi_factor`. */
  algorithm: string | null;
  /** 0..1 */
  confidence: number;
  /** Per-candidate final scores. */
  scores: Record<string, number>;
  signals: SignalResult[];
  reasonCode: ReasonCode;
  latencyMs: number;
  /** Whether the chosen decision asked for reasoning (modelRefs[].use_reasoning). */
  useReasoning?: boolean;
  reasoningEffort?: string;
  /** The semantic cache's answer, when `ctx.cache` was set and the decision has a cache plugin. */
  cache?: RouteCache;
}

/** What `recordOutcomes` did with a validated batch. */
export interface OutcomeReceipt {
  /** Outcomes accepted: the whole batch (a batch is validated whole; a bad one throws and applies nothing). */
  recorded: number;
  /** True when every outcome reached the learning-state backend during the call. */
  persisted: boolean;
  /** Outcomes kept in the local queue because the backend is unreachable; replayed in order when it is back. */
  queued: number;
  /** Outcomes whose write was sent but never confirmed (backend lost mid-write): maybe applied, not replayed. */
  unconfirmed: number;
}

/** The outcome queue's counters since the router was created. */
export interface OutcomeStats {
  /** Outcomes waiting in the local queue now. */
  queued: number;
  queueCapacity: number;
  /** Queued outcomes replayed to the backend. */
  replayed: number;
  /** Writes sent but never confirmed (see `OutcomeReceipt.unconfirmed`). */
  unconfirmed: number;
  /** Outcomes refused with `StateUnavailableError` because the queue was full. */
  rejected: number;
  /** Queued outcomes that failed on replay for another reason (reported through onError). */
  failed: number;
}

/** What `createRouter` returns; the ExtProc server and the CLI use only this. */
export interface Router {
  /** Route one chat request. Explicit (non-auto) model names pass through with reasonCode `explicit_model`. */
  route(request: ChatCompletionRequest, ctx?: RouteContext): Promise<RouteDecision>;
  /** Route many requests with one batched embedding call. */
  routeBatch(requests: ChatCompletionRequest[], ctx?: RouteContext): Promise<RouteDecision[]>;
  /**
   * Feedback for the learning selectors: `recordOutcomes([outcome])`. Throws `OutcomeValidationError`
   * for a bad outcome, `StateUnavailableError` when the backend is down and the local queue is full.
   */
  recordOutcome(outcome: Outcome): Promise<OutcomeReceipt>;
  /**
   * A batch of outcomes, validated whole before anything is applied (`OutcomeValidationError` names the
   * first bad item and field): the decision must exist, the model and opponent must be in its
   * modelRefs, numbers finite and in range, at most `maxOutcomeBatch` items. Applied in order.
   */
  recordOutcomes(outcomes: readonly unknown[]): Promise<OutcomeReceipt>;
  /** Counters of the local outcome queue (queued now, replayed, unconfirmed, rejected). */
  outcomeStats(): OutcomeStats;
  /** True when `model` (e.g. `MoM`, `auto`) is routed rather than passed through. */
  isAutoModel(model: string | undefined): boolean;
  /** Auto names and cards, for `GET /v1/models`. */
  listModels(): Array<{ id: string; kind: 'auto' | 'card'; description?: string; providerModelId?: string }>;
  /** Semantic cache settings of a decision (inspection; `route()` applies them), or undefined without a cache plugin. */
  cacheSettings(decision: string): CacheSettings | undefined;
  close(): Promise<void>;
}
