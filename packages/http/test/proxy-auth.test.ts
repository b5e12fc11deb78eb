// The proxy's bearer token (issue 9): API paths need it when set, on the node:http and Fetch
// adapters alike; the probes stay open; the client's token never reaches an upstream.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '@semroute/router';
import { createProxy, type SemrouteProxy } from '../src/index.js';
import { bearerMatches } from '../src/auth.js';
import { proxyConfig, WordsEmbedder } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

const token = 'proxy-token-42';
let mock: MockUpstream;
let router: Router;
let proxy: SemrouteProxy;
let server: http.Server;
let base: string;

beforeAll(async () => {
  mock = await startMockUpstream(5_000);
  const config = proxyConfig(mock.url, { coder: 'ok', writer: 'ok', helper: 'ok' });
  router = await createRouter({ config, embedder: new WordsEmbedder() });
  proxy = createProxy({ router, config, env: {}, processMetrics: false, apiToken: token });
  server = http.createServer(proxy.node);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await proxy.close();
  await router.close();
  await mock.close();
});

const chat = JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: 'write a python function' }] });

describe('proxy bearer token', () => {
  it('node:http: API paths answer an OpenAI-style 401 without the token or with a wrong one', async () => {
    for (const [path, init] of [
      ['/v1/chat/completions', { method: 'POST', body: chat }],
      ['/chat/completions', { method: 'POST', body: chat }],
      ['/v1/models', {}],
      ['/models', {}],
    ] as Array<[string, RequestInit]>) {
      for (const auth of [undefined, 'Bearer wrong', token]) {
        const res = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) } });
        expect([path, auth, res.status]).toEqual([path, auth, 401]);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
      }
    }
    await expect(proxy.metrics.unauthorized.get()).resolves.toMatchObject({ values: [{ value: 12 }] });
  });

  it('with the token: routed and forwarded, and the upstream never sees the client token', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'MoM', messages: [{ role: 'user', content: 'write a python function' }] });
    expect(res.choices.length).toBeGreaterThan(0);
    expect(mock.seen.length).toBeGreaterThan(0);
    expect(mock.seen.at(-1)!.authorization ?? '').not.toContain(token);
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });

  it('/health, /ready, /metrics stay open', async () => {
    for (const p of ['/health', '/ready', '/metrics']) expect((await fetch(base + p)).status).toBe(200);
  });

  it('Fetch adapter: same rule', async () => {
    expect((await proxy.fetch(new Request('http://x/v1/models'))).status).toBe(401);
    expect((await proxy.fetch(new Request('http://x/v1/models', { headers: { authorization: `Bearer ${token}` } }))).status).toBe(200);
    expect((await proxy.fetch(new Request('http://x/health'))).status).toBe(200);
  });

  it('no token configured: open, as before', () => {
    expect(bearerMatches(undefined, undefined)).toBe(true);
    expect(bearerMatches('t', 'Bearer t')).toBe(true);
    expect(bearerMatches('t', 'Bearer tt')).toBe(false);
    expect(() => createProxy({ router, config: proxyConfig(mock.url, { coder: 'ok', writer: 'ok', helper: 'ok' }), apiToken: '' })).toThrow(/apiToken/);
  });
});
