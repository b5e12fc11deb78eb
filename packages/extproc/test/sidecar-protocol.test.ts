// The ext_proc protocol against a fake router: buffered and full-duplex mutations, pass-through of
// every bad input, deadlines, /v1/models, response headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessingResponse } from '../src/proto.js';
import { FakeRouter } from './fake-router.js';
import { chatHeaders, setHeadersOf } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

const router = new FakeRouter();
let h: Harness;

beforeAll(async () => {
  h = await startHarness([router], { messageTimeoutMs: 100, maxBodyBytes: 1024 * 1024 });
});
afterAll(async () => h.stop());

/** The body Envoy forwards after a full-duplex exchange: the concatenated streamed chunks. */
function streamedBody(rs: ProcessingResponse[]): Buffer {
  return Buffer.concat(rs.flatMap((r) => (r.request_body?.response?.body_mutation?.streamed_response ? [Buffer.from(r.request_body.response.body_mutation.streamed_response.body)] : [])));
}

describe('buffered mode (the seed gateway config)', () => {
  it('routes an auto model: overwrite x-selected-model, rewrite model, fix content-length, clear the route cache', async () => {
    const body = '{ "model": "MoM", "messages": [{"role": "user", "content": "fix this python bug"}], "temperature": 1.0, "stream": false }';
    const [hdr, bod] = await h.client.buffered(chatHeaders({ 'x-selected-model': 'client-forged' }), body);
    expect(hdr!.request_headers?.response?.header_mutation?.set_headers ?? []).toEqual([]);
    const r = bod!.request_body!.response!;
    expect(r.clear_route_cache).toBe(true);
    const set = setHeadersOf(r.header_mutation);
    expect(set['x-selected-model']).toEqual({ value: 'qwen-coder', action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
    expect(set['x-semroute-decision']?.value).toBe('coding');
    expect(set['x-semroute-confidence']?.value).toBe('0.900');
    const newBody = Buffer.from(r.body_mutation!.body!);
    expect(set['content-length']?.value).toBe(String(newBody.length));
    // Only the model changed, every other byte (e.g. "1.0") is as the client sent it.
    expect(newBody.toString()).toBe(body.replace('"model": "MoM"', '"model": "qwen2.5-coder:7b"'));
  });

  it('passes an explicit model through untouched', async () => {
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('hello', 'gpt-4o'));
    expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
  });

  it('answers a body-less request at the headers phase', async () => {
    const rs = await h.client.buffered({ ':method': 'GET', ':path': '/healthz' }, undefined);
    expect(rs).toHaveLength(1);
    expect(rs[0]!.request_headers?.response).toEqual({ status: 'CONTINUE' });
  });
});

describe('full-duplex streamed mode (agentgateway default)', () => {
  it('holds the headers answer until the body is routed, then streams the rewritten body back', async () => {
    const body = chatBody('write python code to sort a list');
    const chunks = [body.slice(0, 7), body.slice(7, 30), body.slice(30)];
    const rs = await h.client.fullDuplex(chatHeaders(), chunks);
    expect(rs[0]!.request_headers).toBeDefined();
    const r = rs[0]!.request_headers!.response!;
    expect(r.clear_route_cache).toBe(true);
    const set = setHeadersOf(r.header_mutation);
    expect(set['x-selected-model']).toEqual({ value: 'qwen-coder', action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
    const forwarded = streamedBody(rs.slice(1));
    expect(JSON.parse(forwarded.toString()).model).toBe('qwen2.5-coder:7b');
    expect(set['content-length']?.value).toBe(String(forwarded.length));
    expect(rs.at(-1)!.request_body!.response!.body_mutation!.streamed_response!.end_of_stream).toBe(true);
  });

  it('treats request trailers as the end of the body (agentgateway sends them in this mode)', async () => {
    const s = h.client.open();
    s.send({ request_headers: { headers: { headers: [{ key: ':method', raw_value: Buffer.from('POST') }] } }, protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED' } });
    s.send({ request_body: { body: Buffer.from(chatBody('fix this python code')), end_of_stream: false } });
    s.send({ request_trailers: { trailers: { headers: [] } } });
    const first = await s.next();
    expect(setHeadersOf(first.request_headers!.response!.header_mutation)['x-selected-model']?.value).toBe('qwen-coder');
    const body = await s.next();
    expect(body.request_body!.response!.body_mutation!.streamed_response!.end_of_stream).toBe(false);
    expect((await s.next()).request_trailers).toBeDefined();
    s.end();
  });

  it('echoes response body chunks in full-duplex response mode', async () => {
    const s = h.client.open();
    s.send({ request_headers: { headers: { headers: [] }, end_of_stream: true }, protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'FULL_DUPLEX_STREAMED' } });
    await s.next();
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }] } } });
    await s.next();
    s.send({ response_body: { body: Buffer.from('data: x\n\n'), end_of_stream: true } });
    const r = await s.next();
    expect(Buffer.from(r.response_body!.response!.body_mutation!.streamed_response!.body).toString()).toBe('data: x\n\n');
    expect(r.response_body!.response!.body_mutation!.streamed_response!.end_of_stream).toBe(true);
    s.end();
  });

  it('splits a large rewritten body into chunks of at most 64 KiB', async () => {
    const body = chatBody(`please explain ${'x'.repeat(200_000)}`);
    const rs = await h.client.fullDuplex(chatHeaders(), [body.slice(0, 100_000), body.slice(100_000)]);
    const parts = rs.slice(1).map((r) => r.request_body!.response!.body_mutation!.streamed_response!.body.length);
    expect(Math.max(...parts)).toBeLessThanOrEqual(64 * 1024);
    expect(streamedBody(rs).toString()).toBe(body.replace('"model":"MoM"', '"model":"gemini-2.5-flash"'));
  });
});

