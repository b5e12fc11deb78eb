// Issue 9, network side: no client can steer the route through headers or duplicate keys, the HTTP
// API's /v1 endpoints need the token when one is set, and gRPC can run over TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessingResponse } from '../src/proto.js';
import { authorized } from '../src/http-api.js';
import { DEFAULT_OPTIONS } from '../src/options.js';
import { FakeRouter } from './fake-router.js';
import { EnvoyLikeClient, chatHeaders, setHeadersOf } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

const forged = { 'x-selected-model': 'gpt-4o', 'x-semroute-decision': 'forged', 'X-Semroute-Cache': 'hit' };
const steering = ['x-selected-model', 'x-semroute-decision', 'x-semroute-cache'];

/** The header names the request headers answer removes. */
const removed = (r: ProcessingResponse | undefined) => r?.request_headers?.response?.header_mutation?.remove_headers ?? [];

describe('client-sent steering headers never survive', () => {
  const router = new FakeRouter();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness([router], { messageTimeoutMs: 60, maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => h.stop());

  const buffered: Array<[string, string]> = [
    ['concrete model', chatBody('hello', 'gpt-4o')],
    ['non-JSON body', 'not json {'],
    ['body over the limit', chatBody('a'.repeat(100 * 1024))],
    ['routed request', chatBody('fix this python bug')],
  ];
  for (const [name, body] of buffered) {
    it(`buffered, ${name}: the headers answer removes them and clears the route cache`, async () => {
      const [hdr] = await h.client.buffered(chatHeaders(forged), body);
      expect([...removed(hdr)].sort()).toEqual([...steering].sort());
      expect(hdr!.request_headers!.response!.clear_route_cache).toBe(true);
    });
  }

  it('buffered, deadline miss: removed at the headers answer, body continues untouched', async () => {
    router.delayMs = 200;
    try {
      const [hdr, bod] = await h.client.buffered(chatHeaders(forged), chatBody('slow one'));
      expect([...removed(hdr)].sort()).toEqual([...steering].sort());
      expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
    } finally {
      router.delayMs = 0;
    }
  });

  it('a request without a body (headers end the stream): removed too', async () => {
    const [hdr] = await h.client.buffered({ ...chatHeaders(forged), ':method': 'GET', ':path': '/v1/other' }, undefined);
    expect([...removed(hdr)].sort()).toEqual([...steering].sort());
  });

  it('no steering header sent: a plain CONTINUE (nothing to remove)', async () => {
    const [hdr] = await h.client.buffered(chatHeaders(), chatBody('hello', 'gpt-4o'));
    expect(hdr!.request_headers!.response).toEqual({ status: 'CONTINUE' });
  });

  it('full-duplex pass-through (concrete model, non-JSON): the held headers answer removes them', async () => {
    for (const body of [chatBody('hello', 'gpt-4o'), 'not json']) {
      const rs = await h.client.fullDuplex(chatHeaders(forged), [body]);
      expect([...removed(rs[0])].sort()).toEqual([...steering].sort());
    }
  });

  it('full-duplex routed: semroute sets its headers and removes the forged ones it does not set', async () => {
    const rs = await h.client.fullDuplex(chatHeaders(forged), [chatBody('fix this python bug')]);
    const r = rs[0]!.request_headers!.response!;
    expect(setHeadersOf(r.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    expect(setHeadersOf(r.header_mutation)['x-semroute-decision']?.value).toBe('coding');
    expect(r.header_mutation!.remove_headers).toEqual(['x-semroute-cache']);
  });

  it('full-duplex body over the limit: removed when the headers are released', async () => {
    const rs = await h.client.fullDuplex(chatHeaders(forged), [chatBody('a'.repeat(100 * 1024))]);
    expect([...removed(rs[0])].sort()).toEqual([...steering].sort());
  });

  it('duplicate top-level model keys: every occurrence is rewritten', async () => {
    const body = '{"model":"gpt-4o","messages":[{"role":"user","content":"fix this python bug"}],"model":"MoM"}';
    const [, bod] = await h.client.buffered(chatHeaders(), body);
    const out = Buffer.from(bod!.request_body!.response!.body_mutation!.body!).toString();
    expect(out).toBe(body.replaceAll('"gpt-4o"', '"qwen2.5-coder:7b"').replace('"MoM"', '"qwen2.5-coder:7b"'));
    expect(out).not.toContain('MoM');
  });

  it('a duplicate model key that is not a string: passed through untouched, no routing headers set', async () => {
    const body = '{"model":7,"messages":[{"role":"user","content":"fix this python bug"}],"model":"MoM"}';
    const [hdr, bod] = await h.client.buffered(chatHeaders(forged), body);
    expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
    expect(removed(hdr)).toContain('x-selected-model');
    expect(h.logs.some((l) => l.reason === 'rewrite_failed')).toBe(true);
  });
});

describe('session ids from the request', () => {
  const router = new FakeRouter();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness([router], { messageTimeoutMs: 1000 });
  });
  afterAll(async () => h.stop());

  it('a session id up to 256 characters reaches the router; a longer one is ignored with a log line', async () => {
    const ok = 's'.repeat(256);
    const long = 'x'.repeat(10_000);
    await h.client.buffered(chatHeaders({ 'x-session-id': ok }), chatBody('fix this python bug'));
    expect(router.routed.at(-1)!.ctx?.sessionId).toBe(ok);
    await h.client.buffered(chatHeaders({ 'x-session-id': long }), chatBody('fix this python bug'));
    expect(router.routed.at(-1)!.ctx).toBeDefined();
    expect(router.routed.at(-1)!.ctx!.sessionId).toBeUndefined();
    const res = await h.http('/v1/route', { method: 'POST', headers: { 'x-session-id': long }, body: chatBody('fix this python bug') });
    expect(res.status).toBe(200);
    expect(router.routed.at(-1)!.ctx!.sessionId).toBeUndefined();
    const warned = h.logs.filter((l) => String(l.msg).startsWith('session id ignored'));
    expect(warned).toHaveLength(2);
    expect(warned[0]).toMatchObject({ length: 10_000, header: 'x-session-id', msg: 'session id ignored: 10000 characters, over the 256 an outcome may carry' });
    expect(h.rawLogs.join('')).not.toContain(long);
    expect(await (await h.http('/metrics')).text()).toMatch(/semroute_errors_total\{kind="session_id_too_long"\} 2/);
  });
});

describe('HTTP API bearer token', () => {
  const token = 'test-token-0123456789';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness([new FakeRouter()], { apiToken: token });
  });
  afterAll(async () => h.stop());

  it('binds loopback by default', () => {
    expect(DEFAULT_OPTIONS.host).toBe('127.0.0.1');
  });

  it('every /v1 endpoint answers 401 without the token, or with a wrong one', async () => {
    const calls: Array<[string, RequestInit]> = [
      ['/v1/models', {}],
      ['/v1/route', { method: 'POST', body: chatBody('hello') }],
      ['/v1/outcomes', { method: 'POST', body: JSON.stringify({ decision: 'MoM', model: 'qwen-coder', success: true }) }],
    ];
    for (const [p, init] of calls) {
      for (const auth of [undefined, 'Bearer wrong-token', `Basic ${token}`, `Bearer ${token}x`, token]) {
        const res = await h.http(p, { ...init, headers: auth ? { authorization: auth } : {} });
        expect([p, auth, res.status]).toEqual([p, auth, 401]);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      const ok = await h.http(p, { ...init, headers: { authorization: `Bearer ${token}` } });
      expect([p, ok.status]).toEqual([p, 200]);
    }
    expect(await (await h.http('/metrics')).text()).toMatch(/semroute_http_unauthorized_total 15/);
  });

  it('/health, /ready and /metrics stay open', async () => {
    for (const p of ['/health', '/ready', '/metrics']) expect((await h.http(p)).status).toBe(200);
  });

  it('a new token (config reload) applies to the next request', async () => {
    h.server.setApiToken('rotated');
    expect((await h.http('/v1/models', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await h.http('/v1/models', { headers: { authorization: 'Bearer rotated' } })).status).toBe(200);
    h.server.setApiToken(token);
  });

  it('an unknown /v1 path needs the token before it is answered 404 (no endpoint list without it)', async () => {
    for (const p of ['/v1/nope', '/v1', '/v1/outcomes/extra']) {
      const res = await h.http(p);
      expect([p, res.status]).toEqual([p, 401]);
      expect(await res.text()).not.toMatch(/known:|\/v1\/route|\/metrics/);
      const ok = await h.http(p, { headers: { authorization: `Bearer ${token}` } });
      expect([p, ok.status]).toEqual([p, 404]);
      expect(((await ok.json()) as { error: { message: string } }).error.message).toContain('known:');
    }
    // Outside /v1 an unknown path is a plain 404, token or not.
    expect((await h.http('/nope')).status).toBe(404);
  });

  it('compares without regard to the token length (hashes) and accepts any Bearer case', () => {
    expect(authorized(undefined, undefined)).toBe(true);
    expect(authorized('a', 'bearer a')).toBe(true);
    expect(authorized('a', 'Bearer  a ')).toBe(true);
    expect(authorized('a', 'Bearer ')).toBe(false);
    expect(authorized('a', '')).toBe(false);
    expect(authorized('a', 'Bearer a b')).toBe(false);
  });
});

describe('gRPC over TLS', () => {
  let h: Harness;
  let cert: Buffer;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-tls-'));
    const [certFile, keyFile] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    cert = readFileSync(certFile);
    h = await startHarness([new FakeRouter()], { tls: { cert, key: readFileSync(keyFile) } });
  });
  afterAll(async () => h.stop());

  it('routes over TLS with the server certificate trusted', async () => {
    const client = new EnvoyLikeClient(`localhost:${h.server.grpcPort}`, grpc.credentials.createSsl(cert));
    try {
      const [, bod] = await client.buffered(chatHeaders(), chatBody('fix this python bug'));
      expect(setHeadersOf(bod!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    } finally {
      client.close();
    }
  });

  it('a plaintext client gets no answer', async () => {
    const client = new EnvoyLikeClient(`127.0.0.1:${h.server.grpcPort}`);
    try {
      await expect(client.buffered(chatHeaders(), chatBody('hello'))).rejects.toThrow();
    } finally {
      client.close();
    }
  });
});
