// Typed router errors with stable codes; the cause is kept.

export type RouterErrorCode =
  | 'INVALID_REQUEST' // the body is not a chat request (no messages array...)
  | 'EMBEDDING_FAILED' // the embedder threw
  | 'MODEL_LOAD_FAILED' // the embedding model could not be loaded
  | 'SELECTION_FAILED' // a selector threw (e.g. on_no_candidates: fail)
  | 'UNKNOWN_DECISION' // recordOutcome named a decision the config does not have
  | 'INVALID_OUTCOME' // an outcome field is out of range, unknown, or names a model outside the decision's modelRefs
  | 'STATE_UNAVAILABLE' // the learning-state backend is down and the local outcome queue is full
  | 'ABORTED' // the caller's AbortSignal fired
  | 'CLOSED'; // the router was closed

export class RouterError extends Error {
  readonly code: RouterErrorCode;
  constructor(code: RouterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RouterError';
    this.code = code;
  }
}

/**
 * An outcome (or a batch of them) failed validation; nothing of the batch was applied.
 * `index` is the item's position in the batch (null: the batch itself), `field` the offending field.
 */
export class OutcomeValidationError extends RouterError {
  readonly index: number | null;
  readonly field: string;
  constructor(index: number | null, field: string, detail: string, code: 'INVALID_OUTCOME' | 'UNKNOWN_DECISION' = 'INVALID_OUTCOME') {
    const where = index === null ? 'outcome batch' : `outcome[${index}]${field ? `.${field}` : ''}`;
    super(code, `${where}: ${detail}`);
    this.name = 'OutcomeValidationError';
    this.index = index;
    this.field = field;
  }
}

/** The learning-state backend is unreachable and the local outcome queue has no room: nothing of the call was kept. */
export class StateUnavailableError extends RouterError {
  /** Outcomes of the call that were applied or queued before the queue filled (0 when rejected up front). */
  readonly accepted: number;
  constructor(message: string, accepted = 0, options?: { cause?: unknown }) {
    super('STATE_UNAVAILABLE', message, options);
    this.name = 'StateUnavailableError';
    this.accepted = accepted;
  }
}
