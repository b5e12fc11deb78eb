import { describe, expect, it } from 'vitest';
import { INFLIGHT_KEY } from '../src/selection/keys.js';
import { MemoryStateStore } from '../src/state/memory.js';
import { ctx, make, paramIssues, type CandSpec } from './selection-fixtures.js';

const e = Math.exp;
// Like the seed: three cards, no prices, no quality scores, no latency data.
const seedLike: CandSpec[] = [
  { model: 'qwen-coder', similarity: 0.5 },
  { model: 'gpt-4o', similarity: 0.3 },
  { model: 'gemini-flash', similarity: 0.2 },
];
const seedParams = { weights: { quality: 0.1, latency: 0.4, cost: 0.5 }, slo: { max_cost_per_1m: 0.5 } };

const priced: CandSpec[] = [
  { model: 'A', similarity: 0.5, price: [1, 3] }, // 2 per 1M
  { model: 'B', similarity: 0.45, price: [0.2, 0.2] }, // 0.2
  { model: 'C', similarity: 0.2, price: [0.4, 0.6] }, // 0.5
];

describe('multi_factor', () => {
  it('decides by meaning when latency and cost are unknown for every candidate (seed config)', async () => {
    const s = await make('multi_factor', seedParams);
    const r = await s.select(ctx(seedLike));
    expect(r.model).toBe('qwen-coder');
    // Only quality remains, renormalised to weight 1: exp((s - s_max) / 0.05).
    expect(r.scores['qwen-coder']).toBeCloseTo(1, 12);
    expect(r.scores['gpt-4o']).toBeCloseTo(e(-4), 12);
    expect(r.scores['gemini-flash']).toBeCloseTo(e(-6), 12);
    expect(r.confidence).toBeCloseTo(1 / (1 + e(-4)), 12);
    const r2 = await s.select(ctx(seedLike.map((c) => ({ ...c, similarity: c.model === 'gemini-flash' ? 0.6 : c.similarity }))));
    expect(r2.model).toBe('gemini-flash');
  });

  it('falls back to quality when no weighted factor is known', async () => {
    const s = await make('multi_factor', { weights: { cost: 1, latency: 2 } });
    const r = await s.select(ctx(seedLike));
    expect(r.model).toBe('qwen-coder');
    expect(r.scores['gpt-4o']).toBeCloseTo(e(-4), 12);
  });

  it('weighs quality against min-max cost', async () => {
    const s = await make('multi_factor', { weights: { quality: 0.5, cost: 0.5 } });
    const r = await s.select(ctx(priced));
    // cost: A 0, B 1, C 1 - 0.3/1.8; quality: A 1, B e^-1, C e^-6
    expect(r.scores.A).toBeCloseTo(0.5, 12);
    expect(r.scores.B).toBeCloseTo(0.5 * (e(-1) + 1), 12);
    expect(r.scores.C).toBeCloseTo(0.5 * (e(-6) + 1 - 0.3 / 1.8), 12);
    expect(r.model).toBe('B');
  });

  it('gives a candidate with an unknown price the mean cost score of the others', async () => {
    const s = await make('multi_factor', { weights: { quality: 1, cost: 1 } });
    const cands = priced.slice(0, 2).concat([{ model: 'U', similarity: 0.45 }]);
    const r = await s.select(ctx(cands));
    expect(r.scores.U).toBeCloseTo((e(-1) + 0.5) / 2, 12);
  });

  it('prunes only candidates whose known price exceeds max_cost_per_1m', async () => {
    const s = await make('multi_factor', { weights: { quality: 1 }, slo: { max_cost_per_1m: 1 } });
    const r = await s.select(ctx([...priced, { model: 'U', similarity: 0.1 }]));
    expect(r.model).toBe('B');
    expect(r.scores.A).toBe(0);
    // Re-normalised over the survivors: B is now the best fit.
    expect(r.scores.B).toBeCloseTo(1, 12);
    expect(r.scores.U).toBeCloseTo(e(-0.35 / 0.05), 12);
  });

  it('applies on_no_candidates when the SLO prunes everything', async () => {
    const slo = { max_cost_per_1m: 0.1 };
    const cheapest = await (await make('multi_factor', { slo })).select(ctx(priced));
    expect(cheapest).toMatchObject({ model: 'B', reasonCode: 'no_candidates', confidence: 0 });
    const first = await (await make('multi_factor', { slo, on_no_candidates: 'first' })).select(ctx(priced));
    expect(first.model).toBe('A');
    const fail = await make('multi_factor', { slo, on_no_candidates: 'fail' });
    await expect(fail.select(ctx(priced))).rejects.toMatchObject({ code: 'NO_CANDIDATES' });
  });

  it('blends quality_score into quality', async () => {
    const s = await make('multi_factor', { quality_score_weight: 0.5 });
    const r = await s.select(
      ctx([
        { model: 'A', similarity: 0.5, qualityScore: 0.2 },
        { model: 'B', similarity: 0.48, qualityScore: 1 },
      ]),
    );
    expect(r.scores.A).toBeCloseTo(0.5 * 1 + 0.5 * 0.2, 12);
    expect(r.scores.B).toBeCloseTo(0.5 * e(-0.4) + 0.5, 12);
    expect(r.model).toBe('B');
  });

  it('reads latency percentiles from recorded outcomes and prunes by max_latency_ms', async () => {
    const state = new MemoryStateStore();
    const s = await make('multi_factor', { weights: { latency: 1 }, expected_output_tokens: 10, slo: { max_latency_ms: 1000 } });
    for (const ttftMs of [100, 300]) await s.recordOutcome!({ decision: 'd', model: 'A', ttftMs, tpotMs: 10 }, state);
    await s.recordOutcome!({ decision: 'd', model: 'B', ttftMs: 100, tpotMs: 5 }, state);
    await s.recordOutcome!({ decision: 'd', model: 'C', ttftMs: 2000 }, state);
    // p50: A = 200 + 10*10 = 300, B = 100 + 5*10 = 150, C = 2000 (pruned)
    const r = await s.select(ctx(priced, { state }));
    expect(r.model).toBe('B');
    expect(r.scores).toEqual({ A: 0, B: 1, C: 0 });
  });

  it('uses in-flight load and max_inflight', async () => {
    const state = new MemoryStateStore();
    await state.setNumbers(INFLIGHT_KEY, { A: 4, B: 2, C: 0 });
    const s = await make('multi_factor', { weights: { quality: 1, load: 1 }, slo: { max_inflight: 4 } });
    const r = await s.select(ctx(priced, { state }));
    // A pruned (4 >= 4); load over B, C: B 0, C 1; quality over B, C: 1, e^-5
    expect(r.scores.B).toBeCloseTo(0.5, 12);
    expect(r.scores.C).toBeCloseTo((e(-5) + 1) / 2, 12);
    expect(r.model).toBe('C');
  });

  it('validates params with paths', () => {
    expect(paramIssues('multi_factor', { weights: { cost: -1 } })[0]).toMatch(/^weights\.cost: /);
    expect(paramIssues('multi_factor', { weights: { cost: 0 } })).toEqual(['weights: at least one weight must be > 0']);
    expect(paramIssues('multi_factor', { on_no_candidates: 'random' })[0]).toMatch(/^on_no_candidates: /);
    expect(paramIssues('multi_factor', seedParams)).toEqual([]);
    expect(paramIssues('multi_factor', {})).toEqual([]);
  });
});

