// The proxy end to end with the official openai SDK as the client and mock upstreams on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Outcome, type Router } from '@semroute/router';
import { createProxy, type SemrouteProxy, type ProxyOptions } from '../src/index.js';
import { proxyConfig, WordsEmbedder, type Behaviour } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

let mock: MockUpstream;
let closedPort: number;
const running: Array<() => Promise<void>> = [];

beforeAll(async () => {
  mock = await startMockUpstream(5_000);
  // A port nothing listens on: bind, note, close.
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(() => mock.close());
afterEach(async () => {
  while (running.length) await running.pop()!();
});

interface Started {
  client: OpenAI;
  base: string;
  proxy: SemrouteProxy;
  router: Router;
  outcomes: Outcome[];
}

async function start(b: { coder: Behaviour; writer: Behaviour; helper: Behaviour }, opts: Partial<ProxyOptions> = {}, cache = false): Promise<Started> {
  const config = proxyConfig(mock.url, b, closedPort, cache);
  const router = await createRouter({ config, embedder: new WordsEmbedder() });
  const outcomes: Outcome[] = [];
  const record = router.recordOutcome.bind(router);
  router.recordOutcome = async (o) => {
    outcomes.push(o);
    await record(o);
  };
  const proxy = createProxy({ router, config, env: { TEST_CODER_KEY: 'sk-test-coder' }, processMetrics: false, ...opts });
  const server = http.createServer(proxy.node);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await proxy.close();
    await router.close();
  });
  return { client: new OpenAI({ baseURL: `${base}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 20_000 }), base, proxy, router, outcomes };
}

const ask = (text: string, model = 'MoM') => ({ model, messages: [{ role: 'user' as const, content: text }] });
const waitFor = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('semroute proxy with the openai SDK', () => {
  it('routes MoM, forwards provider_model_id with the backend key, and says which model served', async () => {
    const { client, outcomes } = await start({ coder: 'ok', writer: 'ok', helper: 'ok' });
    const before = mock.seen.length;
    const { data, response } = await client.chat.completions.create(ask('Write a python function')).withResponse();
    expect(data.choices[0]!.message.content).toBe('answer from coder-7b');
    expect(response.headers.get('x-selected-model')).toBe('coder');
    expect(response.headers.get('x-semroute-decision')).toBe('MoM');
    expect(Number(response.headers.get('x-semroute-confidence'))).toBeGreaterThan(0);
    const seen = mock.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.model).toBe('coder-7b');
    expect(seen[0]!.authorization).toBe('Bearer sk-test-coder'); // the backend's key, not the client's
    expect(await waitFor(() => outcomes.length === 1)).toBe(true);
    expect(outcomes[0]).toMatchObject({ decision: 'MoM', model: 'coder', success: true });
    expect(outcomes[0]!.ttftMs).toBeGreaterThan(0);
  });

  it('streams SSE through chunk by chunk: the first chunk arrives while the upstream is still writing', async () => {
    const { client } = await start({ coder: 'gated', writer: 'ok', helper: 'ok' });
    const stream = await client.chat.completions.create({ ...ask('python code'), stream: true });
    const parts: string[] = [];
    for await (const c of stream) {
      parts.push(c.choices[0]?.delta.content ?? '');
      // Only released after the first chunk reached the client: buffering would deadlock here.
      if (parts.length === 1) mock.release();
    }
    expect(parts.join('')).toBe('before after');
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    const { client, proxy } = await start({ coder: 'hang', writer: 'ok', helper: 'ok' });
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ ...ask('python code'), stream: true }, { signal: abort.signal });
    let first = '';
    try {
      for await (const c of stream) {
        first = c.choices[0]?.delta.content ?? '';
        abort.abort();
      }
    } catch {
      // the SDK may end the iteration or throw an abort error: either way the client is gone
    }
    expect(first).toBe('first');
    await expect(Promise.race([mock.hangClosed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 3_000))])).resolves.toBe('closed');
    let inflight = -1;
    for (let i = 0; i < 100 && inflight !== 0; i++) {
      inflight = (await proxy.metrics.inflight.get()).values[0]?.value ?? -1;
      if (inflight !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(inflight).toBe(0);
  });

  it('fails over to the next candidate on a 5xx and on a refused connection, recording each outcome', async () => {
    const { client, outcomes } = await start({ coder: 'fail', writer: 'closed', helper: 'ok' });
    const { data, response } = await client.chat.completions.create(ask('python code')).withResponse();
    expect(data.choices[0]!.message.content).toBe('answer from helper-1b');
    expect(response.headers.get('x-selected-model')).toBe('helper');
    expect(response.headers.get('x-semroute-attempts')).toBe('3');
    expect(response.headers.get('x-semroute-reason')).toBe('failover');
    expect(await waitFor(() => outcomes.length === 3)).toBe(true);
    expect(outcomes.map((o) => [o.model, o.success])).toEqual([
      ['coder', false],
      ['writer', false],
      ['helper', true],
    ]);
  });

  it('gives up a slow upstream after the attempt timeout and serves from the next', async () => {
    const { client } = await start({ coder: 'slow', writer: 'ok', helper: 'ok' }, { attemptTimeoutMs: 300 });
    const t0 = Date.now();
    const { response } = await client.chat.completions.create(ask('python code')).withResponse();
    expect(response.headers.get('x-selected-model')).toBe('writer');
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('answers 504 naming the upstreams when every attempt timed out, within maxAttempts', async () => {
    const { client } = await start({ coder: 'slow', writer: 'slow', helper: 'ok' }, { attemptTimeoutMs: 200, maxAttempts: 2 });
    const err = await client.chat.completions.create(ask('python code')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((err as Error).message).toMatch(/coder \(coder-backend\).*writer \(writer-backend\)/);
    expect((err as Error).message).not.toMatch(/helper/);
  });

  it('answers 502 naming every failed upstream', async () => {
    const { client } = await start({ coder: 'fail', writer: 'fail', helper: 'closed' });
    const err = (await client.chat.completions.create(ask('python code')).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/coder \(coder-backend\): HTTP 500 mock upstream exploded/);
    expect(err.message).toMatch(/helper \(helper-backend\): .*ECONNREFUSED/);
    expect((err.error as { code?: string } | undefined)?.code ?? err.code).toBe('upstream_error');
  });

  it('forwards a concrete model name as is and answers 404 for an unknown one', async () => {
    const { client } = await start({ coder: 'ok', writer: 'ok', helper: 'ok' });
    const before = mock.seen.length;
    const { response } = await client.chat.completions.create(ask('python code', 'writer')).withResponse();
    expect(response.headers.get('x-selected-model')).toBe('writer');
    expect(mock.seen[before]!.model).toBe('writer-70b');
    const byId = await client.chat.completions.create(ask('hi', 'helper-1b')).withResponse();
    expect(byId.response.headers.get('x-semroute-upstream')).toBe('helper-backend');
    const err = (await client.chat.completions.create(ask('hi', 'gpt-nope')).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/gpt-nope/);
  });

  it('rejects bad input with OpenAI-style 400 and 413 errors and keeps serving', async () => {
    const { client, base } = await start({ coder: 'ok', writer: 'ok', helper: 'ok' }, { maxBodyBytes: 2_000 });
    const empty = (await client.chat.completions.create({ model: 'MoM', messages: [] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(empty.status).toBe(400);
    expect(empty.message).toMatch(/"messages" must not be empty/);
    const post = (body: string) => fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('{"model": "MoM", "messages": [');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const noRole = await post('{"messages": [{"content": "x"}]}');
    expect(((await noRole.json()) as { error: { param: string } }).error.param).toBe('messages[0]');
    const big = await client.chat.completions.create(ask('x'.repeat(5_000))).catch((e: unknown) => e);
    expect((big as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    const wrongMethod = await fetch(`${base}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    const ok = await client.chat.completions.create(ask('python code'));
    expect(ok.choices[0]!.message.content).toBe('answer from coder-7b');
  });

  it('lists models, and serves health, readiness and metrics', async () => {
    const { client, base } = await start({ coder: 'ok', writer: 'ok', helper: 'ok' });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['MoM', 'coder', 'writer', 'helper']));
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    await client.chat.completions.create(ask('python code'));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/semroute_proxy_requests_total\{status="200"\} 1/);
    expect(metrics).toMatch(/semroute_proxy_upstream_attempts_total\{model="coder",result="ok"\} 1/);
  });

  it('answers a repeated request from the semantic cache, per tenant header, streamed or not', async () => {
    const { client } = await start({ coder: 'ok', writer: 'ok', helper: 'ok' }, {}, true);
    const before = mock.seen.length;
    const first = await client.chat.completions.create(ask('python code please'), { headers: { 'x-user-id': 'alice' } }).withResponse();
    expect(first.response.headers.get('x-semroute-cache')).toBeNull();
    // The store happens after the answer is relayed.
    let again: Awaited<typeof first> | undefined;
    for (let i = 0; i < 50; i++) {
      again = await client.chat.completions.create(ask('python code please'), { headers: { 'x-user-id': 'alice' } }).withResponse();
      if (again.response.headers.get('x-semroute-cache') === 'hit') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.response.headers.get('x-semroute-cache')).toBe('hit');
    expect(again!.response.headers.get('x-semroute-reason')).toBe('cache_hit');
    expect(again!.data.choices[0]!.message.content).toBe('answer from coder-7b');
    const streamed = await client.chat.completions.create({ ...ask('python code please'), stream: true }, { headers: { 'x-user-id': 'alice' } });
    let text = '';
    for await (const c of streamed) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('answer from coder-7b');
    const upstreamCalls = mock.seen.length - before;
    const bob = await client.chat.completions.create(ask('python code please'), { headers: { 'x-user-id': 'bob' } }).withResponse();
    expect(bob.response.headers.get('x-semroute-cache')).toBeNull();
    expect(mock.seen.length - before).toBe(upstreamCalls + 1);
  });

  it('answers 503 until the router has loaded', async () => {
    const config = proxyConfig(mock.url, { coder: 'ok', writer: 'ok', helper: 'ok' });
    let resolve!: (r: Router) => void;
    const proxy = createProxy({ router: new Promise<Router>((r) => (resolve = r)), config, env: {}, processMetrics: false });
    const res = await proxy.fetch(new Request('http://x/v1/chat/completions', { method: 'POST', body: JSON.stringify(ask('hi')) }));
    expect(res.status).toBe(503);
    expect((await proxy.fetch(new Request('http://x/ready'))).status).toBe(503);
    const router = await createRouter({ config, embedder: new WordsEmbedder() });
    resolve(router);
    await waitFor(() => proxy.ready);
    expect((await proxy.fetch(new Request('http://x/ready'))).status).toBe(200);
    await proxy.close();
    await router.close();
  });
});
