// EmbedError: every failure of @semroute/embed, with a stable `code` and the underlying `cause`.

/** Stable error codes (the Rust engine's codes, plus the ones raised by this wrapper). */
export type EmbedErrorCode =
  | 'MODEL_FILES_MISSING'
  | 'UNSUPPORTED_MODEL'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'CORRUPT_WEIGHTS'
  | 'INVALID_TOKENIZER'
  | 'TOKENIZER_MISMATCH'
  | 'INFERENCE_FAILED'
  | 'NATIVE_UNAVAILABLE';

const KNOWN: ReadonlySet<string> = new Set<EmbedErrorCode>([
  'MODEL_FILES_MISSING',
  'UNSUPPORTED_MODEL',
  'INVALID_CONFIG',
  'INVALID_ARGUMENT',
  'CORRUPT_WEIGHTS',
  'INVALID_TOKENIZER',
  'TOKENIZER_MISMATCH',
  'INFERENCE_FAILED',
  'NATIVE_UNAVAILABLE',
]);

/** An embedding-engine failure: `code` says what kind, `message` says what and where. */
export class EmbedError extends Error {
  override readonly name = 'EmbedError';
  readonly code: EmbedErrorCode;

  constructor(code: EmbedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Wraps an error thrown by the native addon, keeping its code and cause chain. */
  static fromNative(err: unknown): EmbedError {
    if (err instanceof EmbedError) return err;
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      const known = typeof code === 'string' && KNOWN.has(code);
      return new EmbedError(known ? (code as EmbedErrorCode) : 'INFERENCE_FAILED', err.message, {
        cause: err.cause ?? (known ? undefined : err),
      });
    }
    return new EmbedError('INFERENCE_FAILED', String(err), { cause: err });
  }
}
