// End to end with real parts: the seed config verbatim, the real all-MiniLM-L6-v2 embedder, the real
// gRPC server, and a client speaking ext_proc as Envoy / agentgateway do (buffered and full-duplex),
// plus every kind of bad input passing through untouched.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../packages/router/src/index.js';
import { SemrouteServer, createLogger } from '../packages/extproc/src/index.js';
import type { ProcessingResponse } from '../packages/extproc/src/proto.js';
import { EnvoyLikeClient, chatHeaders, setHeadersOf } from '../packages/extproc/test/envoy-client.js';

const SEED = path.resolve(__dirname, 'reference/seed-router-config.yaml');
const MODEL = path.resolve(__dirname, '../models/all-MiniLM-L6-v2');

let server: SemrouteServer;
let client: EnvoyLikeClient;

beforeAll(async () => {
  server = await SemrouteServer.start(
    { loadRouter: (onError) => createRouter({ config: SEED, defaultModelDir: MODEL, onError }), logger: createLogger('silent') },
    // A generous deadline: this machine is shared; the deadline path has its own tests.
    { host: '127.0.0.1', grpcPort: 0, httpPort: 0, messageTimeoutMs: 5000 },
  );
  await server.loaded;
  client = new EnvoyLikeClient(`127.0.0.1:${server.grpcPort}`);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

const body = (prompt: string, model = 'MoM') => JSON.stringify({ model, messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: prompt }], max_tokens: 256 });

const cases: Array<[string, string, string]> = [
  ['Write me a Python function to compute fibonacci numbers using memoization', 'qwen-coder', 'qwen2.5-coder:7b'],
  ['Prove that the square root of 2 is irrational', 'gpt-4o', 'gpt-4o'],
  ["What's the capital of Australia?", 'gemini-flash', 'gemini-2.5-flash'],
];

function streamed(rs: ProcessingResponse[]): Buffer {
  return Buffer.concat(rs.flatMap((r) => (r.request_body?.response?.body_mutation?.streamed_response ? [Buffer.from(r.request_body.response.body_mutation.streamed_response.body)] : [])));
}

describe('ExtProc e2e with the real MiniLM router and the seed config', () => {
  it('is ready once the model is loaded and the cards embedded', async () => {
    expect((await fetch(`http://127.0.0.1:${server.httpPort}/ready`)).status).toBe(200);
  });

  for (const [prompt, card, providerId] of cases) {
    it(`buffered: "${prompt.slice(0, 40)}..." -> ${card}`, async () => {
      const [hdr, bod] = await client.buffered(chatHeaders(), body(prompt));
      expect(hdr!.request_headers!.response).toEqual({ status: 'CONTINUE' });
      const r = bod!.request_body!.response!;
      const set = setHeadersOf(r.header_mutation);
      expect(set['x-selected-model']).toEqual({ value: card, action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
      expect(set['x-semroute-decision']?.value).toBe('MoM');
      expect(Number(set['x-semroute-confidence']?.value)).toBeGreaterThan(0);
      expect(r.clear_route_cache).toBe(true);
      const forwarded = Buffer.from(r.body_mutation!.body!);
      expect(set['content-length']?.value).toBe(String(forwarded.length));
      expect(JSON.parse(forwarded.toString())).toEqual({ ...JSON.parse(body(prompt)), model: providerId });
    });

    it(`full-duplex chunks: "${prompt.slice(0, 40)}..." -> ${card}`, async () => {
      const b = body(prompt);
      const rs = await client.fullDuplex(chatHeaders(), [b.slice(0, 10), b.slice(10, 50), b.slice(50)]);
      const set = setHeadersOf(rs[0]!.request_headers!.response!.header_mutation);
      expect(set['x-selected-model']?.value).toBe(card);
      expect(rs[0]!.request_headers!.response!.clear_route_cache).toBe(true);
      expect(JSON.parse(streamed(rs).toString()).model).toBe(providerId);
    });
  }

  it('passes an explicit model through untouched', async () => {
    const [, bod] = await client.buffered(chatHeaders(), body('Write a Rust parser', 'gpt-4o'));
    expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
  });

  describe('bad input continues untouched, in both modes', () => {
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 2654435761) % 256));
    const bad: Array<[string, Buffer | string]> = [
      ['non-JSON', 'model=MoM&prompt=hello'],
      ['empty body', ''],
      ['missing messages', JSON.stringify({ model: 'MoM', input: 'hello' })],
      // Over the 8 MiB body limit, within the gRPC message limit (body limit + 1 MiB headroom; a larger
      // message fails its stream and the gateway fails open: sidecar-protocol.test.ts).
      ['8.5 MiB body', body('x'.repeat(8.5 * 1024 * 1024))],
      ['unknown model', body('hello', 'llama-9000')],
      ['binary garbage', garbage],
      ['bad message entries', JSON.stringify({ model: 'MoM', messages: [42, null] })],
    ];
    for (const [name, b] of bad) {
      it(name, async () => {
        const [, bod] = await client.buffered(chatHeaders(), b);
        expect(bod!.request_body!.response).toEqual({ status: 'CONTINUE' });
        const buf = Buffer.from(b);
        const rs = await client.fullDuplex(chatHeaders(), buf.length > 1 ? [buf.subarray(0, 1), buf.subarray(1)] : [buf]);
        expect(rs[0]!.request_headers!.response).toEqual({ status: 'CONTINUE' });
        expect(streamed(rs).equals(buf)).toBe(true);
      });
    }
  });

  it('counts decisions and selected models in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
    expect(text).toMatch(/semroute_decisions_total\{decision="MoM",reason="auto_routing"\} 6/);
    expect(text).toMatch(/semroute_selected_model_total\{model="qwen-coder"\} 2/);
    expect(text).toMatch(/semroute_passthrough_total\{reason="body_too_large"\} 2/);
  });
});
