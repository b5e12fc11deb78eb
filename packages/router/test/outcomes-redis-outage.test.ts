// Nothing acknowledged is lost: outcomes recorded while redis-server is stopped are queued locally
// and replayed in order on reconnect; a full queue refuses with StateUnavailableError; made-up
// names never become Redis keys. Redis keeps its data across the stop (append-only file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisTestServer, type RedisTestServer } from '../../../scripts/redis-test-server.mjs';
import { createRouter, OutcomeValidationError, StateUnavailableError, type OutcomeReceipt, type Router } from '../src/index.js';
import { constantEmbedder } from './routing-helpers.js';

/** Every text embeds to the same unit vector: these tests are about outcomes, not routing. */
const embedder = constantEmbedder();

let server: RedisTestServer;
let dir: string;
let admin: Redis;

function config(prefix: string) {
  return {
    providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }, { name: 'b' }] },
    routing: {
      task_library: { enabled: false },
      modelCards: [{ name: 'a' }, { name: 'b' }],
      decisions: [
        { name: 'mix', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'automix' } },
        { name: 'fast', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'latency_aware', latency_aware: { max_samples: 100_000 } } },
        { name: 'rank', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'elo' } },
      ],
    },
    state: { backend: 'redis', redis: { url: server.url, key_prefix: prefix } },
  };
}

async function router(prefix: string, opts: { outcomeQueueSize?: number } = {}, edit: (c: ReturnType<typeof config>) => void = () => {}): Promise<{ r: Router; errors: string[] }> {
  const errors: string[] = [];
  const c = config(prefix);
  edit(c);
  const r = await createRouter({ config: c, embedder, cacheDir: false, onError: (k) => errors.push(k), ...opts });
  return { r, errors };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((res) => setTimeout(res, 20));
  }
  return false;
}

