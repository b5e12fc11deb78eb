// The CLI's route and validate commands, in process (a fake embedder stands in for the model).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRoute, runValidate, defaultConfigPath, type Io } from '../packages/cli/src/index.js';
import { FakeEmbedder } from '../packages/router/test/routing-helpers.js';

const SEED = path.resolve(__dirname, 'reference/seed-router-config.yaml');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'semroute-cli-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('semroute validate', () => {
  it('accepts the seed config and the bundled default', async () => {
    for (const config of [SEED, defaultConfigPath, undefined]) {
      const io = capture();
      expect(await runValidate({ config }, io)).toBe(0);
      expect(io.stdout.join('\n')).toMatch(/OK \(3 cards, 3 provider models, 1 decisions\)/);
    }
  });

  it('prints every error with its path and exits 1', async () => {
    const bad = file(
      'bad.yaml',
      `providers:\n  defaults: { default_model: ghost }\nrouting:\n  modelCards: [{ name: a }]\n  decisions:\n    - name: d\n      modelRefs: [{ model: b }]\n      algorithm: { type: magic }\n`,
    );
    const io = capture();
    expect(await runValidate({ config: bad }, io)).toBe(1);
    const text = io.stderr.join('\n');
    expect(text).toMatch(/3 errors/);
    expect(text).toMatch(/providers\.defaults\.default_model \(line 2\): default model "ghost"/);
    expect(text).toMatch(/routing\.decisions\[0\]\.modelRefs\[0\]\.model \(line 7\): unknown model "b"/);
    expect(text).toMatch(/routing\.decisions\[0\]\.algorithm\.type \(line 8\): unknown algorithm type "magic"/);
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
    const json = capture();
    expect(await runValidate({ config: bad, json: true }, json)).toBe(1);
    expect(JSON.parse(json.stdout[0]!).errors).toHaveLength(3);
  });

  it('a missing file is a clear error', async () => {
    const io = capture();
    expect(await runValidate({ config: path.join(tmp, 'nope.yaml') }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/nope\.yaml.*cannot read config: file not found/s);
  });
});

describe('semroute route', () => {
  const deps = { embedder: new FakeEmbedder() };
  const base = { model: 'MoM', batchSize: 2 };

  it('prints one JSON decision for a prompt (default config without --config)', async () => {
    const io = capture();
    expect(await runRoute('write python code and fix the bug', base, io, deps)).toBe(0);
    const d = JSON.parse(io.stdout[0]!);
    expect(d).toMatchObject({ decision: 'MoM', algorithm: 'multi_factor', reasonCode: 'auto_routing' });
    expect(['qwen-coder', 'gpt-4o', 'gemini-flash']).toContain(d.selectedModel);
    expect(Object.keys(d.scores).sort()).toEqual(['gemini-flash', 'gpt-4o', 'qwen-coder']);
  });

  it('routes a JSONL file line by line, in order, reporting bad lines and exiting 1', async () => {
    const input = file(
      'in.jsonl',
      [
        JSON.stringify({ id: 1, prompt: 'hello there' }),
        '',
        JSON.stringify({ id: 2, messages: [{ role: 'user', content: 'write code' }], model: 'gpt-4o' }),
        '{not json',
        JSON.stringify({ id: 4, foo: 'bar' }),
        JSON.stringify({ id: 5, prompt: 'last one' }),
      ].join('\n'),
    );
    const io = capture();
    expect(await runRoute('', { ...base, config: SEED, input }, io, { embedder: new FakeEmbedder() })).toBe(1);
    const out = io.stdout.map((l) => JSON.parse(l));
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({ id: 1, decision: 'MoM' });
    expect(out[1]).toMatchObject({ id: 2, selectedModel: 'gpt-4o', reasonCode: 'explicit_model' });
    expect(out[2]).toMatchObject({ line: 4, error: expect.stringMatching(/line 4: not JSON/) });
    expect(out[3]).toMatchObject({ id: 4, error: expect.stringMatching(/"prompt" string or a "messages" array/) });
    expect(out[4]).toMatchObject({ id: 5, decision: 'MoM' });
  });

  it('embeds a JSONL batch in one call per batch', async () => {
    const embedder = new FakeEmbedder();
    const input = file('many.jsonl', ['a', 'b', 'c', 'd', 'e'].map((p) => JSON.stringify({ prompt: `prompt ${p}` })).join('\n'));
    const io = capture();
    expect(await runRoute('', { ...base, batchSize: 64, config: SEED, input }, io, { embedder })).toBe(0);
    const promptCalls = embedder.calls.filter((c) => c.some((t) => t.startsWith('prompt ')));
    expect(promptCalls).toEqual([['prompt a', 'prompt b', 'prompt c', 'prompt d', 'prompt e']]);
  });

  it('user errors: no prompt, both prompt and input, missing input file, bad config', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['', {}, /give a prompt, or --input/],
      ['hi', { input: 'x.jsonl' }, /either a prompt or --input/],
      ['', { input: path.join(tmp, 'missing.jsonl') }, /missing\.jsonl: file not found/],
      ['hi', { config: file('broken.yaml', 'routing: [') }, /invalid config[\s\S]*YAML syntax/],
    ];
    for (const [prompt, opts, re] of cases) {
      const io = capture();
      expect(await runRoute(prompt, { ...base, ...opts }, io, deps)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(re);
      expect(io.stdout).toEqual([]);
    }
  });
});
