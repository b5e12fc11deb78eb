// Builds the task-aware card scoring for a config: loads the task library, embeds its prompts (once
// per model and library version, cached on disk), and binds it to the config's cards.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { TextEmbedder } from '../api.js';
import type { CardIndex } from '../cards/index.js';
import type { TaskLibraryConfig } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { rowsOf } from '../vector.js';
import { loadTaskLibrary, TaskLibraryError, type TaskLibrary } from './load.js';
import { cachedVectors, type CacheOutcome } from './vector-cache.js';
import { TaskRouting } from './task-routing.js';

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
      rowsOf(b.data, b.dim, ids.length).forEach((r, j) => out.set(r, ids[j]! * dim));
    }
    return out;
  };
  const key = { model: await embedderFingerprint(o.embedder, o.instruction), data: `${library.version}:${library.hash}` };
  const { data, outcome } = await cachedVectors(o.cacheDir === false ? undefined : o.cacheDir, key, texts.length, dim, compute, (err) =>
    o.onError('task_library_cache', err),
  );
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => data.subarray((from + i) * dim, (from + i + 1) * dim));
  const n = library.prompts.length;
  const t = library.tasks.length;
  const routing = new TaskRouting(
    library,
    rows(0, n),
    rows(n, t),
    o.cards.names().map((name) => ({ name, ...o.cards.textVectors(name) })),
    dim,
    undefined,
    rows(n + t, library.groups.length),
  );
  return { routing, library, cache: outcome, ms: performance.now() - start };
}
