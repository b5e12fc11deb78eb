// Learning-state stores: the factory type every backend (memory, redis) satisfies.
import type { LearningStateStore } from './types.js';
import { createMemoryStateStore } from './memory.js';
import { createRedisStateStore } from './redis.js';

export interface StateStoreOptions {
  /** Clock for TTLs, ms since epoch (injected for tests). */
  now?: () => number;
}

/** Creates a learning-state store for one router instance. */
export type LearningStateStoreFactory = (options: StateStoreOptions) => LearningStateStore | Promise<LearningStateStore>;

export { MemoryStateStore, createMemoryStateStore, type MemoryStateStoreOptions } from './memory.js';
export * as stateKeys from '../selection/keys.js';

export { RedisStateStore, createRedisStateStore, type RedisStateStoreOptions } from './redis.js';

/** The config's `state:` section. */
export interface StateBackendConfig {
  backend: 'memory' | 'redis';
  redis?: { url: string; key_prefix?: string };
}

export interface StateStoreDeps {
  onError?: (kind: string, err: unknown) => void;
  now?: () => number;
  commandTimeoutMs?: number;
}

/** The learning-state store a config asks for: in-memory by default, Redis when `backend: redis`. */
export async function createStateStore(cfg: StateBackendConfig, deps: StateStoreDeps = {}): Promise<LearningStateStore> {
  if (cfg.backend === 'redis') {
    return createRedisStateStore({
      url: cfg.redis?.url ?? 'redis://127.0.0.1:6379',
      keyPrefix: cfg.redis?.key_prefix ?? 'semroute:',
      ...deps,
    });
  }
  return createMemoryStateStore(deps.now ? { now: deps.now } : {});
}
