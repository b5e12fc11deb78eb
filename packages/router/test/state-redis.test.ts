// The Redis learning-state store against a real redis-server started for this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisTestServer, type RedisTestServer } from '../../../scripts/redis-test-server.mjs';
import { createRedisStateStore, type RedisStateStore } from '../src/state/redis.js';
import { createStateStore } from '../src/state/index.js';

let server: RedisTestServer;
const open: RedisStateStore[] = [];

async function store(prefix: string, extra: { onError?: (k: string, e: unknown) => void; commandTimeoutMs?: number } = {}) {
  const s = await createRedisStateStore({ url: server.url, keyPrefix: prefix, ...extra });
  open.push(s);
  return s;
}

beforeAll(async () => {
  server = await startRedisTestServer();
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await server?.stop();
});

describe('RedisStateStore', () => {
  it('implements the LearningStateStore operations', async () => {
    const s = await store('t1:');
    expect(s.kind).toBe('redis');
    expect(await s.getNumbers('elo:d', ['a', 'b'])).toEqual({});
    expect(await s.incrNumbers('elo:d', { a: 1.5, b: -2 })).toEqual({ a: 1.5, b: -2 });
    expect(await s.incrNumbers('elo:d', { a: 0.25 })).toEqual({ a: 1.75 });
    await s.setNumbers('elo:d', { b: 1000 });
    expect(await s.getNumbers('elo:d', ['a', 'b', 'c'])).toEqual({ a: 1.75, b: 1000 });

    for (const v of [1, 2, 3, 4, 5]) await s.pushSample('lat:m', v, 3);
    expect(await s.getSamples('lat:m')).toEqual([3, 4, 5]);
    expect(await s.getSamples('lat:none')).toEqual([]);

    expect(await s.getString('sess:x')).toBeUndefined();
    await s.setString('sess:x', 'model-a', 60_000);
    expect(await s.getString('sess:x')).toBe('model-a');
    await s.setString('sess:short', 'm', 30);
    await new Promise((r) => setTimeout(r, 80));
    expect(await s.getString('sess:short')).toBeUndefined();
  });

  it('rejects bad input like the memory store', async () => {
    const s = await store('t2:');
    await expect(s.incrNumbers('k', { a: Number.NaN })).rejects.toThrow(/field a must be a finite number/);
    await expect(s.pushSample('k', 1, 0)).rejects.toThrow(/maxLen/);
    await expect(s.setString('k', 'v', -1)).rejects.toThrow(/ttlMs/);
  });

  it('loses nothing when two replicas record outcomes concurrently', async () => {
    const a = await store('t3:');
    const b = await store('t3:');
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      ops.push(a.incrNumbers('rl:d:m', { alpha: 1, beta: 0.5 }));
      ops.push(b.incrNumbers('rl:d:m', { alpha: 1, beta: 0.5 }));
      ops.push(a.pushSample('lat:d:m', i, 5000));
      ops.push(b.pushSample('lat:d:m', 1000 + i, 5000));
    }
    await Promise.all(ops);
    expect(await a.getNumbers('rl:d:m', ['alpha', 'beta'])).toEqual({ alpha: 1000, beta: 500 });
    expect(await b.getNumbers('rl:d:m', ['alpha', 'beta'])).toEqual({ alpha: 1000, beta: 500 });
    const samples = await b.getSamples('lat:d:m');
    expect(samples).toHaveLength(1000);
    expect(new Set(samples).size).toBe(1000);
  });

  it('key prefixes keep two deployments apart', async () => {
    const a = await store('tenantA:');
    const b = await store('tenantB:');
    await a.setNumbers('elo:d', { m: 1 });
    expect(await b.getNumbers('elo:d', ['m'])).toEqual({});
  });

  it('createStateStore picks the backend from config', async () => {
    const mem = await createStateStore({ backend: 'memory' });
    expect(mem.kind).toBe('memory');
    await mem.close();
    const red = await createStateStore({ backend: 'redis', redis: { url: server.url, key_prefix: 't5:' } });
    expect(red.kind).toBe('redis');
    await red.close();
  });

  it('falls back to last known values while Redis is down, then reconnects by itself', async () => {
    const errors: string[] = [];
    const s = await store('t6:', { onError: (k) => errors.push(k) });
    await s.setNumbers('elo:d', { a: 1200 });
    await s.pushSample('lat:d', 10, 10);
    await s.setString('sess:1', 'model-a', 60_000);
    expect(await s.getNumbers('elo:d', ['a'])).toEqual({ a: 1200 });

    await server.stop();
    const t0 = Date.now();
    expect(await s.getNumbers('elo:d', ['a'])).toEqual({ a: 1200 });
    expect(await s.getSamples('lat:d')).toEqual([10]);
    expect(await s.getString('sess:1')).toBe('model-a');
    expect(await s.incrNumbers('elo:d', { a: 5 })).toEqual({ a: 1205 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(errors.filter((k) => k === 'state_read' || k === 'state_write').length).toBeGreaterThanOrEqual(4);

    await server.start();
    const deadline = Date.now() + 10_000;
    let back = false;
    while (!back && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const before = errors.length;
      await s.setNumbers('elo:d', { b: 7 });
      back = errors.length === before;
    }
    expect(back).toBe(true);
    // The restarted server is empty (no persistence): what the store reads now comes from Redis.
    expect(await s.getNumbers('elo:d', ['a', 'b'])).toEqual({ b: 7 });
  });

  it('a Redis that stops answering costs at most the command timeout', async () => {
    const errors: string[] = [];
    const s = await store('t7:', { onError: (k) => errors.push(k), commandTimeoutMs: 100 });
    await s.setNumbers('elo:d', { a: 3 });
    server.pause();
    try {
      const t0 = Date.now();
      expect(await s.getNumbers('elo:d', ['a'])).toEqual({ a: 3 });
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(errors).toContain('state_read');
    } finally {
      server.resume();
    }
  });
});