describe('bad input always continues untouched', () => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  const cases: Array<[string, Buffer | string]> = [
    ['non-JSON', 'this is not json {'],
    ['empty body', ''],
    ['missing messages', JSON.stringify({ model: 'MoM', prompt: 'hi' })],
    ['messages not an array', JSON.stringify({ model: 'MoM', messages: 'hi' })],
    ['JSON array', '[1,2,3]'],
    ['model not a string', JSON.stringify({ model: 7, messages: [] })],
    ['unknown model', chatBody('hello', 'no-such-model')],
    ['binary garbage', garbage],
    // Over the 1 MiB body limit, within the gRPC message limit (body limit + 1 MiB headroom).
    ['1.5 MiB body', chatBody('a'.repeat(1.5 * 1024 * 1024))],
  ];

  for (const [name, body] of cases) {
    it(`buffered: ${name}`, async () => {
      const before = router.routed.length;
      const rs = await h.client.buffered(chatHeaders(), body);
      expect(rs).toHaveLength(2);
      expect(rs[1]!.request_body!.response).toEqual({ status: 'CONTINUE' });
      expect(router.routed.length).toBe(before);
    });

    it(`full-duplex: ${name}`, async () => {
      const buf = Buffer.from(body);
      // Envoy streams a body in pieces of at most its buffer size (64 KiB here).
      const chunks = buf.length > 3 ? [buf.subarray(0, 3), ...splitEvery(buf.subarray(3), 64 * 1024)] : [buf];
      const rs = await h.client.fullDuplex(chatHeaders(), chunks);
      expect(rs[0]!.request_headers!.response).toEqual({ status: 'CONTINUE' });
      expect(streamedBody(rs).equals(buf)).toBe(true);
    });
  }

  it('full-duplex: a 10 MB body in 64 KiB chunks continues untouched', async () => {
    const buf = Buffer.from(chatBody('a'.repeat(10 * 1024 * 1024)));
    const rs = await h.client.fullDuplex(chatHeaders(), splitEvery(buf, 64 * 1024));
    expect(rs[0]!.request_headers!.response).toEqual({ status: 'CONTINUE' });
    expect(streamedBody(rs).equals(buf)).toBe(true);
  });

  it('buffered: one message over the body limit + headroom fails that stream only (the gateway fails open)', async () => {
    await expect(h.client.buffered(chatHeaders(), chatBody('a'.repeat(10 * 1024 * 1024)))).rejects.toThrow(/RESOURCE_EXHAUSTED/);
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('still serving'));
    expect(bod!.request_body!.response!.clear_route_cache).toBe(true);
  });

  it('logs why, and never the Authorization header', () => {
    const reasons = h.logs.filter((l) => l.outcome === 'pass').map((l) => l.reason);
    expect(reasons).toEqual(expect.arrayContaining(['not_json', 'empty_body', 'no_messages', 'not_object', 'bad_model', 'explicit_model', 'not_utf8', 'body_too_large']));
    expect(h.rawLogs.join('')).not.toContain('sk-secret-key');
  });
});

