// The lexical task model (words + prompt vector -> task type) and its blend into TaskRouting, on
// hand-made data: what it learns, that it is deterministic, that trained weights load back, and
// that the blend moves P(task | prompt) without touching the cards' own examples.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEXICAL_PARAMS, LexicalTaskModel, lexicalFeatures } from '../src/library/lexical.js';
import { TaskRouting, DEFAULT_TASK_ROUTING_PARAMS } from '../src/library/task-routing.js';
import { createRouter } from '../src/index.js';
import { normalize } from '../src/vector.js';
import { chat, FakeEmbedder } from './routing-helpers.js';

const v = (...xs: number[]) => normalize(Float32Array.from(xs));

// Two task types told apart by their words only (the topics are shared).
const convert = ['convert 5 miles to km', 'how many grams in a pound', 'convert 30 celsius to fahrenheit', 'how many cups in a litre', 'convert 2 hours to minutes', 'how many feet in a mile'];
const poem = ['write a poem about miles of road', 'a short poem about a pound of butter', 'write a poem about celsius and snow', 'a haiku about a litre of rain', 'write a poem about two hours', 'a short poem about feet in the sand'];
const texts = [...convert, ...poem];
const labels = [...convert.map(() => 0), ...poem.map(() => 1)];
const params = { ...DEFAULT_LEXICAL_PARAMS, minCount: 1, epochs: 20, learningRate: 0.5 };

describe('lexicalFeatures', () => {
  it('words, word pairs with start and end, symbols, trigrams of longer words and a length bucket', () => {
    const f = lexicalFeatures('Fix THIS: x += 1');
    expect(f).toContain('w:fix');
    expect(f).toContain('w:this'); // lowercased
    expect(f).toContain('b:^ fix');
    expect(f).toContain('b:fix this');
    expect(f).toContain('b:1 $');
    expect(f).toContain('w::'); // punctuation is a token
    expect(f).toContain('w:+');
    expect(f).toContain('c:<th');
    expect(f).toContain('c:is>');
    expect(f.some((x) => x.startsWith('c:') && x.includes('fix'))).toBe(false); // 3 letters: no trigrams
    expect(f.filter((x) => x.startsWith('len:'))).toHaveLength(1);
  });
  it('an empty text has only its boundary pair and length bucket', () => {
    expect(lexicalFeatures('').sort()).toEqual(['b:^ $', 'len:0']);
  });
});

describe('LexicalTaskModel', () => {
  it('learns which words mark each task type, and its probabilities sum to 1', () => {
    const m = new LexicalTaskModel(texts, 2, 0, params);
    m.train(texts, labels);
    const a = m.probs('convert 10 pounds to kilograms');
    const b = m.probs('write a short poem about the sea');
    expect(a[0]!).toBeGreaterThan(0.8);
    expect(b[1]!).toBeGreaterThan(0.8);
    expect(a[0]! + a[1]!).toBeCloseTo(1, 9);
  });

  it('training is deterministic, and trained weights load into a model built on the same texts', () => {
    const m1 = new LexicalTaskModel(texts, 2, 0, params);
    m1.train(texts, labels);
    const m2 = new LexicalTaskModel(texts, 2, 0, params);
    m2.train(texts, labels);
    expect(m2.weights).toEqual(m1.weights);
    const m3 = new LexicalTaskModel(texts, 2, 0, params);
    m3.load(Float32Array.from(m1.weights));
    expect(m3.probs('how many inches in a foot')).toEqual(m1.probs('how many inches in a foot'));
    expect(() => m3.load(new Float32Array(3))).toThrow(/3 weights, expected/);
  });

  it('drops features seen in fewer than minCount texts; the signature names what the weights depend on', () => {
    const all = new LexicalTaskModel(texts, 2, 0, params);
    const common = new LexicalTaskModel(texts, 2, 0, { ...params, minCount: 3 });
    expect(common.features).toBeLessThan(all.features);
    expect(common.signature).not.toBe(all.signature);
    expect(new LexicalTaskModel(texts, 2, 4, params).signature).not.toBe(all.signature);
    expect(new LexicalTaskModel(texts, 2, 0, { ...params, epochs: 3 }).signature).not.toBe(all.signature);
  });

  it('the dense part learns from the prompt vector where the words say nothing', () => {
    const same = ['hello there', 'hello there', 'hello there', 'hello there'];
    const vecs = [v(1, 0), v(1, 0.1), v(0, 1), v(0.1, 1)];
    const m = new LexicalTaskModel(same, 2, 2, params);
    m.train(same, [0, 0, 1, 1], vecs);
    expect(m.probs('hello there', v(1, 0.05))[0]!).toBeGreaterThan(0.7);
    expect(m.probs('hello there', v(0.05, 1))[1]!).toBeGreaterThan(0.7);
    expect(() => m.train(same, [0, 0, 1, 1], vecs.slice(1))).toThrow(/3 vectors for 4 texts/);
  });
});

