// Routing by meaning: the seed config, verbatim, with the real all-MiniLM-L6-v2 model.
// The seed's multi_factor weights cost 0.5 and latency 0.4 but gives no prices and no latency
// data: those factors must drop out, leaving the prompt-vs-card fit to decide.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../packages/router/src/index.js';

const SEED = path.resolve(__dirname, 'reference/seed-router-config.yaml');
const MODEL = path.resolve(__dirname, '../models/all-MiniLM-L6-v2');

describe('seed config routes by meaning (real MiniLM)', () => {
  let router: Router;
  beforeAll(async () => {
    router = await createRouter({ config: SEED, defaultModelDir: MODEL });
  });
  afterAll(async () => {
    await router?.close();
  });

  const cases: Array<[string, string]> = [
    ['Write me a Python function to compute fibonacci numbers using memoization', 'qwen-coder'],
    ['Prove that the square root of 2 is irrational', 'gpt-4o'],
    ["What's the capital of Australia?", 'gemini-flash'],
  ];

  for (const [prompt, expected] of cases) {
    it(`"${prompt}" -> ${expected}`, async () => {
      const d = await router.route({ model: 'MoM', messages: [{ role: 'user', content: prompt }] });
      expect(d.selectedModel).toBe(expected);
      expect(d.decision).toBe('MoM');
      expect(d.algorithm).toBe('multi_factor');
      expect(d.reasonCode).toBe('auto_routing');
      // A real choice, not a tie resolved by order: the winner's score is strictly the highest.
      const others = Object.entries(d.scores).filter(([m]) => m !== expected).map(([, s]) => s);
      expect(others).toHaveLength(2);
      for (const s of others) expect(d.scores[expected]!).toBeGreaterThan(s + 1e-6);
    });
  }

  it('the same three in one batch route the same way', async () => {
    const ds = await router.routeBatch(cases.map(([p]) => ({ model: 'auto', messages: [{ role: 'user', content: p }] })));
    expect(ds.map((d) => d.selectedModel)).toEqual(cases.map(([, m]) => m));
  });

  it('rewrites to the provider model id and passes explicit models through', async () => {
    const d = await router.route({ model: 'MoM', messages: [{ role: 'user', content: cases[0]![0] }] });
    expect(d.providerModelId).toBe('qwen2.5-coder:7b');
    const e = await router.route({ model: 'gpt-4o', messages: [{ role: 'user', content: cases[0]![0] }] });
    expect(e).toMatchObject({ selectedModel: 'gpt-4o', reasonCode: 'explicit_model' });
  });
});
