// Rewriting only the top-level model of the gateway's body.
import { describe, expect, it } from 'vitest';
import { replaceTopLevelString } from '../src/model-rewrite.js';

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
