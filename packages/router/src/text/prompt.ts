// The one prompt extractor: which text of a chat request is routed (the last user message by
// default, or a window of the conversation, system included or not), which the cache keys on (the
// last user message) and which a log line shows. Multimodal content parts are reduced to their text.
import type { ChatCompletionRequest, ChatContent, ChatMessage, TextEmbedder } from '../api.js';
import type { PromptSourceConfig } from '../config/schema.js';

/** Text of one message's content; non-text parts (images, audio) are dropped. */
export function contentText(content: ChatContent | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

const isSystem = (m: ChatMessage) => m.role === 'system' || m.role === 'developer';

/** The last user message with text: its index and its trimmed text; undefined when no user message has any. */
export function lastUserTurn(messages: readonly ChatMessage[]): { index: number; text: string } | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    const text = contentText(m.content).trim();
    if (text) return { index: i, text };
  }
  return undefined;
}

/** The last user message's text (e.g. for a log line); undefined when there is none. */
export function lastUserText(req: ChatCompletionRequest): string | undefined {
  return lastUserTurn(req.messages)?.text;
}

/** The text to embed and compare, per `prompt_source`. */
export function promptText(req: ChatCompletionRequest, source: PromptSourceConfig): string {
  const messages = req.messages;
  if (source.mode === 'last_user') {
    const last = lastUserTurn(messages);
    if (last) return withSystem(messages, last.text, source.include_system);
    // No user text (e.g. a tool-only turn): fall back to the last message with any text.
    for (let i = messages.length - 1; i >= 0; i--) {
      const t = contentText(messages[i]!.content).trim();
      if (t && !isSystem(messages[i]!)) return withSystem(messages, t, source.include_system);
    }
    return source.include_system ? systemText(messages) : '';
  }
  const turns = messages.filter((m) => !isSystem(m)).slice(-source.window);
  const parts = turns.map((m) => contentText(m.content).trim()).filter(Boolean);
  if (source.include_system) {
    const sys = systemText(messages);
    if (sys) parts.unshift(sys);
  }
  return parts.join('\n');
}

function systemText(messages: ChatMessage[]): string {
  return messages.filter(isSystem).map((m) => contentText(m.content).trim()).filter(Boolean).join('\n');
}

function withSystem(messages: ChatMessage[], text: string, include: boolean): string {
  if (!include) return text;
  const sys = systemText(messages);
  return sys ? `${sys}\n${text}` : text;
}

/** Every message's text, oldest first (for signals with include_history and context length). */
export function conversationText(req: ChatCompletionRequest): string {
  return req.messages.map((m) => contentText(m.content)).filter(Boolean).join('\n');
}

/**
 * Rough token estimate without a tokenizer: BPE tokenizers average about 4 characters per token in
 * English, and never fewer tokens than words; CJK characters count one each.
 */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  const cjk = (text.match(/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/g) ?? []).length;
  const rest = text.length - cjk;
  const words = (text.match(/\S+/g) ?? []).length;
  return cjk + Math.max(Math.ceil(rest / 4), words - cjk);
}

/**
 * Characters kept per token of the model's max length. Tokenizers average 3-5 characters per token
 * in prose; 16 leaves room for long words and code while bounding the tokenizer's work: text past
 * the model's max length is truncated after tokenising anyway, so a 1 MB prompt must not reach it.
 */
export const CHARS_PER_TOKEN_BUDGET = 16;

/** `text` cut to `maxSeqLen * CHARS_PER_TOKEN_BUDGET` characters (never inside a surrogate pair). */
export function clipToTokenBudget(text: string, maxSeqLen: number): string {
  return clipHead(text, textBudgetChars(maxSeqLen));
}

/** Max length assumed for the signals' budget when the embedder does not say (BERT-size models). */
export const DEFAULT_BUDGET_MAX_SEQ_LEN = 512;

/** Characters of the prompt the routing signals read: the embedder's budget (`maxSeqLen` x 16). */
export function textBudgetChars(maxSeqLen: number | undefined): number {
  const max = maxSeqLen !== undefined && maxSeqLen > 0 ? Math.floor(maxSeqLen) : DEFAULT_BUDGET_MAX_SEQ_LEN;
  return Math.max(1, max) * CHARS_PER_TOKEN_BUDGET;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The first `budget` characters of `text` (one fewer rather than half a surrogate pair). */
export function clipHead(text: string, budget: number): string {
  if (text.length <= budget) return text;
  return text.slice(0, isHighSurrogate(text.charCodeAt(budget - 1)) ? budget - 1 : budget);
}

/** The last `budget` characters of `text` (one fewer rather than half a surrogate pair). */
export function clipTail(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const from = text.length - budget;
  return text.slice(isLowSurrogate(text.charCodeAt(from)) ? from + 1 : from);
}

/**
 * `estimateTokens` reading at most `budget` characters: past the budget, the count is extrapolated
 * from the first `budget` characters' tokens per character over the whole length.
 */
export function estimateTokensWithin(text: string, budget: number): number {
  if (text.length <= budget) return estimateTokens(text);
  const head = clipHead(text, budget);
  return Math.ceil((estimateTokens(head) * text.length) / head.length);
}

/** The embedder with every input text cut to its token budget before tokenising. */
export function withTextBudget(embedder: TextEmbedder): TextEmbedder {
  const max = embedder.info.maxSeqLen;
  if (!(max > 0)) return embedder;
  const inner = embedder as TextEmbedder & { close?: () => Promise<void> | void };
  return {
    get info() {
      return embedder.info;
    },
    embed: (texts, options) => {
      const clipped = texts.some((t) => t.length > max * CHARS_PER_TOKEN_BUDGET) ? texts.map((t) => clipToTokenBudget(t, max)) : texts;
      return options ? embedder.embed(clipped, options) : embedder.embed(clipped);
    },
    ...(typeof inner.close === 'function' ? { close: () => inner.close!() } : {}),
  } as TextEmbedder;
}
