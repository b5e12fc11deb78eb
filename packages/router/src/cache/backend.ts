// The storage seam under the response cache: the memory and Redis backends implement it.
import type { CachedResponse } from './types.js';
import { sha256 } from './fingerprint.js';

/**
 * Where an entry lives. Tenant and fingerprint are parts of the key itself, so isolation is by
 * key layout: a lookup only ever reads its own partition, never filters a shared one.
 */
export interface Partition {
  /** Hashed decision name: the unit of `max_entries` (LRU across the decision's partitions). */
  decision: string;
  /** `${decision}:t:${tenant}:f:${fingerprint}`, all hex or `_`. */
  key: string;
}

export interface NearestHit {
  response: CachedResponse;
  similarity: number;
}

export interface PutOptions {
  ttlMs: number;
  maxEntries: number;
  now: number;
}

export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  /** The live entry `id` of a partition, refreshing its LRU position. */
  getExact(p: Partition, id: string, now: number): Promise<CachedResponse | undefined>;
  /**
   * The most similar live entry with cosine >= minSimilarity (unit-norm vectors) whose stored
   * prompt `accept`s; rejected candidates are skipped for the next best.
   */
  nearest(p: Partition, vector: Float32Array, minSimilarity: number, now: number, accept: (storedPrompt: string) => boolean): Promise<NearestHit | undefined>;
  /** Insert or replace an entry; evicts expired entries, then least recently used past maxEntries. */
  put(p: Partition, id: string, prompt: string, vector: Float32Array | undefined, response: CachedResponse, opts: PutOptions): Promise<void>;
  /** Resolves when background index builds have finished (tests, benchmarks). */
  whenIndexed(): Promise<void>;
  close(): Promise<void>;
}

/** Partition of a decision, tenant (undefined = global) and request fingerprint. */
export function partitionOf(decision: string, tenant: string | undefined, fingerprint: string): Partition {
  const d = sha256(`decision\u0000${decision}`).slice(0, 16);
  // `_` is not hex, so the global partition can never equal a tenant's.
  const t = tenant === undefined ? '_' : sha256(`tenant\u0000${tenant}`).slice(0, 32);
  return { decision: d, key: `${d}:t:${t}:f:${fingerprint.slice(0, 32)}` };
}

/** Entry id of a normalised prompt within its partition. */
export function entryId(prompt: string): string {
  return sha256(`prompt\u0000${prompt}`).slice(0, 32);
}
