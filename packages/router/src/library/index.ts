// Builds the task-aware card scoring for a config: loads the task library, embeds its prompts (once
// per model and library version, cached on disk), and binds it to the config's cards.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { TextEmbedder } from '../api.js';
import type { CardIndex } from '../cards/index.js';
import type { TaskLibraryConfig } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { dot, normalize, rowsOf } from '../vector.js';
import { loadTaskLibrary, TaskLibraryError, type TaskLibrary } from './load.js';
import { cachedVectors, type CacheOutcome } from './vector-cache.js';
import { TaskRouting, type TaskScores } from './task-routing.js';
import { LexicalTaskModel } from './lexical.js';

export { loadTaskLibrary, BUNDLED_LIBRARY_DIR, TaskLibraryError, type TaskLibrary, type TaskType, type LibrarySplit } from './load.js';
export { TaskRouting, type TaskScores } from './task-routing.js';

/** Default vector cache: per user, under the OS temporary directory. */
export function defaultCacheDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `semroute-cache-${uid}`);
}

export interface TaskRoutingLoad {
  routing: TaskRouting;
  library: TaskLibrary;
  cache: CacheOutcome;
  /** Milliseconds spent loading (reading, embedding or reading the cache, binding). */
  ms: number;
}

const PROBE = ['semroute embedder fingerprint', 'The quick brown fox jumps over the lazy dog.', 'def f(x):\n    return x * 2'];

/**
 * Identifies an embedder by what it computes: its info plus its vectors for a few fixed texts
 * (rounded, so thread-count noise does not change the key). New weights, layer, dim or
 * instruction give a new key, and the library is embedded again.
 */
export async function embedderFingerprint(embedder: TextEmbedder, instruction: string | undefined): Promise<string> {
  const b = await embedder.embed(PROBE.map((t) => `${instruction ?? ''}${t}`));
  const h = createHash('sha256').update(JSON.stringify({ ...embedder.info, instruction: instruction ?? '' }));
  for (const x of b.data) h.update(`${Math.round(x * 1000)},`);
  return h.digest('hex');
}

export interface BuildTaskRoutingOptions {
  settings: TaskLibraryConfig;
  configDir: string;
  embedder: TextEmbedder;
  cards: CardIndex;
  instruction: string | undefined;
  maxBatch: number;
  /** Directory of the vector cache; false disables it. */
  cacheDir: string | false;
  onError: (kind: string, err: unknown) => void;
}

