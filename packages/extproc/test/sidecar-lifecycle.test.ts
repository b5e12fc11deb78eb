// HTTP API, readiness, config reload (accepted and rejected) and graceful shutdown.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore, createRouter, type DurableStateStore, type LearningStateStore } from '@semroute/router';
import { constantEmbedder } from '../../router/test/routing-helpers.js';
import { FakeRouter } from './fake-router.js';
import { chatHeaders, setHeadersOf } from './envoy-client.js';
import { chatBody, startHarness } from './helpers.js';

type ApiError = { error: { code: string; message: string } };

describe('HTTP API', () => {
  it('serves health, readiness, metrics, route, models and outcomes', async () => {
    const router = new FakeRouter();
    const h = await startHarness([router]);
    try {
      expect(await (await h.http('/health')).json()).toEqual({ status: 'ok' });
      expect((await h.http('/ready')).status).toBe(200);

      const routed = await h.http('/v1/route', { method: 'POST', body: chatBody('fix my python code'), headers: { 'x-session-id': 's1', authorization: 'Bearer sk-x' } });
      expect(routed.status).toBe(200);
      expect(await routed.json()).toMatchObject({ selectedModel: 'qwen-coder', providerModelId: 'qwen2.5-coder:7b', decision: 'coding' });
      expect(router.routed.at(-1)!.ctx).toMatchObject({ sessionId: 's1' });
      expect(router.routed.at(-1)!.ctx!.headers!.authorization).toBeUndefined();

      const bad = await h.http('/v1/route', { method: 'POST', body: '{"model":"MoM"}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as ApiError).error.code).toBe('invalid_request');
      expect((await h.http('/v1/route', { method: 'POST', body: 'nope' })).status).toBe(400);
      expect((await h.http('/v1/route')).status).toBe(405);
      expect((await h.http('/nowhere')).status).toBe(404);

      const models = (await (await h.http('/v1/models')).json()) as { data: unknown[] };
      expect(models.data[2]).toEqual({ id: 'qwen-coder', object: 'model', owned_by: 'semroute', kind: 'card', description: 'coding model', provider_model_id: 'qwen2.5-coder:7b' });

      const ok = await h.http('/v1/outcomes', { method: 'POST', body: JSON.stringify([{ decision: 'coding', model: 'qwen-coder', success: true }]) });
      expect(await ok.json()).toEqual({ recorded: 1, persisted: true, queued: 0, unconfirmed: 0 });
      expect(router.outcomes).toEqual([{ decision: 'coding', model: 'qwen-coder', success: true }]);
      const unknown = await h.http('/v1/outcomes', { method: 'POST', body: JSON.stringify({ decision: 'ghost', model: 'x' }) });
      expect(unknown.status).toBe(400);
      const missing = await h.http('/v1/outcomes', { method: 'POST', body: JSON.stringify({ decision: 'coding' }) });
      expect(((await missing.json()) as ApiError).error).toEqual({ code: 'invalid_outcome', message: 'outcome[0].model: model undefined is not a candidate', index: 0, field: 'model' });
      // A batch whose second item is bad: 400 naming it, and the first is not applied.
      const batch = await h.http('/v1/outcomes', { method: 'POST', body: JSON.stringify([{ decision: 'coding', model: 'qwen-coder' }, { decision: 'coding', model: 'gpt-9' }]) });
      expect(batch.status).toBe(400);
      expect(((await batch.json()) as ApiError).error).toMatchObject({ code: 'invalid_outcome', index: 1, field: 'model' });
      expect(router.outcomes).toHaveLength(1);

      await h.client.buffered(chatHeaders(), chatBody('python bug'));
      const metrics = await (await h.http('/metrics')).text();
      for (const name of ['semroute_routing_latency_seconds_bucket', 'semroute_decisions_total{decision="coding",reason="auto_routing"}', 'semroute_selected_model_total{model="qwen-coder"}', 'semroute_extproc_streams_in_flight', 'semroute_routing_in_flight', 'semroute_process_resident_memory_bytes']) {
        expect(metrics).toContain(name);
      }
    } finally {
      await h.stop();
    }
  });

  it('is not ready, and passes requests through, until the router has loaded', async () => {
    let finishLoad!: (r: FakeRouter) => void;
    const pending = new Promise<FakeRouter>((r) => (finishLoad = r));
    const h = await startHarness([() => pending], {}, false);
    try {
      expect((await h.http('/ready')).status).toBe(503);
      expect((await h.http('/health')).status).toBe(200);
      const [, bod] = await h.client.buffered(chatHeaders(), chatBody('python'));
      expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
      expect(h.logs.some((l) => l.reason === 'not_ready')).toBe(true);
      expect(await grpcHealth(h.server.grpcPort)).toBe('NOT_SERVING');
      finishLoad(new FakeRouter());
      await h.server.loaded;
      expect((await h.http('/ready')).status).toBe(200);
      expect(await grpcHealth(h.server.grpcPort)).toBe('SERVING');
    } finally {
      await h.stop();
    }
  });
});

describe('config reload', () => {
  it('swaps in a valid config; in-flight requests finish on the old router before it is closed', async () => {
    const v1 = new FakeRouter('v1');
    const v2 = new FakeRouter('v2');
    const h = await startHarness([v1, v2], { messageTimeoutMs: 2000 });
    try {
      v1.delayMs = 300;
      const inFlight = h.client.buffered(chatHeaders(), chatBody('slow python question'));
      await new Promise((r) => setTimeout(r, 50));
      expect(await h.server.reload()).toEqual({ ok: true });
      expect(v1.closed).toBe(false); // still serving the request it started
      const [, bod] = await inFlight;
      expect(setHeadersOf(bod!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
      await new Promise((r) => setTimeout(r, 20));
      expect(v1.closed).toBe(true);
      await h.client.buffered(chatHeaders(), chatBody('new python question'));
      expect(v2.routed).toHaveLength(1);
    } finally {
      await h.stop();
    }
    expect(v2.closed).toBe(true);
  });

  it('rejects a config that fails validation, logs its errors and keeps the old router', async () => {
    const v1 = new FakeRouter('v1');
    const invalid = Object.assign(new Error('invalid config'), {
      code: 'CONFIG_INVALID',
      issues: [{ path: 'routing.decisions[0].algorithm.type', message: 'expected one of: static, multi_factor' }],
    });
    const h = await startHarness([v1, invalid]);
    try {
      const r = await h.server.reload();
      expect(r.ok).toBe(false);
      expect(v1.closed).toBe(false);
      const line = h.logs.find((l) => l.msg === 'config reload rejected; the previous config keeps serving')!;
      expect(JSON.stringify(line.err)).toContain('routing.decisions[0].algorithm.type');
      await h.client.buffered(chatHeaders(), chatBody('python again'));
      expect(v1.routed).toHaveLength(1);
      expect(await (await h.http('/metrics')).text()).toContain('semroute_config_reloads_total{result="rejected"} 1');
    } finally {
      await h.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets an open stream finish, then stops listening and closes the router', async () => {
    const router = new FakeRouter();
    router.delayMs = 200;
    const h = await startHarness([router], { messageTimeoutMs: 2000 });
    const inFlight = h.client.buffered(chatHeaders(), chatBody('python at shutdown'));
    await new Promise((r) => setTimeout(r, 50));
    const closing = h.server.close();
    const [, bod] = await inFlight;
    expect(setHeadersOf(bod!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    await closing;
    expect(router.closed).toBe(true);
    await expect(h.http('/health')).rejects.toThrow();
    h.client.close();
  });
});

describe('outcomes a closed router could not persist', () => {
  it('counts them in semroute_outcomes_lost_total with a log line, on reload and on shutdown; none when nothing is left', async () => {
    const v1 = new FakeRouter('v1');
    const v2 = new FakeRouter('v2');
    const v3 = new FakeRouter('v3');
    const h = await startHarness([v1, v2, v3]);
    // The retired router is closed in the background once drained.
    const settled = () => (h.server as unknown as { holder: { settled(): Promise<void> } }).holder.settled();
    const lost = async () => Number(/^semroute_outcomes_lost_total (\d+)$/m.exec(await h.server.metrics.registry.metrics())?.[1]);
    v1.stats.queued = 0; // everything persisted or handed to the next router
    expect(await h.server.reload()).toEqual({ ok: true });
    await settled();
    expect(v1.closed).toBe(true);
    expect(await lost()).toBe(0);
    v2.stats.queued = 3; // e.g. rejected by the new config
    expect(await h.server.reload()).toEqual({ ok: true });
    await settled();
    expect(await lost()).toBe(3);
    v3.stats.queued = 7; // shutdown with the state backend still down
    await h.stop();
    expect(await lost()).toBe(10);
    const lines = h.logs.filter((l) => l.level === 50 && typeof l.msg === 'string' && l.msg.includes('acknowledged outcomes lost'));
    expect(lines.map((l) => l.lost)).toEqual([3, 7]);
  });
});

describe('POST /v1/outcomes with the learning state down', () => {
  it('answers 200 {persisted:false} while the queue has room, then 503 {persisted:false} when it is full', async () => {
    // A real router whose durable state store is unavailable (as Redis down), with a queue of 2.
    const memory = createMemoryStateStore();
    const down: DurableStateStore = Object.assign(Object.create(memory) as LearningStateStore, {
      isAvailable: () => false,
      onAvailable: () => () => {},
      strict: memory,
    });
    const embedder = constantEmbedder();
    const router = await createRouter({
      config: {
        providers: { models: [{ name: 'a' }, { name: 'b' }] },
        routing: { task_library: { enabled: false }, modelCards: [{ name: 'a' }, { name: 'b' }], decisions: [{ name: 'mix', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'automix' } }] },
      },
      embedder,
      state: down,
      outcomeQueueSize: 2,
      cacheDir: false,
    });
    const h = await startHarness([router]);
    const post = (body: unknown) => h.http('/v1/outcomes', { method: 'POST', body: JSON.stringify(body) });
    const one = { decision: 'mix', model: 'b', success: true };
    try {
      const ok = await post(one);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ recorded: 1, persisted: false, queued: 1, unconfirmed: 0 });
      const full = await post([one, one]);
      expect(full.status).toBe(503);
      const body = (await full.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 'state_unavailable', persisted: false, accepted: 0 });
      expect(body.error.message).toMatch(/outcome queue is full \(1 of 2\): none of 2 outcomes recorded/);
      expect(router.outcomeStats()).toMatchObject({ queued: 1, rejected: 2 });
    } finally {
      await h.stop();
    }
  });
});

describe('outcome replay figures', () => {
  it('exports the live router\'s outcome queue on /metrics and logs a line when a replay has emptied it', async () => {
    const router = new FakeRouter();
    const h = await startHarness([router]);
    const metric = async (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(await (await h.http('/metrics')).text())?.[1]);
    try {
      router.stats = { queued: 40, queueCapacity: 10_000, replayed: 0, unconfirmed: 0, rejected: 3, failed: 0 };
      expect(await metric('semroute_outcomes_queued')).toBe(40);
      expect(await metric('semroute_outcome_queue_capacity')).toBe(10_000);
      expect(await metric('semroute_outcomes_total{result="rejected"}')).toBe(3);
      expect(h.logs.some((l) => String(l.msg).startsWith('outcome replay finished'))).toBe(false);
      // Redis is back: the router replays the queue (one unconfirmed); the sidecar notices within a second.
      router.stats = { ...router.stats, queued: 0, replayed: 39, unconfirmed: 1 };
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && !h.logs.some((l) => String(l.msg).startsWith('outcome replay finished'))) await new Promise((r) => setTimeout(r, 50));
      const line = h.logs.find((l) => String(l.msg).startsWith('outcome replay finished'));
      expect(line).toMatchObject({ level: 30, replayed: 39, msg: 'outcome replay finished: 39 queued outcomes replayed to the learning state' });
      expect(await metric('semroute_outcomes_queued')).toBe(0);
      expect(await metric('semroute_outcomes_total{result="replayed"}')).toBe(39);
      expect(await metric('semroute_outcomes_total{result="unconfirmed"}')).toBe(1);
      // Logged once per replay.
      await new Promise((r) => setTimeout(r, 1200));
      expect(h.logs.filter((l) => String(l.msg).startsWith('outcome replay finished'))).toHaveLength(1);
    } finally {
      await h.stop();
    }
  });
});

/** grpc.health.v1.Health/Check for the ext_proc service, as a gateway's health checker calls it. */
async function grpcHealth(port: number): Promise<string> {
  const Ctor = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
  const c = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    check(req: { service: string }, cb: (err: Error | null, res: { status: string }) => void): void;
  };
  try {
    return await new Promise((resolve, reject) =>
      c.check({ service: 'envoy.service.ext_proc.v3.ExternalProcessor' }, (err, res) => (err ? reject(err) : resolve(res.status))),
    );
  } finally {
    c.close();
  }
}
