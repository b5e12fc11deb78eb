// Two router replicas sharing learning state and the response cache through a real redis-server
// (started by this file on a free loopback port), including an outage in the middle of a run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { createRedisStateStore } from '../src/state/redis.js';
import type { RouteDecision, Router } from '../src/api.js';
import { startRedisTestServer, type RedisTestServer } from '../../../scripts/redis-test-server.mjs';
import { chat, FakeEmbedder } from './routing-helpers.js';

let server: RedisTestServer;
const routers: Router[] = [];

function config(url: string, prefix: string) {
  return {
    version: 'v0.3',
    providers: {
      defaults: { default_model: 'general' },
      models: [
        { name: 'coder', provider_model_id: 'coder-7b' },
        { name: 'general', provider_model_id: 'general-fast' },
      ],
    },
    routing: {
      modelCards: [
        { name: 'coder', description: 'python code function programming bug' },
        { name: 'general', description: 'capital city country weather simple facts' },
      ],
      signals: { keywords: [{ name: 'never', keywords: ['zzzneverzzz'] }] },
      decisions: [
        {
          name: 'learned',
          rules: { operator: 'NOT', conditions: [{ type: 'keyword', name: 'never' }] },
          modelRefs: [{ model: 'coder' }, { model: 'general' }],
          algorithm: { type: 'rl_driven' },
          plugins: [{ type: 'semantic-cache', similarity_threshold: 0.8, scope: 'header', scope_header: 'x-tenant' }],
        },
      ],
    },
    state: { backend: 'redis', redis: { url, key_prefix: prefix } },
    cache: { backend: 'redis', redis: { url, key_prefix: prefix } },
  };
}

async function replica(prefix: string, errors: string[] = []): Promise<Router> {
  const r = await createRouter({ config: config(server.url, prefix), embedder: new FakeEmbedder(), onError: (k) => errors.push(k) });
  routers.push(r);
  return r;
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const completion = (text: string) => ({
  body: { object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] },
  model: 'general',
  createdAt: 0,
});

beforeAll(async () => {
  server = await startRedisTestServer();
});
afterAll(async () => {
  for (const r of routers) await r.close();
  await server?.stop();
});

describe('router replicas on Redis', () => {
  it('record outcomes concurrently without losing any (2 x 500)', async () => {
    const a = await replica('rep1:');
    const b = await replica('rep1:');
    const ops: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      ops.push(a.recordOutcome({ decision: 'learned', model: 'coder', success: true }));
      ops.push(b.recordOutcome({ decision: 'learned', model: 'coder', success: i % 2 === 0 }));
    }
    await Promise.all(ops);
    const reader = await createRedisStateStore({ url: server.url, keyPrefix: 'rep1:' });
    expect(await reader.getNumbers('rl:learned', ['coder:alpha', 'coder:beta'])).toEqual({ 'coder:alpha': 750, 'coder:beta': 250 });
    await reader.close();
  });

  it('share the response cache per tenant through route() and its ticket', async () => {
    const a = await replica('rep2:');
    const b = await replica('rep2:');
    const req = chat('what is the capital city of australia');
    const acme = { cache: true, tenant: 'acme' };
    const d = await a.route(req, acme);
    expect(d.decision).toBe('learned');
    expect(a.cacheSettings('learned')).toMatchObject({ scopeHeader: 'x-tenant' });
    expect(d.cache).toMatchObject({ result: 'miss', ticket: { scope: { decision: 'learned', tenant: 'acme' } } });
    const ticket = d.cache?.result === 'miss' ? d.cache.ticket : undefined;
    expect(await until(async () => {
      await ticket!.store(completion('Canberra'));
      return (await b.route(req, acme)).cache?.result === 'hit';
    })).toBe(true);
    const para = await b.route(chat('capital city of australia, what is it'), acme);
    expect(para.cache).toMatchObject({ result: 'hit', kind: 'semantic' });
    expect((await b.route(req, { cache: true, tenant: 'globex' })).cache?.result).toBe('miss');
    expect((await a.route(chat('capital city of australia, what is it'), { cache: true, tenant: 'globex' })).cache?.result).toBe('miss');
  });

  it('keep routing while redis-server is stopped and restarted mid-run, and reconnect', async () => {
    const errors: string[] = [];
    const a = await replica('rep3:', errors);
    const acme = { cache: true, tenant: 'acme' };
    const req = chat('write a python function to parse json');
    const store = async (d: RouteDecision) => {
      if (d.cache?.result === 'miss') await d.cache.ticket?.store(completion('def parse(s): ...'));
    };
    await a.recordOutcome({ decision: 'learned', model: 'coder', success: true });

    let routed = 0;
    let failed = 0;
    let stopAt = -1;
    let restartAt = -1;
    for (let i = 0; i < 60; i++) {
      if (i === 20) {
        await server.stop();
        stopAt = errors.length;
      }
      if (i === 40) {
        await server.start();
        restartAt = errors.length;
      }
      try {
        const t0 = Date.now();
        const d = await a.route(req, acme);
        expect(['coder', 'general']).toContain(d.selectedModel);
        expect(Date.now() - t0).toBeLessThan(1500);
        await a.recordOutcome({ decision: 'learned', model: d.selectedModel, success: true });
        await store(d);
        routed++;
      } catch {
        failed++;
      }
    }
    expect(failed).toBe(0);
    expect(routed).toBe(60);
    expect(restartAt).toBeGreaterThan(stopAt); // errors were reported while Redis was down
    for (const kind of ['state_read', 'state_write', 'cache_lookup', 'cache_store']) expect(errors).toContain(kind);

    // Reconnected by itself: outcomes and cache entries reach the restarted (empty) server again.
    expect(await until(async () => {
      await a.recordOutcome({ decision: 'learned', model: 'coder', success: true });
      await store(await a.route(req, acme));
      return (await a.route(req, acme)).cache?.result === 'hit';
    })).toBe(true);
    // Outcomes recorded while the store was still suspect went to the local queue: they reach
    // Redis when it is replayed, soon after the store answers again.
    const reader = await createRedisStateStore({ url: server.url, keyPrefix: 'rep3:' });
    expect(await until(async () => ((await reader.getNumbers('rl:learned', ['coder:alpha']))['coder:alpha'] ?? 0) >= 1)).toBe(true);
    await reader.close();
  });
});