async function reconnectAdmin(): Promise<void> {
  admin.disconnect();
  admin = new Redis(server.url, { lazyConnect: true });
  admin.on('error', () => {}); // it sees the outages too
  await admin.connect();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'semroute-outage-'));
  server = await startRedisTestServer({ persistDir: dir });
  admin = new Redis(server.url, { lazyConnect: true });
  admin.on('error', () => {}); // it sees the outages too
  await admin.connect();
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('outcomes while Redis is down', () => {
  it('queues 100 outcomes recorded while redis-server is stopped and replays them in order on restart', async () => {
    const { r, errors } = await router('q1:');
    await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 0 });
    await server.stop();
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    const receipts: OutcomeReceipt[] = [];
    for (let i = 1; i <= 100; i++) receipts.push(await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: i }));
    expect(receipts.every((x) => x.recorded === 1 && x.queued === 1 && !x.persisted)).toBe(true);
    expect(r.outcomeStats()).toMatchObject({ queued: 100, replayed: 0, rejected: 0 });
    expect(errors).toContain('state_write');

    await server.start();
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    expect(r.outcomeStats()).toMatchObject({ queued: 0, replayed: 100, unconfirmed: 0, failed: 0 });
    await reconnectAdmin();
    const samples = (await admin.lrange('q1:state:latency:a:ttft', 0, -1)).map(Number);
    expect(samples).toEqual(Array.from({ length: 101 }, (_, i) => i)); // none lost, order kept

    // Back to direct writes once the queue is empty.
    expect(await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 500 })).toEqual({ recorded: 1, persisted: true, queued: 0, unconfirmed: 0 });
    await r.close();
  }, 30_000);

  it('refuses a batch with StateUnavailableError, keeping none of it, when the queue is full', async () => {
    const { r } = await router('q2:', { outcomeQueueSize: 10 });
    await server.stop();
    const one = { decision: 'mix', model: 'b', success: true };
    expect((await r.recordOutcomes(Array.from({ length: 8 }, () => one))).queued).toBe(8);
    const err = await r.recordOutcomes([one, one, one]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateUnavailableError);
    expect(err).toMatchObject({ code: 'STATE_UNAVAILABLE', accepted: 0 });
    expect((err as Error).message).toMatch(/outcome queue is full \(8 of 10\): none of 3 outcomes recorded/);
    expect((await r.recordOutcomes([one, one])).queued).toBe(2);
    expect(r.outcomeStats()).toMatchObject({ queued: 10, rejected: 3 });
    await server.start();
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    await reconnectAdmin();
    expect(await admin.hget('q2:state:automix:mix', 'b:trials')).toBe('10');
    await r.close();
  }, 30_000);

  it('loses no acknowledged outcome when redis-server is stopped and restarted mid-traffic', async () => {
    const { r } = await router('q3:');
    let acknowledged = 0; // applied directly or queued
    let unconfirmed = 0;
    let refused = 0;
    let stop = false;
    const sender = async () => {
      while (!stop) {
        try {
          const rec = await r.recordOutcomes([{ decision: 'mix', model: 'a', success: true }, { decision: 'mix', model: 'a', success: false }]);
          acknowledged += rec.recorded - rec.unconfirmed;
          unconfirmed += rec.unconfirmed;
        } catch (e) {
          if (!(e instanceof StateUnavailableError)) throw e;
          refused++;
        }
        await new Promise((res) => setTimeout(res, 2));
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    await new Promise((res) => setTimeout(res, 300));
    await server.stop();
    await new Promise((res) => setTimeout(res, 500));
    const queuedWhileDown = r.outcomeStats().queued;
    await server.start();
    await new Promise((res) => setTimeout(res, 500));
    stop = true;
    await Promise.all(senders);
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    await reconnectAdmin();
    const trials = Number(await admin.hget('q3:state:automix:mix', 'a:trials'));
    expect(queuedWhileDown).toBeGreaterThan(0);
    expect(refused).toBe(0);
    // Every acknowledged outcome is in Redis; an unconfirmed one (sent as Redis went down) may or may not be.
    expect(trials).toBeGreaterThanOrEqual(acknowledged);
    expect(trials).toBeLessThanOrEqual(acknowledged + unconfirmed);
    console.log(`mid-traffic outage: ${acknowledged} acknowledged, ${queuedWhileDown} queued while down, ${r.outcomeStats().replayed} replayed, ${unconfirmed} unconfirmed; ${trials} in Redis`);
    await r.close();
  }, 30_000);

  it('queues at once behind one unanswered write while redis-server is paused (SIGSTOP), and replays on resume', async () => {
    const { r } = await router('q5:');
    await r.recordOutcome({ decision: 'mix', model: 'b', success: true });
    server.pause();
    const t0 = performance.now();
    const receipts: OutcomeReceipt[] = [];
    try {
      for (let i = 0; i < 50; i++) receipts.push(await r.recordOutcome({ decision: 'mix', model: 'b', success: true }));
    } finally {
      server.resume();
    }
    const ms = performance.now() - t0;
    // One write waits for the command timeout (250 ms) and is reported unconfirmed; the rest queue at once.
    expect(receipts[0]).toEqual({ recorded: 1, persisted: false, queued: 0, unconfirmed: 1 });
    expect(receipts.slice(1).every((x) => x.queued === 1)).toBe(true);
    expect(ms).toBeLessThan(1500);
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    expect(r.outcomeStats()).toMatchObject({ replayed: 49, unconfirmed: 1 });
    const trials = Number(await admin.hget('q5:state:automix:mix', 'b:trials'));
    expect(trials).toBeGreaterThanOrEqual(1 + 49);
    expect(trials).toBeLessThanOrEqual(1 + 50);
    console.log(`paused redis: 50 outcomes in ${ms.toFixed(0)} ms (1 unconfirmed, 49 queued, all replayed); ${trials - 1} in Redis`);
    await r.close();
  }, 30_000);

  it('routes within the deadline while redis-server is paused (SIGSTOP): elo and latency_aware read the local mirror', async () => {
    const { r, errors } = await router('q6:');
    for (let i = 0; i < 5; i++) {
      await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 900, tpotMs: 40 });
      await r.recordOutcome({ decision: 'fast', model: 'b', ttftMs: 20, tpotMs: 2 });
      await r.recordOutcome({ decision: 'rank', model: 'b', opponent: 'a', result: 'win' });
    }
    const ask = (decision: string) => {
      const deadline = 50; // the sidecar's default message deadline
      return r.route({ model: decision, messages: [{ role: 'user', content: 'hello' }] }, { cacheDeadline: performance.now() + deadline - 2, signal: AbortSignal.timeout(deadline) });
    };
    const healthy = { fast: await ask('fast'), rank: await ask('rank') };
    expect(healthy.fast.selectedModel).toBe('b');
    server.pause();
    const times: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        for (const decision of ['fast', 'rank'] as const) {
          const t0 = performance.now();
          const d = await ask(decision);
          times.push(performance.now() - t0);
          // The learnt state, from the mirror: the same answer as with Redis, not a cold start.
          expect(d.selectedModel).toBe(healthy[decision].selectedModel);
          expect(d.scores).toEqual(healthy[decision].scores);
        }
      }
    } finally {
      server.resume();
    }
    // Each route answers by its 50 ms deadline (slack for a loaded machine), never the 250 ms command
    // timeout; after the first miss the store is suspect and reads do not wait at all.
    expect(Math.max(...times)).toBeLessThan(150);
    expect(times.slice(1).reduce((a, b) => a + b, 0)).toBeLessThan(19 * 50);
    expect(errors).toContain('state_read');
    console.log(`paused redis: 20 routes, slowest ${Math.max(...times).toFixed(1)} ms, the other 19 in ${times.slice(1).reduce((a, b) => a + b, 0).toFixed(1)} ms`);
    // Back to Redis once a PING answers.
    await r.recordOutcome({ decision: 'fast', model: 'b', ttftMs: 20, tpotMs: 2 });
    expect(await until(() => r.outcomeStats().queued === 0)).toBe(true);
    await r.close();
  }, 30_000);

  it('hands outcomes queued while redis-server is stopped to the router that replaces it (a reload), which replays them in order', async () => {
    const { r: old } = await router('q7:');
    await old.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 0 });
    await server.stop();
    for (let i = 1; i <= 20; i++) await old.recordOutcome({ decision: 'fast', model: 'a', ttftMs: i });
    await old.recordOutcome({ decision: 'mix', model: 'b', success: true });
    expect(old.outcomeStats().queued).toBe(21);
    // The new config drops the 'mix' decision: its outcome cannot be applied there.
    const { r: next, errors } = await router('q7:', {}, (c) => {
      c.routing.decisions = c.routing.decisions.filter((d) => d.name !== 'mix');
    });
    await next.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 21 }); // queued behind the handed-over ones
    await old.close();
    expect(old.outcomeStats().queued).toBe(0); // nothing lost with the old router
    expect(next.outcomeStats()).toMatchObject({ queued: 21, failed: 1 });
    expect(errors).toContain('outcome_replay');

    await server.start();
    expect(await until(() => next.outcomeStats().queued === 0)).toBe(true);
    expect(next.outcomeStats()).toMatchObject({ replayed: 21, unconfirmed: 0 });
    await reconnectAdmin();
    const samples = (await admin.lrange('q7:state:latency:a:ttft', 0, -1)).map(Number);
    expect(samples).toEqual(Array.from({ length: 22 }, (_, i) => i)); // the old router's in order, then the new one's
    await next.close();
  }, 30_000);

  it('on shutdown with redis-server stopped, the outcomes still queued are counted lost and reported', async () => {
    const { r, errors } = await router('q8:');
    await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 1 });
    await server.stop();
    try {
      for (let i = 0; i < 5; i++) await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 2 });
      await r.close();
      // No router to hand them to: they stay counted as queued (lost), reported as outcomes_lost.
      expect(r.outcomeStats().queued).toBe(5);
      expect(errors).toContain('outcomes_lost');
    } finally {
      await server.start();
      await reconnectAdmin();
    }
  }, 30_000);

  it('creates no Redis key for made-up model names', async () => {
    const { r } = await router('q4:');
    await r.recordOutcome({ decision: 'fast', model: 'a', ttftMs: 5 });
    const before = await admin.dbsize();
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      await r.recordOutcome({ decision: 'fast', model: `made-up-${i}`, ttftMs: 5 }).catch((e: unknown) => {
        if (e instanceof OutcomeValidationError) rejected++;
      });
    }
    expect(rejected).toBe(20_000);
    expect(await admin.dbsize()).toBe(before);
    await r.close();
  }, 30_000);
});
