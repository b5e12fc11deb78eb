// Long prompts are cut to the embedding model's token budget before tokenising (issue 9): a 1 MB
// prompt must cost the tokenizer what a few KB do.
import { describe, expect, it } from 'vitest';
import { createRouter, type EmbeddingBatch, type TextEmbedder } from '../src/index.js';
import { CHARS_PER_TOKEN_BUDGET, clipTail, clipToTokenBudget, estimateTokens, estimateTokensWithin } from '../src/text/prompt.js';

/** Records the length of every text it is asked to embed. */
class LengthRecorder implements TextEmbedder {
  readonly info = { architecture: 'test', dim: 8, maxSeqLen: 256, supportsBatched: true };
  readonly lengths: number[] = [];
  readonly signals: Array<AbortSignal | undefined> = [];
  async embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbeddingBatch> {
    this.lengths.push(...texts.map((t) => t.length));
    this.signals.push(options?.signal);
    const data = new Float32Array(texts.length * 8);
    texts.forEach((t, r) => {
      data[r * 8 + (t.length % 8)] = 1;
    });
    return { data, dim: 8, truncated: [] };
  }
}

const config = {
  version: 'v0.3',
  providers: { models: [{ name: 'a' }, { name: 'b' }] },
  routing: {
    task_library: { enabled: false },
    modelCards: [
      { name: 'a', description: 'code' },
      { name: 'b', description: 'poems' },
    ],
    decisions: [{ name: 'MoM', priority: 1, rules: {}, modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'static' } }],
  },
};

describe('prompt token budget', () => {
  it('cuts at maxSeqLen x CHARS_PER_TOKEN_BUDGET characters, never inside a surrogate pair', () => {
    expect(clipToTokenBudget('short', 256)).toBe('short');
    expect(clipToTokenBudget('x'.repeat(10_000), 256)).toHaveLength(256 * CHARS_PER_TOKEN_BUDGET);
    const emoji = `${'x'.repeat(16 * 2 - 1)}😀${'y'.repeat(100)}`;
    const cut = clipToTokenBudget(emoji, 2);
    expect(cut).toHaveLength(31);
    expect(cut.endsWith('x')).toBe(true);
  });

  it('a 1 MB prompt reaches the embedder cut to the budget, and routes', async () => {
    const embedder = new LengthRecorder();
    const router = await createRouter({ config, embedder });
    try {
      embedder.lengths.length = 0;
      const d = await router.route({ model: 'MoM', messages: [{ role: 'user', content: 'word '.repeat(200_000) }] });
      expect(d.decision).toBe('MoM');
      expect(embedder.lengths).toEqual([256 * CHARS_PER_TOKEN_BUDGET]);
      // Short prompts are untouched.
      embedder.lengths.length = 0;
      await router.route({ model: 'MoM', messages: [{ role: 'user', content: 'write a poem' }] });
      expect(embedder.lengths).toEqual(['write a poem'.length]);
    } finally {
      await router.close();
    }
  });

  it('a 1 MB prompt: the signals read at most the budget (prompt head, conversation tail), token counts extrapolated', async () => {
    const budget = 256 * CHARS_PER_TOKEN_BUDGET;
    const withSignals = structuredClone(config) as typeof config & { routing: Record<string, unknown> };
    withSignals.routing.signals = {
      keywords: [{ name: 'needle', keywords: ['needle'] }],
      language: [{ name: 'en' }, { name: 'de' }],
      context: [{ name: 'long', min_tokens: '100K' }],
      pii: [{ name: 'mail', include_history: true }],
    };
    const router = await createRouter({ config: withSignals, embedder: new LengthRecorder() });
    const matched = async (messages: Array<{ role: string; content: string }>) => {
      const d = await router.route({ model: 'MoM', messages });
      expect(d.decision).toBe('MoM');
      return Object.fromEntries(d.signals.map((s) => [s.name, s.matched]));
    };
    const filler = 'word '.repeat(200_000); // 1 MB, 250,000 estimated tokens
    try {
      // A keyword inside the budget is seen; the same keyword past it is not.
      expect((await matched([{ role: 'user', content: `needle ${filler}` }])).needle).toBe(true);
      const past = `${'x '.repeat(budget / 2)}needle ${filler}`;
      expect((await matched([{ role: 'user', content: past }])).needle).toBe(false);
      // Language is detected on the head: English there, German for the remaining megabyte.
      const english = 'The quick brown fox jumps over the lazy dog while the children read their books in the garden. '.repeat(60);
      const german = 'Der schnelle braune Fuchs springt über den faulen Hund, während die Kinder im Garten ihre Bücher lesen. '.repeat(10_000);
      const lang = await matched([{ role: 'user', content: `${english}${german}` }]);
      expect(english.length).toBeGreaterThan(budget);
      expect([lang.en, lang.de]).toEqual([true, false]);
      // The conversation's token count comes from its length past the budget: a long context still matches.
      expect((await matched([{ role: 'user', content: filler }])).long).toBe(true);
      expect((await matched([{ role: 'user', content: 'word '.repeat(1000) }])).long).toBe(false);
      // History signals read the conversation's latest turns: an address in the newest turn is found,
      // one a megabyte back is not.
      const recent = await matched([
        { role: 'assistant', content: filler },
        { role: 'user', content: 'write to bob@example.com please' },
      ]);
      expect(recent.mail).toBe(true);
      const old = await matched([
        { role: 'user', content: 'write to bob@example.com please' },
        { role: 'assistant', content: filler },
        { role: 'user', content: 'and now?' },
      ]);
      expect(old.mail).toBe(false);
    } finally {
      await router.close();
    }
  });

  it('estimateTokensWithin reads only the budget and extrapolates from the length', () => {
    expect(estimateTokensWithin('word '.repeat(10), 1000)).toBe(estimateTokens('word '.repeat(10)));
    expect(estimateTokensWithin('word '.repeat(200_000), 4096)).toBe(estimateTokens('word '.repeat(200_000)));
    // Only the head is read: CJK past the budget is counted at the head's rate.
    expect(estimateTokensWithin(`${'abcd'.repeat(1024)}${'中'.repeat(4096)}`, 4096)).toBe(2048);
    expect(clipTail(`a😀${'b'.repeat(10)}`, 11)).toBe('b'.repeat(10));
  });

  it("hands the caller's abort signal to the embedder, so an expired request leaves its queue", async () => {
    const embedder = new LengthRecorder();
    const router = await createRouter({ config, embedder });
    try {
      const abort = new AbortController();
      embedder.signals.length = 0;
      await router.route({ model: 'MoM', messages: [{ role: 'user', content: 'write a poem' }] }, { signal: abort.signal });
      expect(embedder.signals).toEqual([abort.signal]);
    } finally {
      await router.close();
    }
  });
});
