// Semantic cache through the sidecar: a miss asks for the response body and stores it (JSON and a
// reassembled SSE stream); a hit is answered locally, as JSON or as a correct SSE stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionToSse, sseToCompletion } from '../src/sse.js';
import { FakeRouter } from './fake-router.js';
import { chatHeaders, setHeadersOf, type StreamHandle } from './envoy-client.js';
import { chatBody, startHarness, type Harness } from './helpers.js';

const settings = { mode: 'exact' as const, similarityThreshold: 0.92, ttlSeconds: 60, maxEntries: 10, scopeHeader: 'x-user-id' };
const router = new FakeRouter('v1', { coding: settings });
let h: Harness;

beforeAll(async () => {
  h = await startHarness([router]);
});
afterAll(async () => h.stop());

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'qwen2.5-coder:7b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Use sorted(xs).' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
};

async function sendRequest(s: StreamHandle, body: string, user = 'alice') {
  s.send({ request_headers: { headers: { headers: Object.entries(chatHeaders({ 'x-user-id': user })).map(([key, v]) => ({ key, raw_value: Buffer.from(v) })) } } });
  await s.next();
  s.send({ request_body: { body: Buffer.from(body), end_of_stream: true } });
  return s.next();
}

async function waitFor(cond: () => boolean) {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('semantic cache via ext_proc', () => {
  it('on a miss asks for the buffered response body and stores it', async () => {
    const s = h.client.open();
    const r = await sendRequest(s, chatBody('sort a python list'));
    expect(r.request_body).toBeDefined();
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('application/json') }] } } });
    const rh = await s.next();
    expect(rh.mode_override).toEqual({ response_body_mode: 'BUFFERED' });
    s.send({ response_body: { body: Buffer.from(JSON.stringify(completion)), end_of_stream: true } });
    expect((await s.next()).response_body?.response).toEqual({ status: 'CONTINUE' });
    s.end();
    await waitFor(() => router.stored.length === 1);
    expect(router.stored[0]!.scope).toEqual({ decision: 'coding', tenant: 'alice' });
    expect(router.stored[0]!.response.body).toEqual(completion);
  });

  it('answers a repeat locally with the cached JSON and x-semroute-cache: hit', async () => {
    const s = h.client.open();
    const r = await sendRequest(s, chatBody('sort a python list'));
    s.end();
    const ir = r.immediate_response!;
    const set = setHeadersOf(ir.headers);
    expect(set['x-semroute-cache']?.value).toBe('hit');
    expect(set['content-type']?.value).toBe('application/json');
    expect(set['x-selected-model']?.value).toBe('qwen-coder');
    expect(JSON.parse(Buffer.from(ir.body!).toString())).toEqual(completion);
  });

  it('answers a streamed repeat with a correct SSE stream', async () => {
    const s = h.client.open();
    const r = await sendRequest(s, chatBody('sort a python list', 'MoM', { stream: true }));
    s.end();
    const ir = r.immediate_response!;
    expect(setHeadersOf(ir.headers)['content-type']?.value).toBe('text/event-stream');
    const text = Buffer.from(ir.body!).toString();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    for (const e of events.slice(0, -1)) {
      expect(e.startsWith('data: ')).toBe(true);
      expect(JSON.parse(e.slice(6)).object).toBe('chat.completion.chunk');
    }
    expect(sseToCompletion(text)).toMatchObject({ choices: [{ message: { role: 'assistant', content: 'Use sorted(xs).' }, finish_reason: 'stop' }] });
  });

  it('never serves another tenant the cached answer', async () => {
    const s = h.client.open();
    const r = await sendRequest(s, chatBody('sort a python list'), 'bob');
    s.end();
    expect(r.immediate_response).toBeUndefined();
    expect(r.request_body).toBeDefined();
  });

  it('reassembles a streamed (SSE) upstream answer before storing it', async () => {
    const s = h.client.open();
    await sendRequest(s, chatBody('explain python decorators', 'MoM', { stream: true }));
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }, { key: 'content-type', raw_value: Buffer.from('text/event-stream') }] } } });
    expect((await s.next()).mode_override).toEqual({ response_body_mode: 'STREAMED' });
    const sse = completionToSse({ ...completion, choices: [{ index: 0, message: { role: 'assistant', content: 'A decorator wraps a function.' }, finish_reason: 'stop' }] });
    const cut = [sse.slice(0, 50), sse.slice(50, 120), sse.slice(120)];
    cut.forEach((c, i) => {
      s.send({ response_body: { body: Buffer.from(c), end_of_stream: i === cut.length - 1 } });
    });
    for (let i = 0; i < cut.length; i++) expect((await s.next()).response_body?.response).toEqual({ status: 'CONTINUE' });
    s.end();
    await waitFor(() => router.stored.length === 2);
    expect(router.stored[1]!.response.body).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'A decorator wraps a function.' } }] });
  });

  it('does not cache an error response', async () => {
    const s = h.client.open();
    await sendRequest(s, chatBody('python error handling'));
    s.send({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('500') }, { key: 'content-type', raw_value: Buffer.from('application/json') }] } } });
    expect((await s.next()).mode_override).toBeUndefined();
    s.end();
  });
});

describe('SSE helpers', () => {
  it('round-trips tool calls and several choices', () => {
    const c = {
      id: 'x',
      created: 1,
      model: 'm',
      choices: [
        { index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' },
        { index: 1, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
      ],
    };
    const back = sseToCompletion(completionToSse(c))!;
    expect(back.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: '', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' },
      { index: 1, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
    ]);
  });

  it('reassembles deltas split across events, ignoring [DONE]', () => {
    const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
    const text =
      ev({ id: 'a', created: 2, model: 'm', choices: [{ index: 0, delta: { role: 'assistant' } }] }) +
      ev({ id: 'a', choices: [{ index: 0, delta: { content: 'Hel' } }] }) +
      ev({ id: 'a', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] }) +
      'data: [DONE]\n\n';
    expect(sseToCompletion(text)).toEqual({ id: 'a', object: 'chat.completion', created: 2, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] });
    expect(sseToCompletion('data: {broken\n\n')).toBeUndefined();
    expect(sseToCompletion('')).toBeUndefined();
  });
});
