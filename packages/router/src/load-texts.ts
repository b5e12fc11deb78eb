// Texts embedded once at config load, then bound to their vectors. Model cards, the domain
// classifier and every signal implement this one interface, and the router embeds all of them in
// one pass (`embedLoadTexts`): batches cross owners, each owner gets back exactly its own rows.
import type { TextEmbedder } from './api.js';
import { rowsOf } from './vector.js';

export interface LoadTimeTexts {
  /** Texts to embed at load, in the order `bind` receives their vectors (empty: nothing to embed). */
  loadTexts(): string[];
  /** The unit-norm vectors of `loadTexts()`, same order; `dim` is the embedding size. */
  bind(vectors: Float32Array[], dim: number): void;
}

/** Embeds every owner's load texts in batches of at most `maxBatch`, then binds each owner's rows. */
export async function embedLoadTexts(embedder: TextEmbedder, owners: LoadTimeTexts[], maxBatch: number): Promise<void> {
  const texts = owners.map((o) => o.loadTexts());
  const vectors = await embedAll(embedder, texts.flat(), maxBatch);
  let at = 0;
  owners.forEach((o, i) => {
    const n = texts[i]!.length;
    if (n > 0) o.bind(vectors.slice(at, at + n), embedder.info.dim);
    at += n;
  });
}

/** Embeds texts in calls of at most `maxBatch` texts; returns unit-norm rows. */
export async function embedAll(embedder: TextEmbedder, texts: string[], maxBatch: number, signal?: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += maxBatch) {
    const chunk = texts.slice(i, i + maxBatch);
    const b = await (signal ? embedder.embed(chunk, { signal }) : embedder.embed(chunk));
    out.push(...rowsOf(b.data, b.dim, chunk.length));
  }
  return out;
}
