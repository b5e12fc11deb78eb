// What every signal evaluator implements, and the names of the signal kinds in config and rules.
import type { SignalResult } from '../api.js';
import type { LoadTimeTexts } from '../load-texts.js';

export type SignalType = 'keyword' | 'embedding' | 'domain' | 'language' | 'context' | 'complexity' | 'pii' | 'jailbreak';

/** `routing.signals.<key>` sections and the rule `type` each one answers to. */
export const SIGNAL_SECTIONS: ReadonlyArray<{ key: string; type: SignalType; aliases: string[] }> = [
  { key: 'keywords', type: 'keyword', aliases: ['keywords'] },
  { key: 'embeddings', type: 'embedding', aliases: ['embeddings'] },
  { key: 'domains', type: 'domain', aliases: ['domains', 'category'] },
  { key: 'language', type: 'language', aliases: ['languages'] },
  { key: 'context', type: 'context', aliases: ['context_length'] },
  { key: 'complexity', type: 'complexity', aliases: [] },
  { key: 'pii', type: 'pii', aliases: [] },
  { key: 'jailbreak', type: 'jailbreak', aliases: [] },
];

/** Maps a rule's `type` (singular, plural or alias, any case) to the canonical signal type. */
export function canonicalSignalType(type: string): SignalType | undefined {
  const t = type.toLowerCase();
  return SIGNAL_SECTIONS.find((s) => s.type === t || s.aliases.includes(t))?.type;
}

/** Complexity rules may name a level: `needs_reasoning:easy`; the bare name means `:hard`. */
export function splitComplexityName(name: string): { name: string; level: 'hard' | 'easy' | 'medium' } {
  const m = /^(.*):(hard|easy|medium)$/.exec(name);
  return m ? { name: m[1]!, level: m[2] as 'hard' | 'easy' | 'medium' } : { name, level: 'hard' };
}

/** What a signal sees of the request. Embeddings are computed once per request and shared. */
export interface SignalInput {
  /** The routed text (per `prompt_source`). */
  text: string;
  /** Every message's text, for signals with `include_history` and for context length. */
  historyText: string;
  /** Estimated tokens of the whole conversation. */
  conversationTokens: number;
  /** Unit-norm embedding of `text`. */
  embedding: Float32Array;
}

/**
 * A configured signal, ready to evaluate. Phrases it compares embeddings with are its load texts
 * (none for lexical signals), bound once at load. `evaluate` answers the signal's results: one for
 * most signals; a signal with levels (complexity) answers one per level, each with the id a rule
 * names it by.
 */
export interface SignalEvaluator extends LoadTimeTexts {
  readonly type: SignalType;
  readonly name: string;
  evaluate(input: SignalInput): SignalResult[];
}
