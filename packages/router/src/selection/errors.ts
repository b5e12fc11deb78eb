// Typed selection errors with stable codes.

export type SelectionErrorCode =
  | 'NO_CANDIDATES' // every candidate was pruned and on_no_candidates is `fail`
  | 'SELECTOR_MODEL_INVALID' // a trained selector's model file is missing, unreadable or malformed
  | 'EMBEDDING_DIM_MISMATCH' // prompt embedding does not match the trained model's dimension
  | 'TRAINING_INVALID'; // training data cannot produce a model

/** An error raised while creating or running a selector. */
export class SelectionError extends Error {
  readonly code: SelectionErrorCode;
  constructor(code: SelectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelectionError';
    this.code = code;
  }
}