describe('deadlines and router failures', () => {
  it('continues untouched when routing is slower than the message deadline', async () => {
    router.delayMs = 400;
    try {
      const t0 = performance.now();
      const [, bod] = await h.client.buffered(chatHeaders(), chatBody('fix my code'));
      expect(performance.now() - t0).toBeLessThan(300);
      expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
      expect(h.logs.some((l) => l.reason === 'timeout')).toBe(true);
    } finally {
      router.delayMs = 0;
      // The late call keeps its routing slot until it returns (one at a time by default).
      await new Promise((r) => setTimeout(r, 400));
    }
  });

  it('continues untouched when the router throws (e.g. an embedding error)', async () => {
    router.failWith = Object.assign(new Error('embedding the prompt failed: boom'), { code: 'EMBEDDING_FAILED' });
    try {
      const rs = await h.client.fullDuplex(chatHeaders(), [chatBody('hello there')]);
      expect(rs[0]!.request_headers!.response).toEqual({ status: 'CONTINUE' });
      const metrics = await (await h.http('/metrics')).text();
      expect(metrics).toMatch(/semroute_errors_total\{kind="route_embedding_failed"\} 1/);
    } finally {
      router.failWith = undefined;
    }
  });
});

describe('other phases', () => {
  it('answers GET /v1/models locally', async () => {
    const rs = await h.client.buffered({ ':method': 'GET', ':path': '/v1/models' }, undefined);
    const ir = rs[0]!.immediate_response!;
    expect(ir.status.code).toBe('OK'); // HttpStatus 200, decoded as its enum name
    const list = JSON.parse(Buffer.from(ir.body!).toString());
    expect(list.object).toBe('list');
    expect(list.data.map((m: { id: string }) => m.id)).toEqual(['MoM', 'auto', 'qwen-coder', 'gemini-flash']);
    expect(setHeadersOf(ir.headers)['content-type']?.value).toBe('application/json');
  });

  it('adds the selection headers to the response for the client', async () => {
    const s = h.client.open();
    s.send({ request_headers: { headers: { headers: [{ key: ':method', raw_value: Buffer.from('POST') }] } } });
    await s.next();
    s.send({ request_body: { body: Buffer.from(chatBody('debug this code')), end_of_stream: true } });
    await s.next();
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }] } } });
    const r = await s.next();
    s.end();
    const set = setHeadersOf(r.response_headers!.response!.header_mutation);
    expect(set['x-selected-model']?.value).toBe('qwen-coder');
    expect(set['x-semroute-decision']?.value).toBe('coding');
    expect(r.mode_override).toBeUndefined(); // no cache on this decision: the response body is not requested
  });

  it('sends nothing back in observability mode', async () => {
    const s = h.client.open();
    s.send({ request_headers: { headers: { headers: [] } }, observability_mode: true });
    s.send({ request_headers: { headers: { headers: [] }, end_of_stream: true } });
    const r = await s.next();
    expect(r.request_headers).toBeDefined(); // the first answer is to the second (non-observability) message
    s.end();
  });

  it('logs one JSON line per decision with the required fields', () => {
    const line = h.logs.find((l) => l.msg === 'routed' && l.selectedModel === 'qwen-coder')!;
    expect(line).toMatchObject({ requestId: 'req-1', originalModel: 'MoM', selectedModel: 'qwen-coder', decision: 'coding', algorithm: 'static', confidence: 0.9, reasonCode: 'auto_routing' });
    expect(typeof line.routingLatencyMs).toBe('number');
    expect(line.prompt).toBeUndefined();
  });
});

function splitEvery(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += size) out.push(buf.subarray(at, at + size));
  return out;
}
