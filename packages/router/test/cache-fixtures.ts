// Shared pieces of the response-cache tests: a table-driven fake embedder and request builders.
import { createHash } from 'node:crypto';
import type { ChatCompletionRequest, EmbeddingBatch, TextEmbedder } from '../src/api.js';
import type { CachedResponse, CacheSettings } from '../src/cache/types.js';

export const DIM = 16;

/** Unit vector along axis `i`, tilted towards axis `j` so that its cosine with axis `i` is `cos`. */
export function tilted(i: number, j: number, cos: number): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[i] = cos;
  v[j] = Math.sqrt(1 - cos * cos);
  return v;
}

export function axis(i: number): number[] {
  return tilted(i, (i + 1) % DIM, 1);
}

/** Embeds listed texts to given vectors and any other text to a hash-derived one; counts calls. */
export class TableEmbedder implements TextEmbedder {
  readonly info = { architecture: 'table', dim: DIM, maxSeqLen: 512, supportsBatched: true };
  calls = 0;
  fail = false;
  constructor(private readonly table: Record<string, number[]>) {}

  async embed(texts: string[]): Promise<EmbeddingBatch> {
    this.calls++;
    if (this.fail) throw new Error('embedder failed');
    const data = new Float32Array(texts.length * DIM);
    texts.forEach((t, r) => {
      data.set(this.table[t] ?? hashed(t), r * DIM);
    });
    return { data, dim: DIM, truncated: [] };
  }
}

function hashed(text: string): number[] {
  const h = createHash('sha256').update(text).digest();
  const v = Array.from({ length: DIM }, (_, i) => (h[i]! - 127.5) / 127.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export const settings = (over: Partial<CacheSettings> = {}): CacheSettings => ({
  mode: 'exact_then_semantic',
  similarityThreshold: 0.9,
  ttlSeconds: 3600,
  maxEntries: 1000,
  ...over,
});

export const ask = (text: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'MoM',
  messages: [{ role: 'user', content: text }],
  ...extra,
});

export const answer = (text: string, model = 'gpt-4o'): CachedResponse => ({
  body: { id: 'chatcmpl-1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] },
  model,
  createdAt: 1_700_000_000_000,
});

/** The assistant text of a cached body built by `answer`. */
export function textOf(r: CachedResponse | undefined): string | undefined {
  const body = r?.body as { choices?: Array<{ message?: { content?: string } }> } | undefined;
  return body?.choices?.[0]?.message?.content;
}
