// Long prompts are cut to the embedding model's token budget before tokenising (issue 9): a 1 MB
// prompt must cost the tokenizer what a few KB do.
import { describe, expect, it } from 'vitest';
import { createRouter, type EmbeddingBatch, type TextEmbedder } from '../src/index.js';
import { CHARS_PER_TOKEN_BUDGET, clipToTokenBudget } from '../src/text/prompt.js';

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
