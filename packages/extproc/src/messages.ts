// Builders for the ProcessingResponse messages the sidecar sends; pure functions.
import type { BodyMutation, CommonResponse, HeaderMutation, HeaderValue, HeaderValueOption, ImmediateResponse } from './proto.js';

/** Sets (never appends) each header: the gateway routes on the value, so a client-sent copy must not survive. */
export function setHeaders(values: Record<string, string>): HeaderMutation {
  const set_headers: HeaderValueOption[] = Object.entries(values).map(([key, v]) => ({
    header: { key, raw_value: Buffer.from(v, 'utf8') },
    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
  }));
  return { set_headers };
}

/** CONTINUE with no mutation. */
export const continueResponse = (): CommonResponse => ({ status: 'CONTINUE' });

/** Headers a client could send to steer the gateway's route match or fake semroute's answer. */
export function isSteeringHeader(name: string): boolean {
  const k = name.toLowerCase();
  return k === 'x-selected-model' || k.startsWith('x-semroute-');
}

/**
 * The request headers answer: CONTINUE, setting `set` and removing every client-sent steering header
 * it does not set. Any mutation clears the route cache so the gateway matches routes again without them.
 */
export function requestHeadersAnswer(steering: readonly string[], set?: Record<string, string>): CommonResponse {
  const remove = steering.filter((k) => !(set && k in set));
  if (!set && remove.length === 0) return continueResponse();
  const header_mutation: HeaderMutation = set ? setHeaders(set) : {};
  if (remove.length > 0) header_mutation.remove_headers = remove;
  return { status: 'CONTINUE', header_mutation, clear_route_cache: true };
}

/** A header value as Envoy sends it: `raw_value` bytes (current Envoy) or `value` (older). */
export function headerValue(h: HeaderValue): string {
  if (h.raw_value && h.raw_value.length > 0) return Buffer.from(h.raw_value).toString('utf8');
  return h.value ?? '';
}

/** Lower-cased names of the steering headers in Envoy's HeaderMap. */
export function steeringHeaders(list: HeaderValue[] | undefined): string[] {
  const names = new Set<string>();
  for (const h of list ?? []) if (typeof h.key === 'string' && isSteeringHeader(h.key)) names.add(h.key.toLowerCase());
  return [...names];
}

/** Lower-cased header map from Envoy's HeaderMap; repeated headers are joined with ",". */
export function headerRecord(list: HeaderValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list ?? []) {
    const k = h.key.toLowerCase();
    const v = headerValue(h);
    out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  }
  return out;
}

/** Largest chunk sent back in full-duplex mode (Envoy recommends <= 64 KiB). */
export const STREAMED_CHUNK_BYTES = 64 * 1024;

/** Splits a body into full-duplex streamed_response mutations; the last carries `end_of_stream`. */
export function streamedChunks(body: Buffer, endOfStream: boolean): BodyMutation[] {
  if (body.length === 0) return [{ streamed_response: { body, end_of_stream: endOfStream } }];
  const out: BodyMutation[] = [];
  for (let at = 0; at < body.length; at += STREAMED_CHUNK_BYTES) {
    const part = body.subarray(at, at + STREAMED_CHUNK_BYTES);
    out.push({ streamed_response: { body: part, end_of_stream: endOfStream && at + STREAMED_CHUNK_BYTES >= body.length } });
  }
  return out;
}

/** A locally generated answer (GET /v1/models, cache hits). */
export function immediate(code: number, body: Buffer, headers: Record<string, string>, details: string): ImmediateResponse {
  return { status: { code }, headers: setHeaders(headers), body, details };
}
