// Keyword signal: any / all / none of a keyword list, case-(in)sensitive, on word boundaries.
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type KeywordConfig = SignalsConfig['keywords'][number];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Scripts written without spaces between words: a boundary check would never match inside them.
const UNSPACED = /[\u3040-\u30ff\u3400-\u9fff\u0e00-\u0e7f]/;

/** Builds one matcher regex per keyword. */
function matcher(keyword: string, caseSensitive: boolean, wordBoundary: boolean): RegExp {
  const body = escapeRegExp(keyword);
  const bounded = wordBoundary && !UNSPACED.test(keyword);
  // \b is ASCII-only; these lookarounds treat any letter or digit as part of a word.
  const src = bounded ? `(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])` : body;
  return new RegExp(src, caseSensitive ? 'u' : 'iu');
}

export class KeywordSignal implements SignalEvaluator {
  readonly type = 'keyword' as const;
  readonly name: string;
  loadTexts(): string[] {
    return [];
  }
  private readonly mode: 'any' | 'all' | 'none';
  private readonly matchers: Array<{ keyword: string; re: RegExp }>;

  constructor(cfg: KeywordConfig) {
    this.name = cfg.name;
    const op = cfg.operator.toLowerCase();
    this.mode = op === 'and' || op === 'all' ? 'all' : op === 'nor' || op === 'none' ? 'none' : 'any';
    this.matchers = cfg.keywords.map((k) => ({ keyword: k, re: matcher(k, cfg.case_sensitive, cfg.word_boundary) }));
  }

  bind(): void {}

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const hits = this.matchers.filter((m) => m.re.test(input.text)).map((m) => m.keyword);
    const frac = hits.length / this.matchers.length;
    let matched: boolean;
    let confidence: number;
    if (this.mode === 'all') {
      matched = hits.length === this.matchers.length;
      confidence = frac;
    } else if (this.mode === 'none') {
      matched = hits.length === 0;
      confidence = matched ? 1 : 0;
    } else {
      matched = hits.length > 0;
      confidence = matched ? 1 : 0;
    }
    return { id: `keyword:${this.name}`, type: 'keyword', name: this.name, matched, confidence, detail: { matched: hits } };
  }
}
