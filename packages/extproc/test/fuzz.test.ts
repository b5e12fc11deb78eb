// Property-based fuzzing (fast-check, bounded runs and time): random and mutated ext_proc messages,
// chat bodies with duplicate keys, hostile HTTP bodies. Asserted: the server never crashes, every
// answer is a pass-through or a correct routing (never half-rewritten, never a surviving steering
// header), HTTP errors are clear, and nothing is left held (streams, buffered bytes) afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessingRequest, ProcessingResponse } from '../src/proto.js';
import { parseChatBody } from '@semroute/router';
import { replaceTopLevelString } from '../src/model-rewrite.js';
import { FakeRouter } from './fake-router.js';
import { chatHeaders, headerMap, setHeadersOf } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

/** Runs per property and a wall-clock cap, so the suite stays bounded on a slow machine (SEMROUTE_FUZZ_RUNS for a longer soak). */
const SOAK = Number(process.env.SEMROUTE_FUZZ_RUNS ?? 0);
const RUNS = SOAK > 0 ? { numRuns: SOAK, interruptAfterTimeLimit: 600_000 } : { numRuns: 150, interruptAfterTimeLimit: 15_000 };

const router = new FakeRouter();
let h: Harness;
const token = 'fuzz-token';

beforeAll(async () => {
  h = await startHarness([router], { messageTimeoutMs: 50, maxBodyBytes: 16 * 1024, maxBufferedBytes: 64 * 1024, streamIdleTimeoutMs: 2000, apiToken: token });
});
afterAll(async () => h.stop());

const metric = async (name: string) => {
  const text = await (await h.http('/metrics')).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

// ------------------------------------------------------------------ generators

const headerName = fc.oneof(
  fc.constantFrom(':method', ':path', 'content-type', 'x-request-id', 'authorization', 'x-selected-model', 'X-Selected-Model', 'x-semroute-decision', 'X-SEMROUTE-CACHE', 'x-semroute-'),
  fc.string({ maxLength: 24 }),
);
const headerList = fc.array(fc.record({ key: headerName, raw_value: fc.uint8Array({ maxLength: 48 }) }), { maxLength: 8 });
const mode = fc.constantFrom('NONE', 'STREAMED', 'BUFFERED', 'BUFFERED_PARTIAL', 'FULL_DUPLEX_STREAMED');

/** JSON-ish chat bodies with random mutations: cut, byte flips, duplicated keys, wrong types. */
const mutatedChat = fc
  .tuple(fc.string({ maxLength: 200 }), fc.constantFrom('MoM', 'auto', 'gpt-4o', 'coding', ''), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat({ max: 400 }))
  .map(([text, model, flips, cut]) => {
    const bytes = Buffer.from(chatBody(text, model));
    for (const [at, v] of flips) bytes[at % bytes.length] = v;
    return cut > 0 && cut < bytes.length ? bytes.subarray(0, bytes.length - cut) : bytes;
  });
const bodyBytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)), mutatedChat, fc.constant(Buffer.alloc(20 * 1024, 0x7b)));

const message: fc.Arbitrary<ProcessingRequest> = fc.oneof(
  fc.record(
    {
      request_headers: fc.record({ headers: fc.record({ headers: headerList }), end_of_stream: fc.boolean() }),
      protocol_config: fc.record({ request_body_mode: mode, response_body_mode: mode }),
      observability_mode: fc.boolean(),
    },
    { requiredKeys: ['request_headers'] },
  ),
  fc.record({ request_body: fc.record({ body: bodyBytes, end_of_stream: fc.boolean() }) }),
  fc.record({ request_trailers: fc.constant({}) }),
  fc.record({ response_headers: fc.record({ headers: fc.record({ headers: headerList }), end_of_stream: fc.boolean() }) }),
  fc.record({ response_body: fc.record({ body: bodyBytes, end_of_stream: fc.boolean() }) }),
  fc.constant({}),
) as fc.Arbitrary<ProcessingRequest>;

/** Sends `msgs` on one stream, then ends it; resolves with what came back (or the stream's error). */
async function exchange(msgs: ProcessingRequest[]): Promise<{ out: ProcessingResponse[]; error?: string }> {
  const s = h.client.open();
  const out: ProcessingResponse[] = [];
  for (const m of msgs) s.send(m);
  s.end();
  for (;;) {
    try {
      out.push(await s.next(3000));
    } catch (err) {
      const msg = (err as Error).message;
      return msg === 'stream ended by the server' ? { out } : { out, error: msg };
    }
  }
}

// ------------------------------------------------------------------ properties

