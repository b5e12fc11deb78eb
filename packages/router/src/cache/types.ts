// Contracts of the response cache: scopes, entries, lookups, per-decision settings.
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