/** Loads and binds the task library; undefined when `task_library.enabled` is false. */
export async function buildTaskRouting(o: BuildTaskRoutingOptions): Promise<TaskRoutingLoad | undefined> {
  if (!o.settings.enabled) return undefined;
  const start = performance.now();
  let library: TaskLibrary;
  try {
    library = loadTaskLibrary(o.settings.path ? { dir: path.resolve(o.configDir, o.settings.path) } : {});
  } catch (err) {
    if (err instanceof TaskLibraryError) {
      throw new ConfigError([{ path: o.settings.path ? 'routing.task_library.path' : 'routing.task_library', message: err.message }], undefined, {
        cause: err,
      });
    }
    throw err;
  }
  const dim = o.embedder.info.dim;
  const texts = [
    ...library.prompts.map((p) => `${o.instruction ?? ''}${p.text}`),
    ...library.tasks.map((t) => `${t.name}: ${t.description}`),
    ...library.groups.map((g) => `${g.name}: ${g.description}`),
  ];
  const compute = async () => {
    // Batches of texts of similar length: a batch is padded to its longest text, so sorting by
    // length first cuts the padding work (the library runs from three words to pasted code).
    const order = [...texts.keys()].sort((a, b) => texts[a]!.length - texts[b]!.length);
    const out = new Float32Array(texts.length * dim);
    for (let i = 0; i < order.length; i += o.maxBatch) {
      const ids = order.slice(i, i + o.maxBatch);
      const b = await o.embedder.embed(ids.map((id) => texts[id]!));
      rowsOf(b.data, b.dim, ids.length).forEach((r, j) => {
        out.set(r, ids[j]! * dim);
      });
    }
    return out;
  };
  const key = { model: await embedderFingerprint(o.embedder, o.instruction), data: `${library.version}:${library.hash}` };
  const { data, outcome } = await cachedVectors(o.cacheDir === false ? undefined : o.cacheDir, key, texts.length, dim, compute, (err) =>
    o.onError('task_library_cache', err),
  );
  const n = library.prompts.length;
  const t = library.tasks.length;
  const mean = anisotropyMean(data.subarray(0, n * dim), dim, n);
  const fix = (v: Float32Array) => (mean ? centred(v, mean) : v);
  const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => fix(data.subarray((from + i) * dim, (from + i + 1) * dim)));
  const cards = o.cards.names().map((name) => {
    const v = o.cards.textVectors(name);
    return { name, texts: v.texts.map(fix), examples: v.examples.map(fix) };
  });
  const promptRows = rows(0, n);
  // The lexical model (words + the prompt vector -> task type) is trained once per model and
  // library version, like the vectors it reads, and kept in the same cache.
  const promptTexts = library.prompts.map((p) => p.text);
  const lexical = new LexicalTaskModel(promptTexts, t, dim);
  const trained = await cachedVectors(
    o.cacheDir === false ? undefined : o.cacheDir,
    { model: key.model, data: `${key.data}:${lexical.signature}` },
    lexical.rows,
    lexical.classes,
    async () => {
      lexical.train(
        promptTexts,
        library.prompts.map((p) => p.task),
        promptRows,
      );
      return lexical.weights;
    },
    (err) => o.onError('task_library_cache', err),
  );
  lexical.load(trained.data); // its own array when just trained, the cache's when read
  const args = [library, promptRows, rows(n, t), cards, dim, undefined, rows(n + t, library.groups.length), lexical] as const;
  const routing = mean ? new CentredTaskRouting(mean, ...args) : new TaskRouting(...args);
  return { routing, library, cache: outcome, ms: performance.now() - start };
}

/**
 * Above this expected cosine of two unrelated library prompts (|m|^2, m the mean of their unit
 * vectors), the embedding space is taken as anisotropic and centred (see `anisotropyMean`).
 */
export const ANISOTROPY_LIMIT = 0.25;

/**
 * The task library's thresholds and temperatures (minRelatedness, the softmax temperatures over
 * cosines) are on the scale of a near-isotropic space, where two unrelated prompts score cosine
 * about 0 (all-MiniLM-L6-v2: 0.03 on the library's prompts). Encoders trained contrastively at a
 * low temperature (e5, bge, gte) put every text in a narrow cone instead (multilingual-e5-small:
 * 0.80): there every card-to-task match is within a few hundredths of every other, no card
 * relates to any task and the library changes nothing. Returns the mean m of the library's prompt
 * vectors when |m|^2 (the expected cosine of two of them) exceeds ANISOTROPY_LIMIT, else
 * undefined; with m, every vector the library compares (prompts, labels, card texts and the
 * routed prompt) is taken as unit(v - m), which puts unrelated texts back near cosine 0.
 */
export function anisotropyMean(data: Float32Array, dim: number, count: number): Float32Array | undefined {
  if (count < 2) return undefined;
  const m = new Float32Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) m[j]! += data[i * dim + j]!;
  for (let j = 0; j < dim; j++) m[j]! /= count;
  return dot(m, m) > ANISOTROPY_LIMIT ? m : undefined;
}

function centred(v: Float32Array, mean: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! - mean[i]!;
  return normalize(out);
}

/** TaskRouting in the centred space: the routed prompt is centred like everything it meets. */
class CentredTaskRouting extends TaskRouting {
  private readonly mean: Float32Array;
  constructor(mean: Float32Array, ...args: ConstructorParameters<typeof TaskRouting>) {
    super(...args);
    this.mean = mean;
  }

  override score(embedding: Float32Array, direct: (card: string) => number, text?: string): TaskScores {
    return super.score(centred(embedding, this.mean), direct, text);
  }
}
