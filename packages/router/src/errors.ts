// Typed router errors with stable codes; the cause is kept.

export type RouterErrorCode =
  | 'INVALID_REQUEST' // the body is not a chat request (no messages array...)
  | 'EMBEDDING_FAILED' // the embedder threw
  | 'MODEL_LOAD_FAILED' // the embedding model could not be loaded
  | 'SELECTION_FAILED' // a selector threw (e.g. on_no_candidates: fail)
  | 'UNKNOWN_DECISION' // recordOutcome named a decision the config does not have
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
