// Contracts of the learning-state stores (memory, Redis).

/**
 * State of the learning selectors. All mutating operations are atomic per call, so two router
 * replicas recording outcomes at once lose nothing. In-memory by default; Redis in a later package.
 * Keys are namespaced by the caller, e.g. `elo:<decision>`.
 */
export interface LearningStateStore {
  readonly kind: string;
  /** Read numeric fields of a hash; missing fields are absent from the result. */
  getNumbers(key: string, fields: string[]): Promise<Record<string, number>>;
  /** Atomically add each delta to its field (missing fields start at 0); returns the new values. */
  incrNumbers(key: string, deltas: Record<string, number>): Promise<Record<string, number>>;
  /** Atomically set fields. */
  setNumbers(key: string, values: Record<string, number>): Promise<void>;
  /** Append a sample to a bounded list, keeping the newest `maxLen`. */
  pushSample(key: string, value: number, maxLen: number): Promise<void>;
  /** Newest-last samples of a list. */
  getSamples(key: string): Promise<number[]>;
  /** String value with optional TTL in ms (session stickiness). */
  getString(key: string): Promise<string | undefined>;
  setString(key: string, value: string, ttlMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A state store whose backend can be unreachable (Redis): what the outcome queue needs to know. */
export interface DurableStateStore extends LearningStateStore {
  /**
   * Names the backend (e.g. the Redis server, database and key prefix): two stores with the same id
   * share their data, so one router's unsent outcomes can be handed to another's on a reload.
   */
  readonly backendId?: string;
  /** Whether writes can reach the backend now. */
  isAvailable(): boolean;
  /** Calls `listener` each time the backend becomes reachable again; returns an unsubscribe function. */
  onAvailable(listener: () => void): () => void;
  /** The same store, but a write that does not reach the backend throws a `StateWriteError` instead of being absorbed. */
  readonly strict: LearningStateStore;
}

/** A store whose reads can be bounded by one request's deadline (Redis: a paused server must not hold routing). */
export interface DeadlineBoundReads {
  /** The store, with reads that answer locally once `deadlineAt` (`performance.now()` time) passes or `signal` aborts. */
  withReadDeadline(deadlineAt: number | undefined, signal?: AbortSignal): LearningStateStore;
}

/** `state` with its reads bounded by a request's deadline where the store supports it (else `state`). */
export function boundReads(state: LearningStateStore, deadlineAt: number | undefined, signal: AbortSignal | undefined): LearningStateStore {
  const s = state as LearningStateStore & Partial<DeadlineBoundReads>;
  if (typeof s.withReadDeadline !== 'function' || (deadlineAt === undefined && signal === undefined)) return state;
  return s.withReadDeadline(deadlineAt, signal);
}
