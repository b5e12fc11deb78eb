// Contracts of the response cache: scopes, entries, lookups, per-decision settings, and what
// `router.route()` answers about the cache (a hit, or a ticket to store the upstream's answer).
import type { ChatCompletionRequest } from '../api.js';

export interface CacheScope {
  /** Tenant / user partition; entries never cross scopes. */
  tenant?: string;
  /** Decision whose cache settings apply. */
  decision: string;
}

export interface CachedResponse {
  /** The full (non-streamed) OpenAI chat completion JSON body. */
  body: unknown;
  /** Model that produced it. */
  model: string;
  createdAt: number;
}

export interface CacheLookupResult {
  hit: boolean;
  kind?: 'exact' | 'semantic';
  similarity?: number;
  response?: CachedResponse;
}

export interface SemanticCacheApi {
  lookup(request: ChatCompletionRequest, scope: CacheScope): Promise<CacheLookupResult>;
  store(request: ChatCompletionRequest, response: CachedResponse, scope: CacheScope): Promise<void>;
}

export interface CacheSettings {
  mode: 'exact' | 'semantic' | 'exact_then_semantic';
  similarityThreshold: number;
  ttlSeconds: number;
  maxEntries: number;
  /** Header that carries the tenant / user scope, or undefined for a global cache. */
  scopeHeader?: string;
}

/**
 * What a cache miss hands the caller of `route()`: the scope, the request's entry and the prompt's
 * vector from routing, so storing the upstream's answer needs no settings and no second embedding.
 */
export interface CacheTicket {
  readonly scope: CacheScope;
  /** Stores the complete (non-streamed) completion; never rejects (failures go to onError as `cache_store`). */
  store(response: CachedResponse): Promise<void>;
}

/** The semantic cache's part of a decision, present when `ctx.cache` asked for it and the decision has a cache plugin. */
export type RouteCache =
  /** Answer with `response` instead of calling the model. */
  | { result: 'hit'; kind: 'exact' | 'semantic'; similarity: number; response: CachedResponse }
  /** Not cached: forward the request, then `ticket.store(answer)`; no ticket when the request cannot be cached. */
  | { result: 'miss'; ticket?: CacheTicket }
  /** The lookup could not finish before `ctx.cacheDeadline`: forward the request, store nothing. */
  | { result: 'skipped' };
