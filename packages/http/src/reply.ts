// What the proxy answers, independent of the server framework: adapters turn it into a response.
import { ProxyError } from './errors.js';

/** A response: a whole body, or chunks relayed as they arrive (SSE). */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();

/** A JSON reply. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: encoder.encode(JSON.stringify(value)) };
}

/** The OpenAI-style error reply for any thrown value (unknown errors become a 500 that names no internals). */
export function errorReply(err: unknown, headers: Record<string, string> = {}): Reply {
  const e = err instanceof ProxyError ? err : new ProxyError(500, 'server_error', 'internal error in the semroute proxy', 'internal_error');
  return jsonReply(e.status, e.toJSON(), headers);
}
