// The public Embedder: loads a local model directory and embeds texts off the event loop.

import { Coalescer } from './coalescer.js';
import { EmbedError } from './errors.js';
import { native, type NativeEmbedder, type NativeLoadOptions } from './native.js';

/** Options of `Embedder.load`. */
export interface EmbedderOptions {
  /** Texts per forward pass for models that batch (default 32). */
  maxBatch?: number;
  /** Matryoshka: run only the first N layers (one of `info.layers`). */
  layer?: number;
  /** Matryoshka: keep only the first D dimensions (one of `info.dims`). */
  dim?: number;
  /** L2-normalise each embedding (default true). */
  normalize?: boolean;
  /** Instruction prefixed by the model's template (Qwen3-Embedding only). */
  instruction?: string;
  /** Threads for the matrix products (default: one per physical core, shared by all embedders). */
  threads?: number;
  /**
   * Precision of the encoder layers' matrix products. `f32` (default) matches the reference
   * implementations within 1e-4. `bf16` rounds weights and the products' inputs to bfloat16 (sums
   * stay f32): about 1.5-1.8x the throughput, vectors within cosine 0.9999 of f32 on MiniLM. It
   * needs AVX-512 BF16 (x86-64); loading with it elsewhere fails with INVALID_ARGUMENT. `int8`
   * stores the layers' weights as int8 with one scale per column and group of 32 inputs
   * (activations and sums stay f32): a quarter of the weight bytes within 10% of f32's speed, vectors
   * within cosine 0.999 of f32 on MiniLM. It needs AVX-512 (x86-64); elsewhere INVALID_ARGUMENT.
   */
  precision?: Precision;
  /**
   * Concurrent `embed` calls share forward passes (up to `maxBatch` texts each): while a pass runs,
   * new calls queue and go together in the next one, each getting exactly its own rows.
   * `maxWaitMs` (default 0) is how long an idle engine waits for company before it starts; 0 starts
   * on the next event-loop turn, so a lone call pays no added latency. `false` turns it off (every
   * call its own pass, running concurrently).
   */
  coalesce?: false | { maxWaitMs?: number };
}

/** Options of one `embed` call. */
export interface EmbedCallOptions {
  /** Aborting it before the call's pass starts takes the call out of the queue (rejects with the reason). */
  signal?: AbortSignal;
}

export type Architecture = 'bert' | 'xlm-roberta' | 'modernbert' | 'qwen3';

/** Precision of the encoder layers' matrix products (see `EmbedderOptions.precision`). */
export type Precision = 'f32' | 'bf16' | 'int8';
export const PRECISIONS: readonly Precision[] = ['f32', 'bf16', 'int8'];

/** What a loaded model is and produces. */
export interface EmbedderInfo {
  architecture: Architecture;
  /** Width of the returned vectors (after any `dim` truncation). */
  dim: number;
  /** Longer inputs are truncated to this many tokens (and reported in `truncated`). */
  maxSeqLen: number;
  /** Whether texts of different lengths share one forward pass. */
  supportsBatched: boolean;
  /** Layers the model may exit at (Matryoshka models only). */
  layers?: number[];
  /** Dimensions the output may be truncated to (Matryoshka models only). */
  dims?: number[];
  /** Precision of the layers' matrix products. */
  precision: Precision;
}

/** Embeddings of a list of texts: `data` is row-major `[texts.length, dim]`. */
export interface Embeddings {
  data: Float32Array;
  dim: number;
  /** Indices of the texts that were cut to `maxSeqLen`. */
  truncated: number[];
}

const INTEGER_OPTIONS = ['maxBatch', 'layer', 'dim', 'threads'] as const;

function checkOptions(options: EmbedderOptions): NativeLoadOptions {
  if (typeof options !== 'object' || options === null) {
    throw new EmbedError('INVALID_ARGUMENT', 'options must be an object');
  }
  for (const key of INTEGER_OPTIONS) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 0xffff_ffff)) {
      throw new EmbedError('INVALID_ARGUMENT', `options.${key} must be a positive integer, got ${String(v)}`);
    }
  }
  if (options.normalize !== undefined && typeof options.normalize !== 'boolean') {
    throw new EmbedError('INVALID_ARGUMENT', `options.normalize must be a boolean, got ${String(options.normalize)}`);
  }
  if (options.instruction !== undefined && typeof options.instruction !== 'string') {
    throw new EmbedError('INVALID_ARGUMENT', 'options.instruction must be a string');
  }
  if (options.precision !== undefined && !PRECISIONS.includes(options.precision)) {
    throw new EmbedError('INVALID_ARGUMENT', `options.precision must be one of ${PRECISIONS.join(', ')}, got ${String(options.precision)}`);
  }
  const out: NativeLoadOptions = {};
  if (options.maxBatch !== undefined) out.maxBatch = options.maxBatch;
  if (options.layer !== undefined) out.layer = options.layer;
  if (options.dim !== undefined) out.dim = options.dim;
  if (options.normalize !== undefined) out.normalize = options.normalize;
  if (options.instruction !== undefined) out.instruction = options.instruction;
  if (options.threads !== undefined) out.threads = options.threads;
  if (options.precision !== undefined) out.precision = options.precision;
  return out;
}

