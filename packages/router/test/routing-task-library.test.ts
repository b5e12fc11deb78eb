// The task library inside route(): task signals, low_confidence, a bad library path, and the
// library switched off. A small library of our own and the bag-of-words fake embedder (no model).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter, ConfigError } from '../src/index.js';
import { chat, FakeEmbedder } from './routing-helpers.js';

function smallLibrary(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-tl-'));
  mkdirSync(path.join(dir, 'prompts'));
  const tasks = [
    { id: 'sql', group: 'code', name: 'SQL queries', description: 'write sql select join query table' },
    { id: 'poems', group: 'writing', name: 'Poems', description: 'write poem verse rhyme' },
  ];
  writeFileSync(path.join(dir, 'taxonomy.json'), JSON.stringify({ version: '0.0.1', tasks }));
  const lines = (texts: string[]) => texts.map((text) => JSON.stringify({ text, source: 'test', split: 'library' })).join('\n');
  writeFileSync(path.join(dir, 'prompts', 'sql.jsonl'), lines(['select rows join table', 'sql query group by count', 'join two table on key']));
  writeFileSync(path.join(dir, 'prompts', 'poems.jsonl'), lines(['poem about rain verse', 'rhyme verse for spring', 'short poem love rhyme']));
  return dir;
}

const config = (lib: string | false, extra: Record<string, unknown> = {}) => ({
  version: 'v0.3',
  providers: { models: [{ name: 'db' }, { name: 'bard' }, { name: 'safe' }] },
  routing: {
    modelCards: [
      { name: 'db', description: 'database sql query expert' },
      { name: 'bard', description: 'poem and verse writer' },
    ],
    decisions: [{ name: 'MoM', rules: {}, modelRefs: [{ model: 'db' }, { model: 'bard' }] }],
    task_library: lib === false ? { enabled: false } : { path: lib },
    ...extra,
  },
});

describe('task library in route()', () => {
  it('reports the top task types as task signals with a score', async () => {
    const r = await createRouter({ config: config(smallLibrary()), embedder: new FakeEmbedder(), cacheDir: false });
    const d = await r.route(chat('join the orders table with a sql query'));
    expect(d.selectedModel).toBe('db');
    const tasks = d.signals.filter((s) => s.type === 'task');
    expect(tasks[0]).toMatchObject({ id: 'task:sql', type: 'task', name: 'sql', matched: true });
    expect(tasks[0]!.score!).toBeGreaterThan(0.5);
    expect(tasks[0]!.score).toBe(tasks[0]!.confidence);
    await r.close();
  });

  it('off: no task signals, direct similarity only', async () => {
    const r = await createRouter({ config: config(false), embedder: new FakeEmbedder(), cacheDir: false });
    const d = await r.route(chat('join the orders table with a sql query'));
    expect(d.signals.filter((s) => s.type === 'task')).toEqual([]);
    expect(d.selectedModel).toBe('db');
    await r.close();
  });

  it('low_confidence: two cards within the margin go to the named model', async () => {
    const lib = smallLibrary();
    const strict = await createRouter({ config: config(lib, { low_confidence: { margin: 5, model: 'safe' } }), embedder: new FakeEmbedder(), cacheDir: false });
    const d = await strict.route(chat('sql poem'));
    expect(d).toMatchObject({ selectedModel: 'safe', reasonCode: 'low_confidence', decision: 'MoM' });
    expect(Object.keys(d.scores).sort()).toEqual(['bard', 'db']);
    await strict.close();
    const loose = await createRouter({ config: config(lib, { low_confidence: { margin: 0, model: 'safe' } }), embedder: new FakeEmbedder(), cacheDir: false });
    expect((await loose.route(chat('join the orders table with a sql query'))).reasonCode).toBe('auto_routing');
    await loose.close();
  });

  it('a low_confidence model the config does not know is a config error at its path', async () => {
    await expect(
      createRouter({ config: config(false, { low_confidence: { margin: 0.1, model: 'nope' } }), embedder: new FakeEmbedder(), cacheDir: false }),
    ).rejects.toThrow(/routing\.low_confidence\.model: unknown model "nope"/);
  });

  it('a broken library path is a ConfigError naming routing.task_library.path and the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-tl-'));
    const err = await createRouter({ config: config(dir), embedder: new FakeEmbedder(), cacheDir: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]!.path).toBe('routing.task_library.path');
    expect((err as ConfigError).message).toMatch(/taxonomy\.json: file not found/);
  });

  it('caches the library vectors per embedder: a second router reads them back', async () => {
    const lib = smallLibrary();
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'semroute-tlc-'));
    const e1 = new FakeEmbedder();
    await (await createRouter({ config: config(lib), embedder: e1, cacheDir })).close();
    const e2 = new FakeEmbedder();
    await (await createRouter({ config: config(lib), embedder: e2, cacheDir })).close();
    const embedded = (e: FakeEmbedder) => e.calls.flat();
    expect(embedded(e1)).toContain('select rows join table');
    expect(embedded(e2)).not.toContain('select rows join table'); // read from the cache
  });
});
