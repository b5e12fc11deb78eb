// A lexical view of the task library: which task types a prompt's words look like.
//
// Mean-pooled sentence vectors mostly say what a prompt is about (its topic); the words that say
// what is asked of the model ("convert", "how many minutes", "tighten this", "define", a pasted
// stack trace's punctuation) weigh little in them. This model reads those directly: a multinomial
// logistic regression over the prompt's words, word pairs and character trigrams, trained on the
// library's prompts at load. Its P(task | words) is blended into the embedding's P(task | prompt)
// (see TaskRouting and docs/selection.md).
import { shuffle, type Rng } from '../selection/random.js';

export interface LexicalParams {
  /** Passes over the training prompts. */
  epochs: number;
  /** Step size (Adagrad). */
  learningRate: number;
  /** L2 penalty per step. */
  l2: number;
  /** Features seen in fewer training prompts are dropped. */
  minCount: number;
  /** Softmax temperature of the class scores at prediction. */
  temperature: number;
  /** Scale of the prompt embedding as dense features (0: words only). */
  dense: number;
}

export const DEFAULT_LEXICAL_PARAMS: LexicalParams = {
  epochs: 6,
  learningRate: 0.2,
  l2: 1e-5,
  minCount: 2,
  temperature: 1,
  dense: 1,
};

/** The feature strings of a text: words, word pairs, symbols and character trigrams of words. */
export function lexicalFeatures(text: string): string[] {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const out = new Set<string>();
  let prev = '^';
  for (const t of tokens) {
    out.add(`w:${t}`);
    out.add(`b:${prev} ${t}`);
    prev = t;
    if (t.length > 3) {
      const w = `<${t}>`;
      for (let i = 0; i + 3 <= w.length; i++) out.add(`c:${w.slice(i, i + 3)}`);
    }
  }
  out.add(`b:${prev} $`);
  // Length bucket: a three-word question and a pasted paragraph ask for different things.
  out.add(`len:${Math.min(6, Math.floor(Math.log2(1 + tokens.length)))}`);
  return [...out];
}

export class LexicalTaskModel {
  private readonly vocab = new Map<string, number>();
  /**
   * Weights, row-major with `classes` columns: one row per kept feature, then the bias row, then
   * one row per embedding dimension (the dense part).
   */
  private w: Float32Array;

  /**
   * Builds the vocabulary (features of at least `minCount` of `texts`); the weights start at zero:
   * `train` them, or `load` trained ones (the vector cache keeps them between starts).
   * @param dim embedding dimension of the dense part (0: words only)
   */
  constructor(
    texts: string[],
    readonly classes: number,
    readonly dim: number,
    private readonly params: LexicalParams = DEFAULT_LEXICAL_PARAMS,
  ) {
    const counts = new Map<string, number>();
    for (const t of texts) for (const f of lexicalFeatures(t)) counts.set(f, (counts.get(f) ?? 0) + 1);
    for (const [f, n] of counts) if (n >= params.minCount) this.vocab.set(f, this.vocab.size);
    this.w = new Float32Array(this.rows * classes);
  }

  /** The weights (see `load`), row-major: kept features, the bias, then the embedding dimensions. */
  get weights(): Float32Array {
    return this.w;
  }

  /** Rows of `weights`. */
  get rows(): number {
    return this.vocab.size + 1 + this.dim;
  }

  /** What the trained weights depend on besides the texts and labels (for a cache key). */
  get signature(): string {
    const { epochs, learningRate, l2, minCount, dense } = this.params;
    return `lexical-v1:${this.vocab.size}:${this.classes}:${this.dim}:${epochs}:${learningRate}:${l2}:${minCount}:${dense}`;
  }

  /** Takes trained weights (`weights` of a model built on the same texts and params) as its own. */
  load(weights: Float32Array): void {
    if (weights.length !== this.w.length) throw new Error(`lexical model: ${weights.length} weights, expected ${this.w.length}`);
    this.w = weights;
  }

