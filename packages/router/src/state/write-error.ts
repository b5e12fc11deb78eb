// The error a strict state view throws when a write does not reach the backend.

/**
 * A learning-state write failed. `sent: false` means it never left this process (the backend was
 * unreachable), so retrying it later cannot count it twice; `sent: true` means it was sent and the
 * answer was lost (timeout, connection dropped), so it may or may not have been applied.
 */
export class StateWriteError extends Error {
  readonly code = 'STATE_WRITE_FAILED';
  readonly sent: boolean;
  constructor(message: string, sent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateWriteError';
    this.sent = sent;
  }
}
