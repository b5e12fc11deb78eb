// Chooses the learning-state store and the response cache from the config's `state` / `cache`.
import type { LearningStateStore } from './state/types.js';
import type { RouterConfig } from './config/schema.js';
import { createMemoryStateStore } from './state/memory.js';
import { createRedisStateStore } from './state/redis.js';
import { createResponseStore as makeStore, type ResponseStore } from './cache/index.js';

/** The store for learning selectors: in-memory by default, Redis when `state.backend: redis`. */
export async function createStateStore(
  config: RouterConfig,
  onError: (kind: string, err: unknown) => void,
  now?: () => number,
): Promise<LearningStateStore> {
  if (config.state.backend === 'redis') {
    const redis = config.state.redis ?? { url: 'redis://127.0.0.1:6379', key_prefix: 'semroute:' };
    return createRedisStateStore({ url: redis.url, keyPrefix: redis.key_prefix, onError, ...(now ? { now } : {}) });
  }
  return createMemoryStateStore(now ? { now } : {});
}

/** The response store the router's cache plugins use: in-memory by default, Redis when `cache.backend: redis`. */
export function createResponseStore(config: RouterConfig, onError: (kind: string, err: unknown) => void, now?: () => number): ResponseStore {
  const redis = config.cache.redis ?? (config.cache.backend === 'redis' ? { url: 'redis://127.0.0.1:6379', key_prefix: 'semroute:' } : undefined);
  return makeStore({
    backend: config.cache.backend,
    ...(redis ? { redis: { url: redis.url, keyPrefix: redis.key_prefix } } : {}),
    onError,
    ...(now ? { now } : {}),
  });
}