  /**
   * Multinomial logistic regression by Adagrad, deterministic (seeded shuffle).
   * @param texts the training prompts (those the vocabulary was built from)
   * @param labels class of each prompt, < classes
   * @param vectors unit-norm embedding of each prompt (used when dim > 0)
   */
  train(texts: string[], labels: number[], vectors: Float32Array[] = []): void {
    const { epochs, learningRate, l2, dense } = this.params;
    const C = this.classes;
    const F = this.vocab.size;
    const D = this.dim;
    if (D > 0 && vectors.length !== texts.length) throw new Error(`lexical model: ${vectors.length} vectors for ${texts.length} texts`);
    const w = this.w;
    w.fill(0);
    const g2 = new Float32Array(w.length).fill(1e-8);
    const rows = texts.map((t) => this.encode(lexicalFeatures(t)));
    const z = new Float64Array(C);
    // xorshift32 (the seed and generator the shipped defaults were chosen and measured with).
    let seed = 0x9e3779b9;
    const rng: Rng = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const order = rows.map((_, i) => i);
    const step = (at: number, g: number) => {
      const gg = g + l2 * w[at]!;
      g2[at]! += gg * gg;
      w[at]! -= (learningRate * gg) / Math.sqrt(g2[at]!);
    };
    for (let e = 0; e < epochs; e++) {
      for (const r of shuffle(order, rng)) {
        const x = rows[r]!;
        const v = D > 0 ? vectors[r] : undefined;
        this.scores(x, v, z, 1);
        const y = labels[r]!;
        const xs = x.length > 0 ? 1 / Math.sqrt(x.length) : 0;
        for (let c = 0; c < C; c++) {
          const grad = z[c]! - (c === y ? 1 : 0);
          if (Math.abs(grad) < 1e-6) continue;
          for (const id of x) step(id * C + c, grad * xs);
          step(F * C + c, grad);
          if (v) for (let j = 0; j < D; j++) step((F + 1 + j) * C + c, grad * dense * v[j]!);
        }
      }
    }
  }

  private encode(fs: string[]): Int32Array {
    const ids: number[] = [];
    for (const f of fs) {
      const id = this.vocab.get(f);
      if (id !== undefined) ids.push(id);
    }
    return Int32Array.from(ids);
  }

  /** Softmax (at `temperature`) of the class scores of encoded features and an embedding, into z. */
  private scores(x: Int32Array, v: Float32Array | undefined, z: Float64Array, temperature: number): void {
    const C = this.classes;
    const F = this.vocab.size;
    const w = this.w;
    const xs = x.length > 0 ? 1 / Math.sqrt(x.length) : 0;
    for (let c = 0; c < C; c++) z[c] = w[F * C + c]!;
    for (const id of x) {
      const base = id * C;
      for (let c = 0; c < C; c++) z[c]! += xs * w[base + c]!;
    }
    if (v && this.dim > 0) {
      const d = this.params.dense;
      for (let j = 0; j < this.dim; j++) {
        const base = (F + 1 + j) * C;
        const vj = d * v[j]!;
        for (let c = 0; c < C; c++) z[c]! += vj * w[base + c]!;
      }
    }
    let top = -Infinity;
    for (let c = 0; c < C; c++) top = Math.max(top, z[c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      z[c] = Math.exp((z[c]! - top) / temperature);
      sum += z[c]!;
    }
    for (let c = 0; c < C; c++) z[c]! /= sum;
  }

  /** P(class | text, embedding); the embedding is ignored by a words-only model. */
  probs(text: string, embedding?: Float32Array): Float64Array {
    const z = new Float64Array(this.classes);
    this.scores(this.encode(lexicalFeatures(text)), embedding, z, this.params.temperature);
    return z;
  }

  /** Number of features kept. */
  get features(): number {
    return this.vocab.size;
  }
}
