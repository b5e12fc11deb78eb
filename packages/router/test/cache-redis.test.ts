// The response cache on Redis, against a real redis-server started for this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisTestServer, type RedisTestServer } from '../../../scripts/redis-test-server.mjs';
import { createResponseCache, type ResponseCache, type ResponseCacheOptions } from '../src/cache/index.js';
import type { CacheSettings } from '../src/cache/types.js';
import { cacheContract } from './cache-contract.js';
import { answer, ask, axis, settings, TableEmbedder, textOf, tilted } from './cache-fixtures.js';

let server: RedisTestServer;
let prefixes = 0;
const open: ResponseCache[] = [];

beforeAll(async () => {
  server = await startRedisTestServer();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server?.stop();
});

/** A cache on this file's server; each call gets its own key prefix unless one is given (replicas share one). */
function redisCache(o: Omit<ResponseCacheOptions, 'backend' | 'redis'>, keyPrefix = `t${++prefixes}:`, commandTimeoutMs?: number): ResponseCache {
  const c = createResponseCache({
    ...o,
    backend: 'redis',
    redis: { url: server.url, keyPrefix, ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}) },
  });
  open.push(c);
  return c;
}

/** Waits until a fresh connection has come up (createResponseCache connects in the background). */
async function ready(cache: ResponseCache): Promise<void> {
  const deadline = Date.now() + 5000;
  const probe = { decision: '__probe__' };
  while (Date.now() < deadline) {
    // A lookup of a decision without settings never touches Redis, so probe with a store + lookup.
    await cache.store(ask('probe'), answer('probe'), probe);
    if ((await cache.lookup(ask('probe'), probe)).hit) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis cache did not become ready');
}

const withProbe = (s: Record<string, CacheSettings>): Record<string, CacheSettings> => ({ ...s, __probe__: settings({ mode: 'exact' }) });

cacheContract('redis', async ({ settings: s, embedder, onError }) => {
  const all = withProbe(s);
  const cache = redisCache({ embedder, settingsFor: (d) => all[d], ...(onError ? { onError } : {}) });
  await ready(cache);
  return cache;
});

// The same contract with every mirrored partition on HNSW, each lookup after its build is done.
cacheContract('redis (hnsw)', async ({ settings: s, embedder, onError }) => {
  const all = withProbe(s);
  const cache = createResponseCache({
    backend: 'redis',
    redis: { url: server.url, keyPrefix: `h${++prefixes}:` },
    embedder,
    settingsFor: (d) => all[d],
    annThreshold: 1,
    ...(onError ? { onError } : {}),
  });
  open.push(cache);
  await ready(cache);
  const lookup = cache.lookup.bind(cache);
  cache.lookup = async (req, scope) => {
    await lookup(req, scope); // brings the mirror up to date and starts its HNSW build
    await cache.whenIndexed();
    return lookup(req, scope);
  };
  return cache;
});

const table = { 'Capital of France?': axis(5), 'What is the capital city of France?': tilted(5, 6, 0.97) };

describe('redis cache', () => {
  it('two replicas share entries, exact and semantic, and see each other\'s evictions', async () => {
    const s = withProbe({ d: settings({ maxEntries: 2 }) });
    const a = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d] }, 'shared:');
    const b = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d] }, 'shared:');
    await ready(a);
    await ready(b);
    const scope = { decision: 'd' };
    expect((await b.lookup(ask('What is the capital city of France?'), scope)).hit).toBe(false); // b mirrors the empty partition
    await a.store(ask('Capital of France?'), answer('Paris'), scope);
    expect(await b.lookup(ask('Capital of France?'), scope)).toMatchObject({ hit: true, kind: 'exact' });
    const sem = await b.lookup(ask('What is the capital city of France?'), scope);
    expect(sem).toMatchObject({ hit: true, kind: 'semantic' });
    expect(textOf(sem.response)).toBe('Paris');
    // Two more entries through replica a push the France entry out (max_entries 2): b must not serve it.
    await a.store(ask('x1'), answer('x1'), scope);
    await a.store(ask('x2'), answer('x2'), scope);
    expect((await b.lookup(ask('What is the capital city of France?'), scope)).hit).toBe(false);
    expect((await b.lookup(ask('x2'), scope)).hit).toBe(true);
  });

  it('a replica loads a large partition in pages and recovers from a trimmed change log', async () => {
    const s = withProbe({ d: settings({ mode: 'semantic', similarityThreshold: 0.999, maxEntries: 10_000 }) });
    const a = redisCache({ embedder: new TableEmbedder({}), settingsFor: (d) => s[d] }, 'big:');
    const b = redisCache({ embedder: new TableEmbedder({}), settingsFor: (d) => s[d] }, 'big:');
    await ready(a);
    await ready(b);
    const scope = { decision: 'd' };
    for (let i = 0; i < 2500; i++) await a.store(ask(`entry ${i}`), answer(`answer ${i}`), scope);
    // b has never seen the partition: a full load over several HSCAN pages.
    expect(textOf((await b.lookup(ask('entry 1234'), scope)).response)).toBe('answer 1234');
    // 3000 more changes overflow the change log (kept to ~2500 entries here) past b's cursor.
    for (let i = 2500; i < 5500; i++) await a.store(ask(`entry ${i}`), answer(`answer ${i}`), scope);
    for (const i of [0, 2499, 2500, 5499]) expect(textOf((await b.lookup(ask(`entry ${i}`), scope)).response), `entry ${i}`).toBe(`answer ${i}`);
  });

  it('expires entries with their TTL, in Redis', async () => {
    const s = withProbe({ d: settings({ ttlSeconds: 1 }) });
    const c = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d] });
    await ready(c);
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    expect((await c.lookup(ask('What is the capital city of France?'), { decision: 'd' })).hit).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await c.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(false);
    expect((await c.lookup(ask('What is the capital city of France?'), { decision: 'd' })).hit).toBe(false);
  });

  it('lays tenants out in separate keys', async () => {
    const s = withProbe({ d: settings({ scopeHeader: 'x-user-id' }) });
    const c = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d] }, 'layout:');
    await ready(c);
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd', tenant: 'alice' });
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd', tenant: 'bob' });
    const r = new Redis(server.url);
    try {
      const keys = (await r.keys('layout:cache:*:e:*')).filter((k) => !k.includes(':t:_:'));
      expect(keys).toHaveLength(2);
      const tenantsOf = new Set(keys.map((k) => k.split(':t:')[1]!.split(':')[0]));
      expect(tenantsOf.size).toBe(2);
      for (const k of await r.keys('layout:cache:*')) expect(k).not.toMatch(/alice|bob/);
    } finally {
      r.disconnect();
    }
  });

  it('Redis down: lookups miss and stores drop at once, errors are reported, and it reconnects by itself', async () => {
    const errors: string[] = [];
    const s = withProbe({ d: settings() });
    const c = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d], onError: (k) => errors.push(k) });
    await ready(c);
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    expect((await c.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(true);

    await server.stop();
    const t0 = Date.now();
    expect((await c.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(false);
    expect((await c.lookup(ask('What is the capital city of France?'), { decision: 'd' })).hit).toBe(false);
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(errors).toContain('cache_lookup');
    expect(errors).toContain('cache_store');

    await server.start();
    await ready(c); // the same cache object, reconnected without help
    await c.store(ask('Capital of France?'), answer('Paris again'), { decision: 'd' });
    expect(textOf((await c.lookup(ask('What is the capital city of France?'), { decision: 'd' })).response)).toBe('Paris again');
  });

  it('a Redis that stops answering costs a lookup at most the command timeout', async () => {
    const errors: string[] = [];
    const s = withProbe({ d: settings() });
    const c = redisCache({ embedder: new TableEmbedder(table), settingsFor: (d) => s[d], onError: (k) => errors.push(k) }, undefined, 100);
    await ready(c);
    await c.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    server.pause();
    try {
      const t0 = Date.now();
      expect((await c.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(false);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(errors).toContain('cache_lookup');
    } finally {
      server.resume();
    }
  });
});
