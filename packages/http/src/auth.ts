// Bearer-token check for the proxy's API paths (the probes /health, /ready, /metrics stay open).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProxyError } from './errors.js';

/** True when no token is set, or `header` is `Bearer <token>` (constant time, over hashes so lengths do not leak). */
export function bearerMatches(token: string | undefined, header: string | null | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256').update(m?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && m !== null;
}

/** The OpenAI-style 401 a client without the right token gets. */
export const unauthorized = (path: string) =>
  new ProxyError(401, 'invalid_request_error', `${path} needs an "Authorization: Bearer <token>" header with the proxy's API token`, 'invalid_api_key');
