// The response cache on its in-memory backend.
import { describe, expect, it } from 'vitest';
import { createResponseCache } from '../src/cache/index.js';
import { cacheKeyParts } from '../src/cache/fingerprint.js';
import { FlatIndex } from '../src/cache/flat-index.js';
import { reordersWords } from '../src/cache/word-order.js';
import { cacheContract } from './cache-contract.js';
import { answer, ask, settings, TableEmbedder, textOf } from './cache-fixtures.js';

cacheContract('memory', async ({ settings: s, embedder, onError }) =>
  createResponseCache({ backend: 'memory', embedder, settingsFor: (d) => s[d], ...(onError ? { onError } : {}) }),
);

// The same contract with every partition on HNSW, each lookup after the background build is done.
cacheContract('memory (hnsw)', async ({ settings: s, embedder, onError }) => {
  const cache = createResponseCache({ backend: 'memory', embedder, settingsFor: (d) => s[d], annThreshold: 1, ...(onError ? { onError } : {}) });
  const lookup = cache.lookup.bind(cache);
  cache.lookup = async (req, scope) => {
    await cache.whenIndexed();
    return lookup(req, scope);
  };
  return cache;
});

describe('memory cache', () => {
  it('expires entries after ttl_seconds on the injected clock', async () => {
    let now = 1_000_000;
    const cache = createResponseCache({
      backend: 'memory',
      embedder: new TableEmbedder({}),
      settingsFor: () => settings({ ttlSeconds: 60 }),
      now: () => now,
    });
    await cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    now += 59_999;
    expect((await cache.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(true);
    now += 1;
    expect((await cache.lookup(ask('Capital of France?'), { decision: 'd' })).hit).toBe(false);
    await cache.close();
  });

  it('embeds a prompt once for a missed lookup followed by its store', async () => {
    const embedder = new TableEmbedder({});
    const cache = createResponseCache({ backend: 'memory', embedder, settingsFor: () => settings() });
    await cache.lookup(ask('Capital of France?'), { decision: 'd' });
    await cache.store(ask('Capital of France?'), answer('Paris'), { decision: 'd' });
    expect(embedder.calls).toBe(1);
    expect(textOf((await cache.lookup(ask('Capital of France?'), { decision: 'd' })).response)).toBe('Paris');
    await cache.close();
  });
});

describe('lookup deadline', () => {
  it('a lookup slower than its budget is a reported miss', async () => {
    const errors: string[] = [];
    const slow = new TableEmbedder({});
    slow.embed = () => new Promise(() => {}); // never answers
    const cache = createResponseCache({
      backend: 'memory',
      embedder: slow,
      settingsFor: () => settings({ mode: 'semantic' }),
      lookupTimeoutMs: 50,
      onError: (k) => errors.push(k),
    });
    const t0 = Date.now();
    expect(await cache.lookup(ask('Capital of France?'), { decision: 'd' })).toEqual({ hit: false });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(errors).toEqual(['cache_timeout']);
    await cache.close();
  });
});

describe('request fingerprint', () => {
  it('keys on the last user message and fingerprints the rest', () => {
    const a = cacheKeyParts(ask('hello  world', { temperature: 0 }))!;
    expect(a.prompt).toBe('hello world');
    expect(cacheKeyParts(ask('other text', { temperature: 0 }))!.fingerprint).toBe(a.fingerprint);
    expect(cacheKeyParts(ask('hello world', { temperature: 1 }))!.fingerprint).not.toBe(a.fingerprint);
    expect(cacheKeyParts({ messages: [{ role: 'assistant', content: 'x' }] })).toBeUndefined();
  });
});

describe('reordersWords', () => {
  it('flags the same words in another order only', () => {
    expect(reordersWords('convert string to integer', 'Convert integer to string?')).toBe(true);
    expect(reordersWords('Convert string to integer', 'convert  string to integer!')).toBe(false);
    expect(reordersWords('convert string to integer', 'convert a string to an integer')).toBe(false);
    expect(reordersWords('boil an egg soft', 'boil an egg hard')).toBe(false);
  });
});

describe('FlatIndex', () => {
  it('finds the exact top-k after removals', () => {
    const idx = new FlatIndex(2, 1);
    const unit = (a: number) => new Float32Array([Math.cos(a), Math.sin(a)]);
    for (let i = 0; i < 10; i++) idx.upsert(`v${i}`, unit(i * 0.1));
    idx.remove('v3');
    idx.remove('v9');
    idx.upsert('v0', unit(0.31));
    expect(idx.size).toBe(8);
    const got = idx.search(unit(0.3), 3, 0);
    expect(got.map((g) => g.id)).toEqual(['v0', 'v2', 'v4']);
    expect(got[0]!.similarity).toBeCloseTo(Math.cos(0.01), 6);
    expect(idx.search(unit(0.3), 3, 0.9999)).toHaveLength(1);
  });
});
