// The same proxy mounted in node:http, Express, Fastify and Hono, each driven by the openai SDK:
// a routed chat, a streamed chat, an OpenAI-style error, and the host app's own routes untouched.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '@semroute/router';
import { createProxy, type SemrouteProxy } from '../src/index.js';
import { proxyConfig, WordsEmbedder } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

let mock: MockUpstream;
let router: Router;
let proxy: SemrouteProxy;

beforeAll(async () => {
  mock = await startMockUpstream();
  const config = proxyConfig(mock.url, { coder: 'ok', writer: 'ok', helper: 'ok' });
  router = await createRouter({ config, embedder: new WordsEmbedder() });
  proxy = createProxy({ router, config, env: {}, processMetrics: false, maxBodyBytes: 4_000 });
});
afterAll(async () => {
  await proxy.close();
  await router.close();
  await mock.close();
});

/** Starts a host app on a free loopback port; returns its base URL and a stop function. */
type Host = () => Promise<{ base: string; stop: () => Promise<void> }>;

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};

const hosts: Record<string, Host> = {
  'node:http': () => listen(http.createServer((req, res) => (req.url === '/own' ? res.end('own route') : proxy.node(req, res)))),
  express: () => {
    const app = express();
    app.get('/own', (_req, res) => void res.send('own route'));
    app.use(proxy.node);
    return listen(http.createServer(app));
  },
  'express with express.json() before it': () => {
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.get('/own', (_req, res) => void res.send('own route'));
    app.use(proxy.node);
    return listen(http.createServer(app));
  },
  fastify: async () => {
    const app = Fastify();
    app.get('/own', async () => 'own route');
    await app.register(proxy.fastify);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return { base, stop: () => app.close() };
  },
  hono: async () => {
    const app = new Hono();
    app.get('/own', (c) => c.text('own route'));
    app.all('/v1/*', (c) => proxy.fetch(c.req.raw));
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve({ base: `http://127.0.0.1:${info.port}`, stop: () => new Promise<void>((r) => server.close(() => r())) }),
      );
    });
  },
};

describe.each(Object.entries(hosts))('proxy mounted in %s', (_name, host) => {
  it('routes, streams, answers OpenAI-style errors and leaves the host routes alone', async () => {
    const { base, stop } = await host();
    try {
      const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0, timeout: 10_000 });
      const { data, response } = await client.chat.completions.create({ model: 'MoM', messages: [{ role: 'user', content: 'python code' }] }).withResponse();
      expect(data.choices[0]!.message.content).toBe('answer from coder-7b');
      expect(response.headers.get('x-selected-model')).toBe('coder');

      const stream = await client.chat.completions.create({ model: 'writer', messages: [{ role: 'user', content: 'a poem' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).toBe('hello from ok');

      const bad = (await client.chat.completions.create({ model: 'MoM', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(bad.status).toBe(413);
      const malformed = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages": 3}' });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { param: string } }).error.param).toBe('messages');

      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).toContain('MoM');
      expect(await (await fetch(`${base}/own`)).text()).toBe('own route');
    } finally {
      await stop();
    }
  });
});