describe('fuzz: ext_proc streams', () => {
  it('random message sequences: no crash, no hang, a clean stream end; nothing held afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), async (msgs) => {
        const { error } = await exchange(msgs);
        // A stream either ends normally or with a gRPC status (never a hang: next() would time out).
        if (error) expect(error).toMatch(/^\d+ [A-Z_]+:/);
      }),
      RUNS,
    );
    // The server still routes, and gave back every stream and byte.
    const [, bod] = await h.client.buffered(chatHeaders(), chatBody('fix this python bug'));
    expect(bod!.request_body!.response!.clear_route_cache).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(await metric('semroute_extproc_streams_in_flight')).toBe(0);
    expect(await metric('semroute_buffered_body_bytes')).toBe(0);
  });

  it('buffered requests with random headers and mutated bodies: steering headers removed, body untouched or fully rewritten', async () => {
    await fc.assert(
      fc.asyncProperty(headerList, mutatedChat, async (headers, body) => {
        const s = h.client.open();
        const list = [...headerMap(chatHeaders()).headers, ...headers];
        s.send({ request_headers: { headers: { headers: list }, end_of_stream: false } });
        const hdr = await s.next();
        s.send({ request_body: { body, end_of_stream: true } });
        const bod = await s.next();
        s.end();
        const sent = new Set(list.map((x) => x.key.toLowerCase()).filter((k) => /^(x-selected-model$|x-semroute-)/.test(k)));
        expect(new Set(hdr.request_headers!.response!.header_mutation?.remove_headers ?? [])).toEqual(sent);
        const r = bod.request_body!.response!;
        if (!r.body_mutation) {
          expect(r).toEqual({ status: 'CONTINUE' });
          return;
        }
        // Routed: the new body parses, says the provider model, and has no other top-level model left.
        const out = Buffer.from(r.body_mutation.body!).toString('utf8');
        const parsed = JSON.parse(out) as { model: string };
        expect(['qwen2.5-coder:7b', 'gemini-2.5-flash']).toContain(parsed.model);
        expect(setHeadersOf(r.header_mutation)['content-length']?.value).toBe(String(Buffer.byteLength(out)));
        expect(replaceTopLevelString(out, 'model', parsed.model)).toBe(out);
      }),
      RUNS,
    );
  });

  it('bodies built from key/value pairs with duplicate "model" keys: rewritten in every occurrence, or passed through', async () => {
    const value = fc.constantFrom('"MoM"', '"auto"', '"gpt-4o"', '7', 'null', '{"model":"MoM"}', '[1,"MoM"]', '"\\u004doM"');
    const pair = fc.oneof(fc.tuple(fc.constant('model'), value), fc.tuple(fc.constantFrom('temperature', 'stream', 'x', 'mo\\u0064el'), value));
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 5 }), fc.nat({ max: 5 }), async (pairs, at) => {
        const all: Array<[string, string]> = [...pairs];
        all.splice(at % (all.length + 1), 0, ['messages', '[{"role":"user","content":"fix this python bug"}]']);
        const text = `{${all.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
        const [, bod] = await h.client.buffered(chatHeaders(), text);
        const r = bod!.request_body!.response!;
        const models = all.filter(([k]) => k === 'model' || k === 'mo\\u0064el');
        if (!r.body_mutation) {
          expect(r).toEqual({ status: 'CONTINUE' });
          return;
        }
        // Routed only when the last model (what JSON.parse keeps) is an auto name; then every copy says the provider id.
        const expected = `{${all.map(([k, v]) => `"${k}": ${k === 'model' || k === 'mo\\u0064el' ? '"qwen2.5-coder:7b"' : v}`).join(', ')}}`;
        expect(models.length).toBeGreaterThan(0);
        expect(Buffer.from(r.body_mutation.body!).toString()).toBe(expected);
      }),
      RUNS,
    );
  });
});

describe('fuzz: body parsing', () => {
  it('parseChatBody and replaceTopLevelString never throw; a rewrite always parses to the new model', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), mutatedChat.map((b) => b.toString('latin1'))), fc.string({ maxLength: 20 }), (text, value) => {
        const parsed = parseChatBody(Buffer.from(text, 'utf8'));
        expect(typeof parsed.ok).toBe('boolean');
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid) return;
        const out = replaceTopLevelString(text, 'model', value);
        if (out !== undefined) expect((JSON.parse(out) as { model: string }).model).toBe(value);
      }),
      SOAK > 0 ? { numRuns: SOAK * 10, interruptAfterTimeLimit: 600_000 } : { numRuns: 2000, interruptAfterTimeLimit: 10_000 },
    );
  });
});

describe('fuzz: HTTP API', () => {
  const path = fc.constantFrom('/v1/route', '/v1/outcomes', '/v1/models', '/v1/nope', '/health');
  const body = fc.oneof(
    fc.json(),
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.record({ decision: fc.string(), model: fc.string(), ttftMs: fc.double(), success: fc.anything() }).map((o) => JSON.stringify([o, o])),
    fc.constant('x'.repeat(20 * 1024)),
  );
  const auth = fc.constantFrom(undefined, `Bearer ${token}`, 'Bearer nope', token, '');

  it('every answer is a known status with a JSON error naming what is wrong; the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(path, body, auth, fc.constantFrom('GET', 'POST', 'PUT'), async (p, b, a, method) => {
        const res = await h.http(p, { method, ...(method === 'GET' ? {} : { body: b }), headers: a === undefined ? {} : { authorization: a } });
        expect([200, 400, 401, 404, 405, 413, 503]).toContain(res.status);
        const json = (await res.json()) as { error?: { code: string; message: string } };
        if (res.status >= 400) {
          expect(json.error?.code).toMatch(/^[a-z_]+$/);
          expect(json.error?.message.length).toBeGreaterThan(0);
        }
        if (p.startsWith('/v1/') && a !== `Bearer ${token}`) expect([401, 404]).toContain(res.status);
      }),
      // Always tried first: JSON bodies that are not chat requests (a null body once got a 500
      // from the test router, which lacked the real router's request check).
      { ...RUNS, examples: ['null', '[]', '5', '"x"', '{}'].map((b): ['/v1/route', string, `Bearer ${typeof token}`, 'GET' | 'POST' | 'PUT'] => ['/v1/route', b, `Bearer ${token}`, 'POST']) },
    );
    expect((await h.http('/health')).status).toBe(200);
    expect(await metric('semroute_buffered_body_bytes')).toBe(0);
  });
});
