// Hono (through @hono/node-server and the Fetch adapter): a client that goes away mid-stream
// aborts the upstream call, and the proxy's in-flight gauge returns to zero.
import http from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '@semroute/router';
import { createProxy, type SemrouteProxy } from '../src/index.js';
import { proxyConfig, WordsEmbedder } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

let mock: MockUpstream;
let router: Router;
let proxy: SemrouteProxy;
let port: number;
let server: ReturnType<typeof serve>;

beforeAll(async () => {
  mock = await startMockUpstream();
  // coder's upstream sends one SSE chunk, then holds the connection open until the caller leaves.
  const config = proxyConfig(mock.url, { coder: 'hang', writer: 'ok', helper: 'ok' });
  router = await createRouter({ config, embedder: new WordsEmbedder() });
  proxy = createProxy({ router, config, env: {}, processMetrics: false });
  const app = new Hono();
  app.all('/v1/*', (c) => proxy.fetch(c.req.raw));
  port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await proxy.close();
  await router.close();
  await mock.close();
});

describe('proxy in Hono', () => {
  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    const body = JSON.stringify({ model: 'MoM', stream: true, messages: [{ role: 'user', content: 'python code' }] });
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          // Got the first chunk: leave without reading the rest.
          req.destroy();
          resolve(chunk.toString('utf8'));
        });
      });
      req.on('error', (err) => (err.message.includes('socket hang up') || err.message.includes('aborted') ? undefined : reject(err)));
      req.end(body);
    });
    expect(first).toContain('"content":"first"');
    const closed = await Promise.race([mock.hangClosed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 3_000))]);
    expect(closed).toBe('closed');
    let inflight = -1;
    for (let i = 0; i < 100 && inflight !== 0; i++) {
      inflight = (await proxy.metrics.inflight.get()).values[0]?.value ?? -1;
      if (inflight !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(inflight).toBe(0);
  });
});