function checkCoalesce(options: EmbedderOptions): { maxWaitMs: number } | false {
  const c = options.coalesce;
  if (c === false) return false;
  if (c === undefined) return { maxWaitMs: 0 };
  if (typeof c !== 'object' || c === null) {
    throw new EmbedError('INVALID_ARGUMENT', `options.coalesce must be false or { maxWaitMs }, got ${String(c)}`);
  }
  const ms = c.maxWaitMs ?? 0;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 1000) {
    throw new EmbedError('INVALID_ARGUMENT', `options.coalesce.maxWaitMs must be a number in 0..1000, got ${String(ms)}`);
  }
  return { maxWaitMs: ms };
}

function checkTexts(texts: unknown): string[] {
  if (!Array.isArray(texts)) throw new EmbedError('INVALID_ARGUMENT', 'texts must be an array of strings');
  texts.forEach((t, i) => {
    if (typeof t !== 'string') {
      throw new EmbedError('INVALID_ARGUMENT', `texts[${i}] must be a string, got ${typeof t}`);
    }
  });
  return texts as string[];
}

/** A local transformer embedding model. Any number may be loaded at once; embeds may overlap. */
export class Embedder {
  readonly info: EmbedderInfo;
  readonly #native: NativeEmbedder;
  readonly #coalescer: Coalescer | undefined;

  private constructor(handle: NativeEmbedder, maxBatch: number, coalesce: { maxWaitMs: number } | false) {
    this.#native = handle;
    this.#coalescer = coalesce ? new Coalescer((texts) => handle.embed(texts), { maxBatch, ...coalesce }) : undefined;
    const i = handle.info;
    this.info = {
      architecture: i.architecture as Architecture,
      dim: i.dim,
      maxSeqLen: i.maxSeqLen,
      supportsBatched: i.supportsBatched,
      ...(i.layers ? { layers: i.layers } : {}),
      ...(i.dims ? { dims: i.dims } : {}),
      precision: i.precision as Precision,
    };
  }

  /** Loads the model in `dir` (Hugging Face layout) off the event loop. */
  static async load(dir: string, options: EmbedderOptions = {}): Promise<Embedder> {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new EmbedError('INVALID_ARGUMENT', 'dir must be a non-empty path string');
    }
    const opts = checkOptions(options);
    const coalesce = checkCoalesce(options);
    try {
      return new Embedder(await native().NativeEmbedder.load(dir, opts), opts.maxBatch ?? 32, coalesce);
    } catch (err) {
      throw EmbedError.fromNative(err);
    }
  }

  /** Loads the model in `dir` synchronously (for scripts). */
  static loadSync(dir: string, options: EmbedderOptions = {}): Embedder {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new EmbedError('INVALID_ARGUMENT', 'dir must be a non-empty path string');
    }
    const opts = checkOptions(options);
    const coalesce = checkCoalesce(options);
    try {
      return new Embedder(native().NativeEmbedder.loadSync(dir, opts), opts.maxBatch ?? 32, coalesce);
    } catch (err) {
      throw EmbedError.fromNative(err);
    }
  }

  /** Embeds `texts` on the libuv thread pool; row `i` of the result is `texts[i]`. */
  async embed(texts: string[], options: EmbedCallOptions = {}): Promise<Embeddings> {
    const checked = checkTexts(texts);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new EmbedError('INVALID_ARGUMENT', 'options.signal must be an AbortSignal');
    }
    try {
      if (this.#coalescer) return await this.#coalescer.submit(checked, signal);
      signal?.throwIfAborted();
      return await this.#native.embed(checked);
    } catch (err) {
      if (signal?.aborted && err === signal.reason) throw err;
      throw EmbedError.fromNative(err);
    }
  }

  /** How many forward passes the coalescing queue ran for how many calls (undefined when off). */
  get coalescing(): Readonly<{ passes: number; calls: number; aborted: number }> | undefined {
    return this.#coalescer?.stats;
  }

  /** Embeds `texts` on the calling thread (blocks the event loop: for scripts). */
  embedSync(texts: string[]): Embeddings {
    const checked = checkTexts(texts);
    try {
      return this.#native.embedSync(checked);
    } catch (err) {
      throw EmbedError.fromNative(err);
    }
  }
}

/** Zero-copy views of each row of `result.data` (`subarray`s sharing its buffer). */
export function rows(result: Pick<Embeddings, 'data' | 'dim'>): Float32Array[] {
  const { data, dim } = result;
  if (dim <= 0 || data.length % dim !== 0) {
    throw new EmbedError('INVALID_ARGUMENT', `data length ${data.length} is not a multiple of dim ${dim}`);
  }
  const out: Float32Array[] = [];
  for (let off = 0; off < data.length; off += dim) out.push(data.subarray(off, off + dim));
  return out;
}
