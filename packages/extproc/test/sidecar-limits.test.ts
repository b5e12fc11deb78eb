// Issue 9, limits: a cap on open streams, an idle deadline per stream, one budget of buffered body
// bytes for the whole server (over it: pass-through, counted), memory handed back after a burst,
// /v1/route through the same admission and deadline as ext_proc, and a cache lookup that never
// outlives the message deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRouter } from './fake-router.js';
import { chatHeaders, headerMap, setHeadersOf } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const metric = async (hh: Harness, name: string) => {
  const text = await (await hh.http('/metrics')).text();
  const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

const fullDuplexHeaders = (hh: Harness) => {
  const s = hh.client.open();
  s.send({ request_headers: { headers: headerMap(chatHeaders()), end_of_stream: false }, protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'NONE' } });
  return s;
};

describe('stream limits', () => {
  it('refuses streams beyond maxStreams with RESOURCE_EXHAUSTED; a freed slot is reusable', async () => {
    h = await startHarness([new FakeRouter()], { maxStreams: 2 });
    const a = fullDuplexHeaders(h);
    const b = fullDuplexHeaders(h);
    await new Promise((r) => setTimeout(r, 100));
    await expect(h.client.buffered(chatHeaders(), chatBody('third'))).rejects.toThrow(/RESOURCE_EXHAUSTED/);
    expect(await metric(h, 'semroute_extproc_stream_limit_total{reason="stream_cap"}')).toBe(1);
    // A refused stream still gets its request headers answered, with the client's steering headers
    // removed, before the refusal: flooding the sidecar does not let a client pick the route.
    const c = h.client.open();
    c.send({ request_headers: { headers: headerMap({ ...chatHeaders(), 'x-selected-model': 'gpt-4o', 'x-semroute-decision': 'x' }), end_of_stream: false } });
    const hdr = await c.next();
    expect([...(hdr?.request_headers?.response?.header_mutation?.remove_headers ?? [])].sort()).toEqual(['x-selected-model', 'x-semroute-decision']);
    await expect(c.next(3000)).rejects.toThrow(/RESOURCE_EXHAUSTED/);
    expect(await metric(h, 'semroute_extproc_stream_limit_total{reason="stream_cap"}')).toBe(2);
    a.call.cancel();
    b.call.cancel();
    await new Promise((r) => setTimeout(r, 100));
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    expect(bod!.request_body!.response!.clear_route_cache).toBe(true);
  });

  it('closes a stream that sends headers and then nothing, with DEADLINE_EXCEEDED', async () => {
    h = await startHarness([new FakeRouter()], { streamIdleTimeoutMs: 150 });
    const s = h.client.open();
    s.send({ request_headers: { headers: headerMap(chatHeaders()), end_of_stream: false } });
    await s.next();
    const t0 = performance.now();
    await expect(s.next(3000)).rejects.toThrow(/DEADLINE_EXCEEDED|ended/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await metric(h, 'semroute_extproc_stream_limit_total{reason="idle_timeout"}')).toBe(1);
    expect(await metric(h, 'semroute_extproc_streams_in_flight')).toBe(0);
  });

  it('full-duplex, idle with the body incomplete: the held headers answer removes the client\'s steering headers before the close', async () => {
    h = await startHarness([new FakeRouter()], { streamIdleTimeoutMs: 150 });
    const s = h.client.open();
    const forged = { 'x-selected-model': 'gpt-4o', 'x-semroute-decision': 'forged' };
    s.send({
      request_headers: { headers: headerMap(chatHeaders(forged)), end_of_stream: false },
      protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'NONE' },
    });
    s.send({ request_body: { body: Buffer.from('{"model": "MoM", "messages": [{"role": "us'), end_of_stream: false } });
    const first = await s.next(3000);
    expect(first.request_headers!.response!.header_mutation!.remove_headers!.slice().sort()).toEqual(['x-selected-model', 'x-semroute-decision']);
    expect(first.request_headers!.response!.clear_route_cache).toBe(true);
    await expect(s.next(3000)).rejects.toThrow(/DEADLINE_EXCEEDED|ended/);
    expect(await metric(h, 'semroute_extproc_stream_limit_total{reason="idle_timeout"}')).toBe(1);
    expect(await metric(h, 'semroute_buffered_body_bytes')).toBe(0);
  });

  it('a stream that keeps talking is not idle', async () => {
    h = await startHarness([new FakeRouter()], { streamIdleTimeoutMs: 200 });
    const s = fullDuplexHeaders(h);
    const body = Buffer.from(chatBody('fix this python bug'));
    for (let i = 0; i < body.length; i += 20) {
      await new Promise((r) => setTimeout(r, 20));
      s.send({ request_body: { body: body.subarray(i, i + 20), end_of_stream: i + 20 >= body.length } });
    }
    const first = await s.next();
    expect(setHeadersOf(first.request_headers!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    s.end();
  });
});

describe('gRPC message limit', () => {
  it('a BUFFERED body of exactly --max-body-bytes (default 8 MiB) fits one gRPC message and is routed; one byte more passes through', async () => {
    h = await startHarness([new FakeRouter()], { messageTimeoutMs: 10_000 });
    const limit = h.server.options.maxBodyBytes;
    expect(limit).toBe(8 * 1024 * 1024);
    const sized = (n: number) => {
      const base = chatBody('fix this python bug ');
      const body = chatBody(`fix this python bug ${'x'.repeat(n - base.length)}`);
      expect(Buffer.byteLength(body)).toBe(n);
      return body;
    };
    const [hdr, bod] = await h.client.buffered(chatHeaders(), sized(limit));
    expect(hdr!.request_headers!.response!.status).toBe('CONTINUE');
    expect(setHeadersOf(bod!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    const [, over] = await h.client.buffered(chatHeaders(), sized(limit + 1));
    expect(over!.request_body!.response).toEqual({ status: 'CONTINUE' });
    expect(await metric(h, 'semroute_passthrough_total{reason="body_too_large"}')).toBe(1);
  }, 30_000);
});

describe('buffered body byte budget', () => {
  it('a body that does not fit the server budget passes through (buffer_budget); the bytes come back', async () => {
    h = await startHarness([new FakeRouter()], { maxBufferedBytes: 100 * 1024, maxBodyBytes: 1024 * 1024 });
    const held = fullDuplexHeaders(h);
    held.send({ request_body: { body: Buffer.alloc(80 * 1024, 0x20), end_of_stream: false } });
    await new Promise((r) => setTimeout(r, 100));
    expect(await metric(h, 'semroute_buffered_body_bytes')).toBe(80 * 1024);

    // 80 KiB held: a 30 KiB body does not fit and continues untouched.
    const big = chatBody(`fix this python bug ${'x'.repeat(30 * 1024)}`);
    const rs = await h.client.fullDuplex(chatHeaders(), [big]);
    expect(rs[0]!.request_headers!.response).toEqual({ status: 'CONTINUE' });
    expect(await metric(h, 'semroute_passthrough_total{reason="buffer_budget"}')).toBe(1);
    const [, bod] = await h.client.buffered(chatHeaders(), big);
    expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
    expect(await metric(h, 'semroute_passthrough_total{reason="buffer_budget"}')).toBe(2);
    // A small one still fits and is routed.
    const [, small] = await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    expect(small!.request_body!.response!.clear_route_cache).toBe(true);

    // The holder goes away mid-body: its bytes are returned, and the big body routes again.
    held.call.cancel();
    await new Promise((r) => setTimeout(r, 100));
    expect(await metric(h, 'semroute_buffered_body_bytes')).toBe(0);
    const [, again] = await h.client.buffered(chatHeaders(), big);
    expect(again!.request_body!.response!.clear_route_cache).toBe(true);
  });

  it('after a burst of streams abandoned mid-body, every byte is returned', async () => {
    h = await startHarness([new FakeRouter()], { maxBufferedBytes: 8 * 1024 * 1024, maxBodyBytes: 4 * 1024 * 1024 });
    const streams = Array.from({ length: 30 }, () => fullDuplexHeaders(h!));
    for (const s of streams) for (let i = 0; i < 4; i++) s.send({ request_body: { body: Buffer.alloc(64 * 1024, 0x61), end_of_stream: false } });
    await new Promise((r) => setTimeout(r, 300));
    const peak = await metric(h, 'semroute_buffered_body_bytes');
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(8 * 1024 * 1024);
    for (const s of streams) s.call.cancel();
    await new Promise((r) => setTimeout(r, 300));
    expect(await metric(h, 'semroute_buffered_body_bytes')).toBe(0);
    expect(await metric(h, 'semroute_extproc_streams_in_flight')).toBe(0);
  });
});

describe('/v1/route shares admission and the deadline with ext_proc', () => {
  it('answers 503 overloaded (with Retry-After) when it cannot be routed within the deadline', async () => {
    const router = new FakeRouter();
    router.delayMs = 40;
    h = await startHarness([router], { maxConcurrentRouting: 1, messageTimeoutMs: 60 });
    const calls = await Promise.all(Array.from({ length: 4 }, () => h!.http('/v1/route', { method: 'POST', body: chatBody('hello') })));
    const statuses = calls.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(503);
    const shed = calls.find((r) => r.status === 503)!;
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(((await shed.json()) as { error: { code: string } }).error.code).toBe('overloaded');
  });

  it('an HTTP caller holding the slot makes ext_proc requests wait in the same queue', async () => {
    const router = new FakeRouter();
    router.delayMs = 200;
    h = await startHarness([router], { maxConcurrentRouting: 1, messageTimeoutMs: 100 });
    const http = h.http('/v1/route', { method: 'POST', body: chatBody('hello') });
    await new Promise((r) => setTimeout(r, 20));
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' }); // shed at the deadline
    expect((await http).status).toBe(503);
  });
});

describe('cache lookup budget', () => {
  it('a cache that does not answer within what is left of the deadline is skipped; the request is still routed', async () => {
    const settings = { mode: 'exact' as const, similarityThreshold: 0.92, ttlSeconds: 60, maxEntries: 10 };
    const router = new FakeRouter('v1', { coding: settings });
    router.cacheHangs = true; // e.g. Redis paused
    h = await startHarness([router], { messageTimeoutMs: 80 });
    const t0 = performance.now();
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    expect(performance.now() - t0).toBeLessThan(1000);
    const r = bod!.request_body!.response!;
    expect(setHeadersOf(r.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    expect(await metric(h, 'semroute_cache_total{result="skipped"}')).toBe(1);
    expect(await metric(h, 'semroute_passthrough_total{reason="timeout"}')).toBe(0);
  });
});

describe('memory after a burst', () => {
  it('returns freed native heap memory at the checks after a burst of buffered bodies, and not otherwise', async () => {
    let trims = 0;
    const trimNativeHeap = () => {
      trims++;
      return true;
    };
    h = await startHarness([new FakeRouter()], { heapTrimEveryMs: 20 }, true, { trimNativeHeap });
    // Small bodies alone are no burst: no trim.
    await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    await new Promise((r) => setTimeout(r, 100));
    expect(trims).toBe(0);
    // A 1.5 MB body held while it is routed: trims at the TRIM_ROUNDS (12) checks after it is released.
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody(`fix this python bug ${'x'.repeat(1_500_000)}`));
    expect(setHeadersOf(bod!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    for (const t0 = performance.now(); trims < 12 && performance.now() - t0 < 5000; ) await new Promise((r) => setTimeout(r, 20));
    expect(trims).toBe(12);
    expect(await metric(h, 'semroute_heap_trims_total{released="true"}')).toBe(12);
    await new Promise((r) => setTimeout(r, 100));
    expect(trims).toBe(12);
  });
});
