// Test helpers for the routing tests: a deterministic bag-of-words embedder (no model needed).
import type { EmbeddingBatch, TextEmbedder } from '../src/api.js';

const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'and', 'or', 'for', 'me', 'is', 'what', 'with', 'at', 'on', 'my', 'i', 'you', 'it', 'be']);

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Lower-case word stems (crude: strips a plural / -ing / -ed ending). */
export function stems(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((w) => !STOP.has(w))
    .map((w) => w.replace(/(ing|ed|es|s)$/, '') || w);
}

/** Hashes stems into a fixed-size vector: texts sharing words get cosine > 0. Counts calls. */
export class FakeEmbedder implements TextEmbedder {
  readonly info = { architecture: 'fake-bow', dim: 128, maxSeqLen: 512, supportsBatched: true };
  calls: string[][] = [];

  async embed(texts: string[]): Promise<EmbeddingBatch> {
    this.calls.push(texts);
    const dim = this.info.dim;
    const data = new Float32Array(texts.length * dim);
    texts.forEach((t, r) => {
      const row = data.subarray(r * dim, (r + 1) * dim);
      for (const w of stems(t)) row[hash(w) % dim]! += 1;
      let n = 0;
      for (const x of row) n += x * x;
      n = Math.sqrt(n) || 1;
      for (let i = 0; i < dim; i++) row[i]! /= n;
    });
    return { data, dim, truncated: [] };
  }
}

/** Every text embeds to the same unit vector: for tests about outcomes and state, not routing. */
export function constantEmbedder(): TextEmbedder {
  return {
    info: { architecture: 'fake', dim: 4, maxSeqLen: 64, supportsBatched: true },
    async embed(texts: string[]): Promise<EmbeddingBatch> {
      const data = new Float32Array(texts.length * 4);
      for (let i = 0; i < texts.length; i++) data[i * 4] = 1;
      return { data, dim: 4, truncated: [] };
    },
  };
}

export const chat = (text: string, model = 'MoM') => ({ model, messages: [{ role: 'user', content: text }] });