describe('TaskRouting with a lexical model', () => {
  const tasks = [
    { id: 'convert', group: 'g', name: 'Unit conversion', description: 'convert units' },
    { id: 'poem', group: 'g', name: 'Poems', description: 'write poems' },
  ];
  const prompts = texts.map((text, i) => ({ text, task: labels[i]!, source: 't' }));
  // Every prompt vector is the same: the embedding cannot tell the task types apart.
  const pv = texts.map(() => v(1, 1, 0));
  const lexical = new LexicalTaskModel(texts, 2, 0, params);
  lexical.train(texts, labels);
  const cards = [
    { name: 'calc', texts: [v(1, 0, 0)], examples: [] },
    { name: 'bard', texts: [v(0, 1, 0)], examples: [] },
    { name: 'own', texts: [v(0, 0, 1)], examples: [v(0, 0.2, 1)] },
  ];
  const labelsV = [v(1, 0, 0), v(0, 1, 0)];
  const build = (lexicalWeight: number) =>
    new TaskRouting({ tasks, prompts }, pv, labelsV, cards, 3, { ...DEFAULT_TASK_ROUTING_PARAMS, lexicalWeight }, [], lexical);

  it("the prompt's words move P(task | prompt) and the card fit when the vectors cannot", () => {
    const p = v(1, 1, 0.1);
    const off = build(0).score(p, () => 0, 'convert 3 miles to km');
    const on = build(0.5).score(p, () => 0, 'convert 3 miles to km');
    expect(on.top[0]!.task.id).toBe('convert');
    expect(on.top[0]!.score).toBeGreaterThan(off.top.find((t) => t.task.id === 'convert')!.score);
    expect(on.fit.get('calc')! - on.fit.get('bard')!).toBeGreaterThan(off.fit.get('calc')! - off.fit.get('bard')!);
    // Without the text the lexical model is not read.
    expect(build(0.5).score(p, () => 0).top).toEqual(off.top);
  });

  it("keeps the cards' own examples' share of P(task | prompt)", () => {
    const p = v(0, 0.2, 1);
    const off = build(0).score(p, () => 0, 'a poem');
    const on = build(0.5).score(p, () => 0, 'a poem');
    const libraryMass = (s: ReturnType<TaskRouting['score']>) => s.top.reduce((a, t) => a + t.score, 0);
    expect(libraryMass(on)).toBeCloseTo(libraryMass(off), 9);
    expect(on.fit.get('own')!).toBeCloseTo(off.fit.get('own')!, 9);
  });

  it('a model trained for another number of task types is refused', () => {
    const other = new LexicalTaskModel(texts, 3, 0, params);
    expect(() => new TaskRouting({ tasks, prompts }, pv, labelsV, cards, 3, DEFAULT_TASK_ROUTING_PARAMS, [], other)).toThrow(/3 classes for 2 task types/);
  });
});

describe('lexical model in the router', () => {
  it('is trained once per embedder and library version and read back from the cache', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-lex-'));
    writeFileSync(
      path.join(dir, 'taxonomy.json'),
      JSON.stringify({ version: '0.0.1', tasks: tasks2.map(([id, name]) => ({ id, group: 'g', name, description: name })) }),
    );
    mkdirSync(path.join(dir, 'prompts'));
    writeFileSync(path.join(dir, 'prompts', 'convert.jsonl'), convert.map((text) => JSON.stringify({ text, source: 'test', split: 'library' })).join('\n'));
    writeFileSync(path.join(dir, 'prompts', 'poem.jsonl'), poem.map((text) => JSON.stringify({ text, source: 'test', split: 'library' })).join('\n'));
    const config = {
      version: 'v0.3',
      providers: { models: [{ name: 'calc' }, { name: 'bard' }] },
      routing: {
        modelCards: [
          { name: 'calc', description: 'unit conversion' },
          { name: 'bard', description: 'poems' },
        ],
        decisions: [{ name: 'MoM', rules: {}, modelRefs: [{ model: 'calc' }, { model: 'bard' }] }],
        task_library: { path: dir },
      },
    };
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'semroute-lexc-'));
    const r1 = await createRouter({ config, embedder: new FakeEmbedder(), cacheDir });
    const d1 = await r1.route(chat('convert 7 miles to km'));
    await r1.close();
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.f32'));
    expect(files).toHaveLength(2); // the library's vectors and the lexical model's weights
    const r2 = await createRouter({ config, embedder: new FakeEmbedder(), cacheDir });
    const d2 = await r2.route(chat('convert 7 miles to km'));
    await r2.close();
    expect(d2.signals.filter((s) => s.type === 'task')).toEqual(d1.signals.filter((s) => s.type === 'task'));
    expect(d2.scores).toEqual(d1.scores);
  });
});

const tasks2 = [
  ['convert', 'Unit conversion'],
  ['poem', 'Poems'],
] as const;
