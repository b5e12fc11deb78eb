// The sidecar over a real router with a semantic-cache plugin: the router owns the cache (lookup in
// route(), a ticket for the store), the sidecar only translates. One embedding per request, tenant
// from the plugin's header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../packages/router/src/index.js';
import { chatHeaders, setHeadersOf, type StreamHandle } from '../packages/extproc/test/envoy-client.js';
import { chatBody, startHarness, type Harness } from '../packages/extproc/test/helpers.js';
import { FakeEmbedder } from '../packages/router/test/routing-helpers.js';

const CONFIG = {
  version: 'v0.3',
  providers: { defaults: { default_model: 'general' }, models: [{ name: 'coder', provider_model_id: 'coder-7b' }, { name: 'general', provider_model_id: 'general-fast' }] },
  routing: {
    task_library: { enabled: false },
    modelCards: [
      { name: 'coder', description: 'python code function programming bug' },
      { name: 'general', description: 'capital city country weather simple facts' },
    ],
    decisions: [
      {
        name: 'MoM',
        modelRefs: [{ model: 'coder' }, { model: 'general' }],
        plugins: [{ type: 'semantic-cache', mode: 'exact_then_semantic', similarity_threshold: 0.9, scope: 'header', scope_header: 'x-user-id' }],
      },
    ],
  },
};

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'coder-7b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Use sorted(xs).' }, finish_reason: 'stop' }],
};

const embedder = new FakeEmbedder();
let h: Harness;

beforeAll(async () => {
  h = await startHarness([() => createRouter({ config: structuredClone(CONFIG), embedder })], { messageTimeoutMs: 5000 });
});
afterAll(async () => h.stop());

async function send(s: StreamHandle, body: string, user: string) {
  s.send({ request_headers: { headers: { headers: Object.entries(chatHeaders({ 'x-user-id': user })).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })) } } });
  await s.next();
  s.send({ request_body: { body: Buffer.from(body), end_of_stream: true } });
  return s.next();
}

describe('semantic cache: sidecar over the real router', () => {
  it('a miss is routed and its answer stored with the ticket; a repeat and a paraphrase are answered locally', async () => {
    const before = embedder.calls.length;
    let requests = 0;
    const s = h.client.open();
    const first = await send(s, chatBody('sort a python list'), 'alice');
    requests++;
    expect(setHeadersOf(first.request_body!.response!.header_mutation)['x-selected-model']?.value).toBe('coder');
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/json') }] } } });
    expect((await s.next()).mode_override).toEqual({ response_body_mode: 'BUFFERED' });
    s.send({ response_body: { body: Buffer.from(JSON.stringify(completion)), end_of_stream: true } });
    await s.next();
    s.end();

    // The store runs in the background: ask again until the answer comes from the cache.
    let hit: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 50 && !hit?.immediate_response; i++) {
      const again = h.client.open();
      hit = await send(again, chatBody('sort a python list'), 'alice');
      requests++;
      again.end();
      if (!hit.immediate_response) await new Promise((r) => setTimeout(r, 20));
    }
    const ir = hit!.immediate_response!;
    expect(setHeadersOf(ir.headers)['x-semroute-cache']?.value).toBe('hit');
    expect(JSON.parse(Buffer.from(ir.body!).toString())).toEqual(completion);

    const para = h.client.open();
    const p = await send(para, chatBody('sort python lists'), 'alice');
    requests++;
    para.end();
    expect(setHeadersOf(p.immediate_response!.headers)['x-semroute-cache']?.value).toBe('hit');

    const bob = h.client.open();
    const b = await send(bob, chatBody('sort a python list'), 'bob');
    requests++;
    bob.end();
    expect(b.immediate_response).toBeUndefined();
    // One embedding per request: routing's vector served the lookups and the store.
    expect(embedder.calls.length - before).toBe(requests);
  });
});
