// OpenAI-style error bodies: what every failure of the proxy answers, so SDK clients raise typed errors.

/** The JSON body OpenAI's API answers on error. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A failure the proxy answers with `status` and an OpenAI-style body; never leaves the handler as a throw. */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }

  /** The response body. */
  toJSON(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new ProxyError(400, 'invalid_request_error', message, code, param);

export const tooLarge = (limit: number) =>
  new ProxyError(413, 'invalid_request_error', `request body exceeds the limit of ${limit} bytes`, 'request_too_large');
