// The semantic response cache: per-decision settings, exact and semantic lookup, memory or Redis storage.
import type { ChatCompletionRequest, TextEmbedder } from '../api.js';
import type { CachedResponse, CacheLookupResult, CacheScope, CacheSettings, SemanticCacheApi } from './types.js';
import { normalize } from '../vector.js';
import { entryId, partitionOf, type CacheBackend } from './backend.js';
import { cacheKeyParts } from './fingerprint.js';
import { MemoryCacheBackend } from './memory.js';
import { reordersWords } from './word-order.js';
import { RedisCacheBackend } from './redis.js';
import { openRedis } from '../redis/connection.js';

export interface ResponseCacheOptions {
  /** Settings of the decision's semantic-cache plugin; undefined = no caching for that decision. */
  settingsFor(decision: string): CacheSettings | undefined;
  embedder: TextEmbedder;
  backend: 'memory' | 'redis';
  redis?: { url: string; keyPrefix?: string; commandTimeoutMs?: number };
  /**
   * Budget of one lookup, embedding included, ms (default 250): past it the lookup is a miss
   * (reported as `cache_timeout`), so a slow Redis never holds a request up for long.
   */
  lookupTimeoutMs?: number;
  /** Partition size from which an HNSW index (hnswlib-node) is built; default 2048, Infinity = exact only. */
  annThreshold?: number;
  /** Non-fatal errors (backend down, embed failure): the operation degrades to a miss / a dropped store. */
  onError?: (kind: string, err: unknown) => void;
  now?: () => number;
}

export type ResponseCache = SemanticCacheApi & {
  readonly backendKind: 'memory' | 'redis';
  /** Resolves when background HNSW builds have finished (tests, benchmarks). */
  whenIndexed(): Promise<void>;
  close(): Promise<void>;
};

const DEFAULT_LOOKUP_TIMEOUT_MS = 250;

/** Prompts embedded recently, so `store` after a missed `lookup` does not embed the same text again. */
const EMBED_MEMO_SIZE = 256;

/** Creates the response cache (library API `router.cache`). */
export function createResponseCache(opts: ResponseCacheOptions): ResponseCache {
  const backend = makeBackend(opts);
  return new SemanticResponseCache(opts, backend);
}

function makeBackend(opts: ResponseCacheOptions): CacheBackend {
  const index = {
    ...(opts.annThreshold !== undefined ? { annThreshold: opts.annThreshold } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
  };
  if (opts.backend === 'memory') return new MemoryCacheBackend(index);
  if (opts.backend !== 'redis') throw new Error(`cache.backend: expected memory or redis, got ${String(opts.backend)}`);
  if (!opts.redis?.url) throw new Error('cache.backend redis: cache.redis.url is required');
  // Connects in the background: until it is ready, lookups are misses and stores are dropped.
  const client = openRedis({
    url: opts.redis.url,
    ...(opts.redis.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.redis.commandTimeoutMs } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
    errorKind: 'cache_redis',
  });
  return new RedisCacheBackend(client, {
    ...(opts.redis.keyPrefix !== undefined ? { keyPrefix: opts.redis.keyPrefix } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
    index,
  });
}

class SemanticResponseCache implements SemanticCacheApi {
  private readonly now: () => number;
  private readonly onError: (kind: string, err: unknown) => void;
  private readonly memo = new Map<string, Float32Array>();

  constructor(
    private readonly opts: ResponseCacheOptions,
    private readonly backend: CacheBackend,
  ) {
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => {});
  }

  get backendKind(): 'memory' | 'redis' {
    return this.backend.kind;
  }

  async lookup(request: ChatCompletionRequest, scope: CacheScope): Promise<CacheLookupResult> {
    const budget = this.opts.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<CacheLookupResult>((resolve) => {
      timer = setTimeout(() => {
        this.onError('cache_timeout', new Error(`cache lookup took longer than ${budget} ms`));
        resolve({ hit: false });
      }, budget);
    });
    try {
      return await Promise.race([this.lookupNow(request, scope), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async lookupNow(request: ChatCompletionRequest, scope: CacheScope): Promise<CacheLookupResult> {
    const miss: CacheLookupResult = { hit: false };
    const plan = this.plan(request, scope);
    if (!plan) return miss;
    const { settings, partition, prompt } = plan;
    const now = this.now();
    try {
      if (settings.mode !== 'semantic') {
        const response = await this.backend.getExact(partition, entryId(prompt), now);
        if (response) return { hit: true, kind: 'exact', similarity: 1, response };
        if (settings.mode === 'exact') return miss;
      }
      const vector = await this.embed(prompt);
      // A stored prompt with the same words in another order is another question (see word-order.ts).
      const found = await this.backend.nearest(partition, vector, settings.similarityThreshold, now, (stored) => !reordersWords(stored, prompt));
      if (found) return { hit: true, kind: 'semantic', similarity: found.similarity, response: found.response };
      return miss;
    } catch (err) {
      this.onError('cache_lookup', err);
      return miss;
    }
  }

  async store(request: ChatCompletionRequest, response: CachedResponse, scope: CacheScope): Promise<void> {
    const plan = this.plan(request, scope);
    if (!plan) return;
    const { settings, partition, prompt } = plan;
    try {
      const vector = settings.mode === 'exact' ? undefined : await this.embed(prompt);
      await this.backend.put(partition, entryId(prompt), prompt, vector, response, {
        ttlMs: settings.ttlSeconds * 1000,
        maxEntries: settings.maxEntries,
        now: this.now(),
      });
    } catch (err) {
      this.onError('cache_store', err);
    }
  }

  whenIndexed(): Promise<void> {
    return this.backend.whenIndexed();
  }

  async close(): Promise<void> {
    this.memo.clear();
    await this.backend.close();
  }

  /** Settings, partition and prompt of a request, or undefined when it is not cacheable. */
  private plan(request: ChatCompletionRequest, scope: CacheScope) {
    const settings = this.opts.settingsFor(scope.decision);
    if (!settings) return undefined;
    // A per-tenant cache without a tenant is not shared as a global one: it is not cached at all.
    if (settings.scopeHeader !== undefined && !scope.tenant) return undefined;
    const parts = cacheKeyParts(request);
    if (!parts) return undefined;
    const tenant = settings.scopeHeader !== undefined ? scope.tenant : undefined;
    return { settings, prompt: parts.prompt, partition: partitionOf(scope.decision, tenant, parts.fingerprint) };
  }

  private async embed(prompt: string): Promise<Float32Array> {
    const known = this.memo.get(prompt);
    if (known) return known;
    const batch = await this.opts.embedder.embed([prompt]);
    const vector = normalize(batch.data.subarray(0, batch.dim));
    if (this.memo.size >= EMBED_MEMO_SIZE) this.memo.delete(this.memo.keys().next().value as string);
    this.memo.set(prompt, vector);
    return vector;
  }
}

export { cacheKeyParts, normalizePrompt } from './fingerprint.js';
export { MemoryCacheBackend } from './memory.js';
export { RedisCacheBackend } from './redis.js';
export { FlatIndex } from './flat-index.js';
export { VectorIndex, type VectorIndexOptions } from './vector-index.js';
export type { CacheBackend, Partition } from './backend.js';
