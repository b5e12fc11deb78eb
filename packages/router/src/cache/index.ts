// The semantic response cache: exact and semantic lookup by entry key and prompt vector, memory or
// Redis storage. The router keys entries with its decisions' settings and its own prompt embedding;
// `createResponseCache` wraps the same store for use without a router.
import type { ChatCompletionRequest, TextEmbedder } from '../api.js';
import type { CachedResponse, CacheLookupResult, CacheScope, CacheSettings, SemanticCacheApi } from './types.js';
import { normalize } from '../vector.js';
import { entryId, partitionOf, type CacheBackend, type Partition } from './backend.js';
import { cacheKeyParts } from './fingerprint.js';
import { MemoryCacheBackend } from './memory.js';
import { reordersWords } from './word-order.js';
import { RedisCacheBackend } from './redis.js';
import { openRedis } from '../redis/connection.js';

/** Where the answers are kept and how long a lookup may take; settings come with each call. */
export interface ResponseStoreOptions {
  backend: 'memory' | 'redis';
  redis?: { url: string; keyPrefix?: string; commandTimeoutMs?: number };
  /**
   * Budget of one lookup, ms (default 250): past it the lookup is a miss (reported as
   * `cache_timeout`), so a slow Redis never holds a request up for long.
   */
  lookupTimeoutMs?: number;
  /** Partition size from which an HNSW index (hnswlib-node) is built; default 2048, Infinity = exact only. */
  annThreshold?: number;
  /** Non-fatal errors (backend down, embed failure): the operation degrades to a miss / a dropped store. */
  onError?: (kind: string, err: unknown) => void;
  now?: () => number;
}

/** Where one request's answer lives under a decision's settings: the partition and the normalised prompt. */
export interface CacheEntryKey {
  settings: CacheSettings;
  partition: Partition;
  prompt: string;
}

/** The prompt's unit-norm vector, computed only when a semantic lookup or store needs it. */
export type VectorSource = () => Float32Array | Promise<Float32Array>;

/**
 * The router's cache: exact and semantic lookup and store of entry keys, with vectors the caller
 * already has (the router passes the prompt's routing embedding: one embedding per request).
 */
