// Language signal: the prompt's detected language (ISO 639-1, via tinyld's n-gram detector).
import { detectAll } from 'tinyld';
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type LanguageConfig = SignalsConfig['language'][number];

export interface DetectedLanguage {
  /** ISO 639-1 code, or `und` when the text is too short or unknown. */
  lang: string;
  /** Share of the detector's score held by `lang`, 0..1. */
  confidence: number;
  scores: Record<string, number>;
}

/** Detects the language of a text; detection runs once per text even with many language signals. */
export function detectLanguage(text: string): DetectedLanguage {
  const t = text.trim();
  if (t.length === 0) return { lang: 'und', confidence: 0, scores: {} };
  const all = detectAll(t);
  const total = all.reduce((s, r) => s + r.accuracy, 0);
  const scores: Record<string, number> = {};
  for (const r of all) scores[r.lang] = total > 0 ? r.accuracy / total : 0;
  const top = all[0];
  if (!top) return { lang: 'und', confidence: 0, scores };
  return { lang: top.lang, confidence: scores[top.lang] ?? 0, scores };
}

export class LanguageSignal implements SignalEvaluator {
  readonly type = 'language' as const;
  readonly name: string;
  loadTexts(): string[] {
    return [];
  }
  private readonly langs: string[];

  constructor(cfg: LanguageConfig, private readonly detect: (input: SignalInput) => DetectedLanguage) {
    this.name = cfg.name;
    this.langs = (cfg.languages ?? [cfg.name]).map((l) => l.toLowerCase());
  }

  bind(): void {}

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const d = this.detect(input);
    const matched = this.langs.includes(d.lang);
    const confidence = Math.max(0, ...this.langs.map((l) => d.scores[l] ?? 0));
    return { id: `language:${this.name}`, type: 'language', name: this.name, matched, confidence, detail: { detected: d.lang } };
  }
}

/** One detection per request, shared by every language signal. */
export function sharedLanguageDetector(): (input: SignalInput) => DetectedLanguage {
  const cache = new WeakMap<SignalInput, DetectedLanguage>();
  return (input) => {
    let d = cache.get(input);
    if (!d) {
      d = detectLanguage(input.text);
      cache.set(input, d);
    }
    return d;
  };
}
