// What a cache entry is keyed on: the embedded prompt (last user message) and a fingerprint of
// everything else in the request, so a hit is never served for a different kind of request.
import { createHash } from 'node:crypto';
import type { ChatCompletionRequest, ChatMessage } from '../api.js';
import { contentText, lastUserTurn } from '../text/prompt.js';

/**
 * Request fields that do not change the completion's content: transport (`stream`), identity
 * (`user`, scoped separately) and bookkeeping. Every other field, known or not, is part of the
 * fingerprint, so an unknown generation parameter can only cause a miss, never a wrong hit.
 */
const IGNORED_FIELDS = new Set(['stream', 'stream_options', 'user', 'metadata', 'store', 'service_tier']);

/** Placeholder for the last user message's text inside the fingerprinted conversation. */
const PROMPT_SLOT = '\u0000prompt';

export interface CacheKeyParts {
  /** The last user message's text, whitespace-normalised: what is embedded and exact-matched. */
  prompt: string;
  /** Hash of the rest of the request (model, tools, parameters, earlier turns, non-text parts). */
  fingerprint: string;
}

/** Splits a request into its cacheable prompt and the fingerprint of the rest; undefined when it has no user text. */
export function cacheKeyParts(req: ChatCompletionRequest): CacheKeyParts | undefined {
  const messages = Array.isArray(req.messages) ? req.messages : [];
  const turn = lastUserTurn(messages);
  if (!turn) return undefined;
  const last = turn.index;
  const prompt = normalizePrompt(contentText(messages[last]!.content));
  // Null prototype: a client's `__proto__` field stays a field of the fingerprint instead of vanishing.
  const rest: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(req)) {
    if (k !== 'messages' && !IGNORED_FIELDS.has(k) && v !== undefined) rest[k] = v;
  }
  rest.messages = messages.map((m, i) => (i === last ? withoutText(m) : m));
  return { prompt, fingerprint: sha256(stableJson(rest)) };
}

/** Unicode NFC, trimmed, inner whitespace runs collapsed to one space. Case is kept: it can matter (code). */
export function normalizePrompt(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** The last user message with its text replaced by a slot; images and other parts stay in the fingerprint. */
function withoutText(m: ChatMessage): ChatMessage {
  const content = m.content;
  const nonText = Array.isArray(content) ? content.filter((p) => !(p && p.type === 'text')) : [];
  return { ...m, content: nonText.length > 0 ? [PROMPT_SLOT, ...nonText] : PROMPT_SLOT } as ChatMessage;
}

/** JSON with object keys sorted at every depth, so field order never changes a hash. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      const sorted: Record<string, unknown> = Object.create(null);
      for (const key of Object.keys(v as object).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }
    return v;
  });
}

/** Hex SHA-256. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
