// Parsing the gateway's body and rewriting only the top-level model.
import { describe, expect, it } from 'vitest';
import { parseChatBody, replaceTopLevelString } from '../src/chat-body.js';

describe('replaceTopLevelString', () => {
  it('rewrites the top-level key only, after nested look-alikes and escapes', () => {
    const json = '{"messages":[{"role":"user","content":"say \\"model\\": x","model":"inner"}],\n  "model" : "MoM", "n": 1.50}';
    expect(replaceTopLevelString(json, 'model', 'gpt-4o')).toBe(
      '{"messages":[{"role":"user","content":"say \\"model\\": x","model":"inner"}],\n  "model" : "gpt-4o", "n": 1.50}',
    );
  });

  it('escapes the new value and leaves non-string or absent fields alone', () => {
    expect(replaceTopLevelString('{"model":"a"}', 'model', 'we"ird')).toBe('{"model":"we\\"ird"}');
    expect(replaceTopLevelString('{"model":null}', 'model', 'x')).toBeUndefined();
    expect(replaceTopLevelString('{"messages":[]}', 'model', 'x')).toBeUndefined();
    expect(replaceTopLevelString('[]', 'model', 'x')).toBeUndefined();
    expect(replaceTopLevelString('{"a":{"model":"x"},"b":true}', 'model', 'y')).toBeUndefined();
  });

  it('agrees with JSON.parse on the result', () => {
    const json = JSON.stringify({ tools: [{ type: 'function', function: { name: 'model' } }], model: 'auto', messages: [{ role: 'user', content: '}{' }] });
    const out = replaceTopLevelString(json, 'model', 'qwen2.5-coder:7b')!;
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(json), model: 'qwen2.5-coder:7b' });
  });
});

describe('parseChatBody', () => {
  it('says why a body is not a chat request', () => {
    expect(parseChatBody(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty_body' });
    expect(parseChatBody(Buffer.from([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, reason: 'not_utf8' });
    expect(parseChatBody(Buffer.from('{"a":'))).toMatchObject({ ok: false, reason: 'not_json' });
    expect(parseChatBody(Buffer.from('"x"'))).toMatchObject({ ok: false, reason: 'not_object' });
    expect(parseChatBody(Buffer.from('{"model":"MoM"}'))).toMatchObject({ ok: false, reason: 'no_messages' });
    expect(parseChatBody(Buffer.from('{"model":1,"messages":[]}'))).toMatchObject({ ok: false, reason: 'bad_model' });
    expect(parseChatBody(Buffer.from('{"model":"MoM","messages":[{"role":"user"},7]}'))).toMatchObject({ ok: false, reason: 'bad_messages', detail: 'messages[1] is not an object with a string "role"' });
    expect(parseChatBody(Buffer.from('{"model":"MoM","messages":[]}'))).toMatchObject({ ok: true });
  });
});
