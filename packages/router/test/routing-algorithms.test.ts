// Every selection algorithm is reachable from YAML through createRouter, and the learning ones
// learn from router.recordOutcome (randomness and clock injected). The selectors' own math is
// tested by the selection suite; this checks the wiring: config -> registry -> route / outcomes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, createRouter, embedAll, getSelectorFactory, parseConfig } from '../src/index.js';
import { trainSelectorModel } from '../src/selection/training.js';
import { chat, FakeEmbedder } from './routing-helpers.js';

const CARDS = `
version: v0.3
providers:
  models:
    - { name: coder, provider_model_id: coder-1 }
    - { name: thinker, provider_model_id: thinker-1 }
    - { name: general, provider_model_id: general-1 }
routing:
  modelCards:
    - { name: coder, description: python code function programming bug }
    - { name: thinker, description: prove theorem mathematics proof reasoning }
    - { name: general, description: capital city country weather simple facts }
`;

function yamlWith(algorithm: string, dir = process.cwd()) {
  const text = `${CARDS}  decisions:
    - name: d
      modelRefs: [{ model: coder }, { model: thinker }, { model: general }]
      algorithm:
${algorithm.replace(/^/gm, '        ')}
`;
  return parseConfig(text, { source: path.join(dir, 'algo.yaml'), configDir: dir });
}

const seq = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

describe('algorithms reachable from YAML', () => {
  const simple: Array<[string, string]> = [
    ['static', 'type: static'],
    ['multi_factor', 'type: multi_factor\nmulti_factor: { weights: { quality: 1 } }'],
    ['router_dc', 'type: router_dc\nrouter_dc: { temperature: 0.07 }'],
    ['automix', 'type: automix'],
    ['hybrid', 'type: hybrid\nhybrid:\n  components:\n    - { type: router_dc, weight: 2 }\n    - { type: multi_factor }'],
    ['elo', 'type: elo'],
    ['rl_driven', 'type: rl_driven'],
    ['latency_aware', 'type: latency_aware'],
    ['session_aware', 'type: session_aware\nsession_aware: { base: { type: router_dc } }'],
  ];
  for (const [type, yaml] of simple) {
    it(`${type}: routes through the registry`, async () => {
      const r = await createRouter({ config: yamlWith(yaml), embedder: new FakeEmbedder(), determinism: { rng: () => 0.42, now: () => 1_000 } });
      const d = await r.route(chat('prove theorem mathematics'));
      expect(d.algorithm).toBe(type);
      expect(['coder', 'thinker', 'general']).toContain(d.selectedModel);
      expect(d.decision).toBe('d');
      await r.recordOutcome({ decision: 'd', model: d.selectedModel, success: true, ttftMs: 100, tpotMs: 10 });
      await r.close();
    });
  }

  it('meaning-driven selectors pick the best-fitting card', async () => {
    for (const yaml of ['type: router_dc', 'type: multi_factor']) {
      const r = await createRouter({ config: yamlWith(yaml), embedder: new FakeEmbedder() });
      expect((await r.route(chat('python function bug'))).selectedModel).toBe('coder');
      await r.close();
    }
  });

  it('elo learns from pairwise outcomes', async () => {
    const r = await createRouter({ config: yamlWith('type: elo\nelo: { rating_weight: 1, fit_weight: 0, k_factor: 64 }'), embedder: new FakeEmbedder() });
    for (let i = 0; i < 10; i++) {
      await r.recordOutcome({ decision: 'd', model: 'general', opponent: 'coder', result: 'win' });
      await r.recordOutcome({ decision: 'd', model: 'general', opponent: 'thinker', result: 'win' });
    }
    expect((await r.route(chat('python function bug'))).selectedModel).toBe('general');
    await r.close();
  });

  it('rl_driven samples from posteriors updated by outcomes (rng injected)', async () => {
    const r = await createRouter({ config: yamlWith('type: rl_driven'), embedder: new FakeEmbedder(), determinism: { rng: seq(0.3, 0.7, 0.5, 0.2, 0.9, 0.6), now: () => 0 } });
    for (let i = 0; i < 40; i++) {
      await r.recordOutcome({ decision: 'd', model: 'thinker', success: true });
      await r.recordOutcome({ decision: 'd', model: 'coder', success: false });
      await r.recordOutcome({ decision: 'd', model: 'general', success: false });
    }
    const picks = await Promise.all(Array.from({ length: 5 }, () => r.route(chat('capital city'))));
    expect(picks.every((d) => d.selectedModel === 'thinker')).toBe(true);
    await r.close();
  });

  it('latency_aware prefers the model reported fastest among good fits', async () => {
    const r = await createRouter({ config: yamlWith('type: latency_aware\nlatency_aware: { similarity_margin: 2 }'), embedder: new FakeEmbedder() });
    for (let i = 0; i < 5; i++) {
      await r.recordOutcome({ decision: 'd', model: 'coder', ttftMs: 900, tpotMs: 40 });
      await r.recordOutcome({ decision: 'd', model: 'thinker', ttftMs: 800, tpotMs: 30 });
      await r.recordOutcome({ decision: 'd', model: 'general', ttftMs: 50, tpotMs: 5 });
    }
    expect((await r.route(chat('python function bug'))).selectedModel).toBe('general');
    await r.close();
  });

  it('session_aware keeps a session on its model', async () => {
    const r = await createRouter({ config: yamlWith('type: session_aware\nsession_aware: { margin: 5, base: { type: router_dc } }'), embedder: new FakeEmbedder(), determinism: { rng: () => 0.5, now: () => 0 } });
    const first = await r.route(chat('python function bug'), { sessionId: 's1' });
    expect(first.selectedModel).toBe('coder');
    const second = await r.route(chat('prove theorem mathematics'), { sessionId: 's1' });
    expect(second.selectedModel).toBe('coder');
    const other = await r.route(chat('prove theorem mathematics'), { sessionId: 's2' });
    expect(other.selectedModel).toBe('thinker');
    await r.close();
  });

  it('session_aware ignores a session id longer than an outcome may carry (256 characters)', async () => {
    const r = await createRouter({ config: yamlWith('type: session_aware\nsession_aware: { margin: 5, base: { type: router_dc } }'), embedder: new FakeEmbedder(), determinism: { rng: () => 0.5, now: () => 0 } });
    const long = 'x'.repeat(257);
    expect((await r.route(chat('python function bug'), { sessionId: long })).selectedModel).toBe('coder');
    // Not sticky: the long id was never kept as a state key.
    expect((await r.route(chat('prove theorem mathematics'), { sessionId: long })).selectedModel).toBe('thinker');
    const atCap = 'y'.repeat(256);
    expect((await r.route(chat('python function bug'), { sessionId: atCap })).selectedModel).toBe('coder');
    expect((await r.route(chat('prove theorem mathematics'), { sessionId: atCap })).selectedModel).toBe('coder');
    await r.close();
  });

  for (const algo of ['knn', 'kmeans', 'svm', 'mlp'] as const) {
    it(`${algo}: a model file trained from labelled prompts is loaded relative to the config`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `semroute-${algo}-`));
      const emb = new FakeEmbedder();
      const labelled: Array<[string, string]> = [
        ['python function bug', 'coder'], ['fix my code', 'coder'], ['javascript programming error', 'coder'], ['python code review', 'coder'],
        ['prove theorem', 'thinker'], ['mathematics proof', 'thinker'], ['reasoning about theorem proof', 'thinker'], ['prove lemma mathematics', 'thinker'],
        ['capital city', 'general'], ['weather today', 'general'], ['country facts', 'general'], ['simple city facts', 'general'],
      ];
      const vecs = await embedAll(emb, labelled.map(([t]) => t), 32);
      const file = trainSelectorModel(algo, labelled.map(([, label], i) => ({ embedding: vecs[i]!, label })), { seed: 7, k: 3 });
      writeFileSync(path.join(dir, 'sel.json'), JSON.stringify(file));
      const r = await createRouter({ config: yamlWith(`type: ${algo}\n${algo}: { model_path: sel.json }`, dir), embedder: emb });
      const d = await r.route(chat('python function bug')); // a training prompt: the wiring, not generalisation, is tested here
      expect(d.algorithm).toBe(algo);
      expect(d.selectedModel).toBe('coder');
      await r.close();
    });
  }

  it('a missing trained model file is a config error at the algorithm path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'semroute-missing-'));
    const err = await createRouter({ config: yamlWith('type: knn\nknn: { model_path: nope.json }', dir), embedder: new FakeEmbedder() }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues[0]).toMatchObject({ path: 'routing.decisions[0].algorithm', message: expect.stringMatching(/nope\.json does not exist/) });
  });
});

