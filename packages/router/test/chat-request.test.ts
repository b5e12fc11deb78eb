// The one chat request reader: why a body or value is not a chat request, and the field at fault.
import { describe, expect, it } from 'vitest';
import { parseChatBody, parseChatRequest } from '../src/request/chat-request.js';

describe('parseChatBody', () => {
  it('says why a body is not a chat request', () => {
    const reason = (b: Buffer) => {
      const r = parseChatBody(b);
      return r.ok ? r : { ok: false, reason: r.issue.reason, detail: r.issue.message };
    };
    expect(reason(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty_body' });
    expect(reason(Buffer.from([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, reason: 'not_utf8' });
    expect(reason(Buffer.from('{"a":'))).toMatchObject({ ok: false, reason: 'not_json' });
    expect(reason(Buffer.from('"x"'))).toMatchObject({ ok: false, reason: 'not_object' });
    expect(reason(Buffer.from('{"model":"MoM"}'))).toMatchObject({ ok: false, reason: 'no_messages' });
    expect(reason(Buffer.from('{"model":1,"messages":[]}'))).toMatchObject({ ok: false, reason: 'bad_model' });
    expect(reason(Buffer.from('{"model":"MoM","messages":[{"role":"user"},7]}'))).toMatchObject({ ok: false, reason: 'bad_messages', detail: 'messages[1] is not an object with a string "role"' });
    expect(parseChatBody(Buffer.from('{"model":"MoM","messages":[]}'))).toMatchObject({ ok: true, text: '{"model":"MoM","messages":[]}' });
  });
});

describe('parseChatRequest', () => {
  it('names the field at fault and keeps a valid request as it is', () => {
    expect(parseChatRequest([])).toMatchObject({ ok: false, issue: { reason: 'not_object' } });
    expect(parseChatRequest({ messages: 'x' })).toMatchObject({ ok: false, issue: { reason: 'no_messages', param: 'messages' } });
    expect(parseChatRequest({ messages: [{ content: 'x' }] })).toMatchObject({ ok: false, issue: { reason: 'bad_messages', param: 'messages[0]' } });
    expect(parseChatRequest({ model: null, messages: [] })).toMatchObject({ ok: false, issue: { reason: 'bad_model', param: 'model' } });
    const request = { model: 'MoM', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
    const ok = parseChatRequest(request);
    expect(ok.ok && ok.request).toBe(request);
  });
});

describe('prompt extraction', () => {
  it('routing, the cache key and a log line all read the same last user message', async () => {
    const { promptText, lastUserText } = await import('../src/text/prompt.js');
    const { cacheKeyParts } = await import('../src/cache/fingerprint.js');
    const request = {
      model: 'MoM',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: ' this  image ' }] },
        { role: 'assistant', content: 'sure' },
        { role: 'user', content: '   ' },
      ],
    };
    const routed = promptText(request, { mode: 'last_user', include_system: false, window: 6 });
    expect(routed).toBe('describe\n this  image');
    expect(lastUserText(request)).toBe(routed);
    expect(cacheKeyParts(request)!.prompt).toBe('describe this image');
    expect(cacheKeyParts({ messages: [{ role: 'assistant', content: 'x' }, { role: 'user', content: '' }] })).toBeUndefined();
  });
});