describe('static', () => {
  it('picks the highest modelRefs weight, first on ties', async () => {
    const s = await make('static');
    const r = await s.select(
      ctx([
        { model: 'A', similarity: 0.9, weight: 1 },
        { model: 'B', similarity: 0, weight: 3 },
        { model: 'C', similarity: 0, weight: 2 },
      ]),
    );
    expect(r.model).toBe('B');
    expect(r.scores).toEqual({ A: 1 / 6, B: 0.5, C: 1 / 3 });
    expect(r.confidence).toBe(0.5);
    expect((await s.select(ctx([{ model: 'X', similarity: 0 }, { model: 'Y', similarity: 1 }]))).model).toBe('X');
  });
});

describe('router_dc', () => {
  it('is a softmax of similarity / temperature', async () => {
    const s = await make('router_dc', { temperature: 0.1 });
    const r = await s.select(
      ctx([
        { model: 'A', similarity: 0.1 },
        { model: 'B', similarity: 0.3 },
      ]),
    );
    expect(r.model).toBe('B');
    expect(r.scores.B).toBeCloseTo(1 / (1 + e(-2)), 12);
    expect(r.scores.A).toBeCloseTo(e(-2) / (1 + e(-2)), 12);
    expect(r.confidence).toBeCloseTo(r.scores.B!, 12);
    expect(paramIssues('router_dc', { temperature: 0 })[0]).toMatch(/^temperature: /);
  });
});