export interface ResponseStore {
  readonly backendKind: 'memory' | 'redis';
  lookup(key: CacheEntryKey, vector: VectorSource): Promise<CacheLookupResult>;
  store(key: CacheEntryKey, vector: VectorSource, response: CachedResponse): Promise<void>;
  /** Resolves when background HNSW builds have finished (tests, benchmarks). */
  whenIndexed(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 250;

/**
 * The entry key of a request under `settings`; undefined when it is not cacheable (no user text,
 * or a per-tenant cache and no tenant: that is not shared as a global one, it is not cached at all).
 */
export function cacheEntryKey(request: ChatCompletionRequest, scope: CacheScope, settings: CacheSettings): CacheEntryKey | undefined {
  if (settings.scopeHeader !== undefined && !scope.tenant) return undefined;
  const parts = cacheKeyParts(request);
  if (!parts) return undefined;
  const tenant = settings.scopeHeader !== undefined ? scope.tenant : undefined;
  return { settings, prompt: parts.prompt, partition: partitionOf(scope.decision, tenant, parts.fingerprint) };
}

/** Creates the response store the router looks answers up in. */
export function createResponseStore(opts: ResponseStoreOptions): ResponseStore {
  return new BackedResponseStore(opts, makeBackend(opts));
}

function makeBackend(opts: ResponseStoreOptions): CacheBackend {
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

class BackedResponseStore implements ResponseStore {
  private readonly now: () => number;
  private readonly onError: (kind: string, err: unknown) => void;

  constructor(
    private readonly opts: ResponseStoreOptions,
    private readonly backend: CacheBackend,
  ) {
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => {});
  }

  get backendKind(): 'memory' | 'redis' {
    return this.backend.kind;
  }

  async lookup(key: CacheEntryKey, vector: VectorSource): Promise<CacheLookupResult> {
    const budget = this.opts.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<CacheLookupResult>((resolve) => {
      timer = setTimeout(() => {
        this.onError('cache_timeout', new Error(`cache lookup took longer than ${budget} ms`));
        resolve({ hit: false });
      }, budget);
    });
    try {
      return await Promise.race([this.lookupNow(key, vector), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async lookupNow({ settings, partition, prompt }: CacheEntryKey, vector: VectorSource): Promise<CacheLookupResult> {
    const miss: CacheLookupResult = { hit: false };
    const now = this.now();
    try {
      if (settings.mode !== 'semantic') {
        const response = await this.backend.getExact(partition, entryId(prompt), now);
        if (response) return { hit: true, kind: 'exact', similarity: 1, response };
        if (settings.mode === 'exact') return miss;
      }
      // A stored prompt with the same words in another order is another question (see word-order.ts).
      const found = await this.backend.nearest(partition, await vector(), settings.similarityThreshold, now, (stored) => !reordersWords(stored, prompt));
      if (found) return { hit: true, kind: 'semantic', similarity: found.similarity, response: found.response };
      return miss;
    } catch (err) {
      this.onError('cache_lookup', err);
      return miss;
    }
  }

  async store({ settings, partition, prompt }: CacheEntryKey, vector: VectorSource, response: CachedResponse): Promise<void> {
    try {
      await this.backend.put(partition, entryId(prompt), prompt, settings.mode === 'exact' ? undefined : await vector(), response, {
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
    await this.backend.close();
  }
}

export interface ResponseCacheOptions extends ResponseStoreOptions {
  /** Settings of the decision's semantic-cache plugin; undefined = no caching for that decision. */
  settingsFor(decision: string): CacheSettings | undefined;
  /** Embeds prompts for semantic lookups and stores (the router does not need this: it has the vector). */
  embedder: TextEmbedder;
}

/** The request-level cache for use without a router: it finds the settings and embeds the prompt itself. */
export type ResponseCache = SemanticCacheApi & {
  readonly backendKind: 'memory' | 'redis';
  /** Resolves when background HNSW builds have finished (tests, benchmarks). */
  whenIndexed(): Promise<void>;
  close(): Promise<void>;
};

/** Prompts embedded recently, so `store` after a missed `lookup` does not embed the same text again. */
const EMBED_MEMO_SIZE = 256;

/** Creates a request-level response cache over a response store (library use without a router; benchmarks). */
export function createResponseCache(opts: ResponseCacheOptions): ResponseCache {
  const store = createResponseStore(opts);
  const memo = new Map<string, Float32Array>();
  const embed = async (prompt: string): Promise<Float32Array> => {
    const known = memo.get(prompt);
    if (known) return known;
    const batch = await opts.embedder.embed([prompt]);
    const vector = normalize(batch.data.subarray(0, batch.dim));
    if (memo.size >= EMBED_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
    memo.set(prompt, vector);
    return vector;
  };
  const keyOf = (request: ChatCompletionRequest, scope: CacheScope) => {
    const settings = opts.settingsFor(scope.decision);
    return settings ? cacheEntryKey(request, scope, settings) : undefined;
  };
  return {
    get backendKind() {
      return store.backendKind;
    },
    async lookup(request, scope) {
      const key = keyOf(request, scope);
      return key ? store.lookup(key, () => embed(key.prompt)) : { hit: false };
    },
    async store(request, response, scope) {
      const key = keyOf(request, scope);
      if (key) await store.store(key, () => embed(key.prompt), response);
    },
    whenIndexed: () => store.whenIndexed(),
    async close() {
      memo.clear();
      await store.close();
    },
  };
}

export { cacheKeyParts, normalizePrompt } from './fingerprint.js';
export { MemoryCacheBackend } from './memory.js';
export { RedisCacheBackend } from './redis.js';
export { FlatIndex } from './flat-index.js';
export { VectorIndex, type VectorIndexOptions } from './vector-index.js';
export type { CacheBackend, Partition } from './backend.js';