describe('selector params', () => {
  it('are parsed once, at config load, and the router builds selectors from what the config carries', async () => {
    const factories = ['session_aware', 'elo', 'multi_factor'].map((t) => getSelectorFactory(t)!);
    const spies = factories.flatMap((f) => [vi.spyOn(f.params, 'parse'), vi.spyOn(f.params, 'safeParse')]);
    try {
      const loaded = yamlWith('type: session\nsession: { margin: 0.2, base: { type: elo, params: { fit_weight: 0 } } }');
      // session_aware's params once (its nested elo params inside that parse), elo's once, nothing else.
      expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 1, 0, 1, 0, 0]);
      const algorithm = loaded.algorithms.get('d')!;
      expect(algorithm.factory.type).toBe('session_aware');
      expect(algorithm.params).toMatchObject({ margin: 0.2, ttl_seconds: 3600, base: { type: 'elo', params: { fit_weight: 0 } } });
      // The config shows the canonical type and the very params the selector is built from.
      expect(loaded.config.routing.decisions[0]!.algorithm).toEqual({ type: 'session_aware', session_aware: algorithm.params });
      expect(loaded.config.routing.decisions[0]!.algorithm!.session_aware).toBe(algorithm.params);
      const r = await createRouter({ config: loaded, embedder: new FakeEmbedder(), determinism: { rng: () => 0.5, now: () => 0 } });
      expect((await r.route(chat('prove theorem mathematics'))).algorithm).toBe('session_aware');
      expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 1, 0, 1, 0, 0]);
      await r.close();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('a decision without algorithm gets static (one model) or multi_factor on meaning, parsed at load', () => {
    const loaded = parseConfig(`${CARDS}  decisions:
    - { name: one, modelRefs: [{ model: coder }] }
    - { name: many, modelRefs: [{ model: coder }, { model: thinker }] }
`);
    expect(loaded.algorithms.get('one')!.factory.type).toBe('static');
    expect(loaded.algorithms.get('many')!.factory.type).toBe('multi_factor');
    expect(loaded.algorithms.get('many')!.params).toMatchObject({ weights: { quality: 1 } });
    expect(loaded.config.routing.decisions.map((d) => d.algorithm)).toEqual([undefined, undefined]);
  });
});
