// Model-card embeddings and the prompt-vs-card similarity that makes routing follow meaning.
//
// A card is described by several texts: its whole description, each clause of the description
// (split on sentence ends, commas, semicolons, "and" / "or"), each capability and each example
// prompt. All are embedded once at load.
//
// Similarity is a cosine in the card-centred space: mu = mean of every card text's embedding;
// card_k = unit mean of unit(t - mu) over card k's texts; sim(p, k) = cos(p - mu, card_k).
// Every card description shares a large component ("this text describes an AI model"), and a
// prompt's cosine to it says nothing about which card fits; removing the mean leaves what tells the
// cards apart. With MiniLM and the seed cards this separated the seed's three reference prompts
// by 2-5x wider margins than raw centroid, whole-description or best-clause cosines, and scored
// best on a small development set of our own prompts (not the benchmark set). With fewer than two
// cards there is nothing to contrast and the plain centroid cosine is used.
import type { ModelCard } from '../config/schema.js';
import { centroid, dot, normalize } from '../vector.js';
import type { LoadTimeTexts } from '../load-texts.js';

/** Splits a description into short clauses worth embedding on their own. */
export function descriptionClauses(description: string): string[] {
  return description
    .split(/[.;:!?\n]+|,\s*|\s+and\s+|\s+or\s+/i)
    .map((s) => s.trim().replace(/^(and|or)\s+/i, ''))
    .filter((s) => s.length >= 3);
}

/** Every text that stands for a card (deduplicated, order kept). */
export function cardTexts(card: ModelCard): string[] {
  const texts: string[] = [];
  const desc = card.description?.replace(/\s+/g, ' ').trim();
  if (desc) texts.push(desc, ...descriptionClauses(desc));
  texts.push(...(card.capabilities ?? []), ...(card.examples ?? []));
  if (texts.length === 0) texts.push(card.name); // a card with nothing else still has a name
  return [...new Set(texts)];
}

export class CardIndex implements LoadTimeTexts {
  private readonly texts: Map<string, string[]>;
  private readonly examples: Map<string, Set<string>>;
  private readonly vectors = new Map<string, Float32Array>();
  /** Each card's text vectors as embedded (unit-norm, not centred). */
  private readonly rows = new Map<string, Float32Array[]>();
  /** Mean of all card text embeddings (undefined: no centring). */
  private mu: Float32Array | undefined;

  constructor(cards: ModelCard[]) {
    this.texts = new Map(cards.map((c) => [c.name, cardTexts(c)]));
    this.examples = new Map(cards.map((c) => [c.name, new Set(c.examples ?? [])]));
  }

  /** Texts to embed at load, grouped by card. */
  loadTexts(): string[] {
    return [...this.texts.values()].flat();
  }

  bind(vectors: Float32Array[], dim: number): void {
    this.mu = this.texts.size >= 2 ? mean(vectors, dim) : undefined;
    let at = 0;
    for (const [name, texts] of this.texts) {
      const own = vectors.slice(at, at + texts.length);
      at += texts.length;
      this.rows.set(name, own);
      this.vectors.set(name, centroid(own.map((r) => this.centre(r)), dim));
    }
  }

  /** Card names in config order. */
  names(): string[] {
    return [...this.texts.keys()];
  }

  /** A card's text vectors (every text) and those of its own example prompts. */
  textVectors(card: string): { texts: Float32Array[]; examples: Float32Array[] } {
    const texts = this.texts.get(card) ?? [];
    const rows = this.rows.get(card) ?? [];
    const ex = this.examples.get(card) ?? new Set<string>();
    return { texts: rows, examples: rows.filter((_, i) => ex.has(texts[i]!)) };
  }

  has(card: string): boolean {
    return this.vectors.has(card);
  }

  /** The prompt embedding in the card-centred space (computed once per request). */
  centre(v: Float32Array): Float32Array {
    if (!this.mu) return v;
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i]! - this.mu[i]!;
    return normalize(out);
  }

  /** Cosine of a centred prompt to a card, in [-1, 1]; 0 for a model with no card (the router substitutes a neutral value). */
  similarity(centredPrompt: Float32Array, card: string): number {
    const v = this.vectors.get(card);
    return v ? dot(centredPrompt, v) : 0;
  }
}

function mean(rows: Float32Array[], dim: number): Float32Array {
  const acc = new Float32Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) acc[i]! += r[i]!;
  for (let i = 0; i < dim; i++) acc[i]! /= Math.max(1, rows.length);
  return acc;
}
