// The one reader of OpenAI chat requests: a body's bytes or an already parsed value -> a
// `ChatCompletionRequest`, or why it is not one. The router, the ExtProc sidecar and the HTTP
// proxy all validate through here, so they agree on what a routable request is.
import type { ChatCompletionRequest } from '../api.js';

/** Why a value or body is not a chat request (each is a pass-through reason of the sidecar). */
export type ChatRequestProblem = 'empty_body' | 'not_utf8' | 'not_json' | 'not_object' | 'no_messages' | 'bad_messages' | 'bad_model';

export interface ChatRequestIssue {
  reason: ChatRequestProblem;
  /** What is wrong, for a log line or a 400 answer. */
  message: string;
  /** The offending field (OpenAI's `error.param`), when there is one. */
  param?: string;
}

export type ParsedChatRequest = { ok: true; request: ChatCompletionRequest } | { ok: false; issue: ChatRequestIssue };

/** The body as text as well: the sidecar rewrites `model` in place in it. */
export type ParsedChatBody = { ok: true; request: ChatCompletionRequest; text: string } | { ok: false; issue: ChatRequestIssue };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks what routing relies on: an object, a `messages` array of objects with a string `role`, a string `model` if any. */
export function parseChatRequest(value: unknown): ParsedChatRequest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('not_object', 'the request is not a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (!Array.isArray(o.messages)) return fail('no_messages', 'the request has no "messages" array', 'messages');
  const bad = o.messages.findIndex((m) => m === null || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string');
  if (bad >= 0) return fail('bad_messages', `messages[${bad}] is not an object with a string "role"`, `messages[${bad}]`);
  if (o.model !== undefined && typeof o.model !== 'string') return fail('bad_model', '"model" is not a string', 'model');
  return { ok: true, request: o as ChatCompletionRequest };
}

/** Reads a request body: UTF-8 JSON holding a chat request. */
export function parseChatBody(body: Uint8Array): ParsedChatBody {
  if (body.length === 0) return fail('empty_body', 'the request has no body');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail('not_utf8', 'the body is not UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('not_json', `the body is not JSON: ${(err as Error).message}`);
  }
  const parsed = parseChatRequest(value);
  return parsed.ok ? { ok: true, request: parsed.request, text } : parsed;
}

const fail = (reason: ChatRequestProblem, message: string, param?: string): { ok: false; issue: ChatRequestIssue } => ({
  ok: false,
  issue: { reason, message, ...(param !== undefined ? { param } : {}) },
});
