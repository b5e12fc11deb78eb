import { describe, expect, it } from 'vitest';
import { costOrder } from '../src/selection/automix.js';
import { eloExpected } from '../src/selection/elo.js';
import { automixKey, eloKey, rlKey } from '../src/selection/keys.js';
import { seededRng } from '../src/selection/random.js';
import { MemoryStateStore } from '../src/state/memory.js';
import { cand, ctx, make, paramIssues, type CandSpec } from './selection-fixtures.js';

const e = Math.exp;

describe('automix', () => {
  const pair: CandSpec[] = [
    { model: 'big', similarity: 0.5, paramSize: '200B+' },
    { model: 'small', similarity: 0.3, paramSize: '7B' },
  ];

  it('orders by known price, then parameter count, then listed order', () => {
    const order = costOrder({
      candidates: [
        cand({ model: 'a', similarity: 0, paramSize: '~100B' }),
        cand({ model: 'b', similarity: 0, paramSize: '7B' }),
        cand({ model: 'c', similarity: 0, price: [5, 5] }),
        cand({ model: 'd', similarity: 0 }),
        cand({ model: 'e', similarity: 0, price: [1, 1], paramSize: '1T' }),
      ],
    });
    expect(order).toEqual([4, 2, 1, 0, 3]);
  });

  it('escalates from the cheapest model while its predicted success is below threshold', async () => {
    const state = new MemoryStateStore();
    const s = await make('automix', { threshold: 0.7, prior_strength: 2, temperature: 0.05 });
    const r = await s.select(ctx(pair, { state }));
    // small: fit e^-4, p = 2 e^-4 / 2 < 0.7 -> escalate to big: p = 1
    expect(r.model).toBe('big');
    expect(r.scores.small).toBeCloseTo(e(-4), 12);
    expect(r.scores.big).toBe(1);
    for (let i = 0; i < 10; i++) await s.recordOutcome!({ decision: 'd', model: 'small', success: true }, state);
    expect(await state.getNumbers(automixKey('d'), ['small:success', 'small:trials'])).toEqual({ 'small:success': 10, 'small:trials': 10 });
    const r2 = await s.select(ctx(pair, { state }));
    // p_small = (2 e^-4 + 10) / 12 >= 0.7: the cheap model now serves.
    expect(r2.scores.small).toBeCloseTo((2 * e(-4) + 10) / 12, 12);
    expect(r2.model).toBe('small');
    expect(r2.confidence).toBeCloseTo(r2.scores.small!, 12);
  });

  it('picks the highest predicted success when none reaches the threshold', async () => {
    const state = new MemoryStateStore();
    const s = await make('automix', { threshold: 0.99 });
    await s.recordOutcome!({ decision: 'd', model: 'big', success: false }, state);
    await s.recordOutcome!({ decision: 'd', model: 'big', reward: 0.5 }, state);
    const r = await s.select(ctx(pair, { state }));
    expect(r.scores.big).toBeCloseTo((2 + 0.5) / 4, 12);
    expect(r.model).toBe('big');
  });
});

describe('elo', () => {
  it('updates pairwise ratings with the K factor', async () => {
    const state = new MemoryStateStore();
    const s = await make('elo', { k_factor: 32 });
    await s.recordOutcome!({ decision: 'd', model: 'A', opponent: 'B', result: 'win' }, state);
    expect(await state.getNumbers(eloKey('d'), ['A', 'B'])).toEqual({ A: 16, B: -16 });
    await s.recordOutcome!({ decision: 'd', model: 'B', opponent: 'A', result: 'win' }, state);
    const d = 32 * (1 - 1 / (1 + 10 ** (32 / 400)));
    const after = await state.getNumbers(eloKey('d'), ['A', 'B']);
    expect(after.B).toBeCloseTo(-16 + d, 10);
    expect(after.A).toBeCloseTo(16 - d, 10);
    await s.recordOutcome!({ decision: 'd', model: 'A', opponent: 'B', result: 'draw' }, state);
    const afterDraw = await state.getNumbers(eloKey('d'), ['A', 'B']);
    expect(afterDraw.A! + afterDraw.B!).toBeCloseTo(0, 10); // zero-sum
  });

  it('scores success outcomes against a virtual opponent at the initial rating', async () => {
    const state = new MemoryStateStore();
    const s = await make('elo', { k_factor: 20, initial_rating: 1000 });
    await s.recordOutcome!({ decision: 'd', model: 'C', success: true }, state);
    await s.recordOutcome!({ decision: 'd', model: 'C', success: false }, state);
    const second = 20 * (0 - eloExpected(1010, 1000));
    expect((await state.getNumbers(eloKey('d'), ['C'])).C).toBeCloseTo(10 + second, 10);
    await s.recordOutcome!({ decision: 'd', model: 'C' }, state); // no feedback: ignored
    expect((await state.getNumbers(eloKey('d'), ['C'])).C).toBeCloseTo(10 + second, 10);
  });

  it('selects by rating blended with semantic fit', async () => {
    const state = new MemoryStateStore();
    await state.setNumbers(eloKey('d'), { A: 100, B: -100 });
    const cands: CandSpec[] = [
      { model: 'A', similarity: 0.3 },
      { model: 'B', similarity: 0.5 },
    ];
    const byRating = await (await make('elo', { fit_weight: 0 })).select(ctx(cands, { state }));
    expect(byRating.model).toBe('A');
    expect(byRating.scores.A).toBeCloseTo(1 / (1 + 10 ** (-100 / 400)), 12);
    const blended = await (await make('elo', {})).select(ctx(cands, { state }));
    const eA = 1 / (1 + 10 ** -0.25);
    expect(blended.scores.A).toBeCloseTo((eA + e(-4)) / 2, 12);
    expect(blended.scores.B).toBeCloseTo((1 - eA + 1) / 2, 12);
    expect(blended.model).toBe('B');
    expect(paramIssues('elo', { rating_weight: 0, fit_weight: 0 })[0]).toMatch(/^rating_weight: /);
  });
});

describe('rl_driven (Thompson sampling)', () => {
  const cands: CandSpec[] = [
    { model: 'A', similarity: 0.3 },
    { model: 'B', similarity: 0.3 },
  ];

  it('accumulates Beta posteriors from rewards', async () => {
    const state = new MemoryStateStore();
    const s = await make('rl_driven');
    await s.recordOutcome!({ decision: 'd', model: 'A', success: true }, state);
    await s.recordOutcome!({ decision: 'd', model: 'A', reward: 0.25 }, state);
    expect(await state.getNumbers(rlKey('d'), ['A:alpha', 'A:beta'])).toEqual({ 'A:alpha': 1.25, 'A:beta': 0.75 });
  });

  it('explores evenly without data and exploits after feedback', async () => {
    const s = await make('rl_driven');
    const rng = seededRng(5);
    const state = new MemoryStateStore();
    let a = 0;
    for (let i = 0; i < 2000; i++) if ((await s.select(ctx(cands, { state, rng }))).model === 'A') a++;
    expect(a / 2000).toBeGreaterThan(0.45);
    expect(a / 2000).toBeLessThan(0.55);
    // Posteriors Beta(31, 11) vs Beta(11, 31): P(theta_B > theta_A) is about 1e-5.
    await state.setNumbers(rlKey('d'), { 'A:alpha': 30, 'A:beta': 10, 'B:alpha': 10, 'B:beta': 30 });
    a = 0;
    for (let i = 0; i < 500; i++) if ((await s.select(ctx(cands, { state, rng }))).model === 'A') a++;
    expect(a).toBe(500);
  });

  it('matches the posterior probability that one arm is better', async () => {
    // Beta(2,1) vs Beta(1,1): P(X > Y) = integral of 2x * x dx = 2/3.
    const state = new MemoryStateStore();
    await state.setNumbers(rlKey('d'), { 'A:alpha': 1, 'A:beta': 0 });
    const s = await make('rl_driven');
    const rng = seededRng(9);
    let a = 0;
    const n = 6000;
    for (let i = 0; i < n; i++) if ((await s.select(ctx(cands, { state, rng }))).model === 'A') a++;
    expect(Math.abs(a / n - 2 / 3)).toBeLessThan(4 * Math.sqrt((2 / 9) / n));
  });

  it('is deterministic for a given rng', async () => {
    const s = await make('rl_driven', { fit_weight: 0.5 });
    const r1 = await s.select(ctx(cands, { rng: seededRng(3) }));
    const r2 = await s.select(ctx(cands, { rng: seededRng(3) }));
    expect(r1).toEqual(r2);
  });
});

describe('latency_aware', () => {
  const cands: CandSpec[] = [
    { model: 'A', similarity: 0.5 },
    { model: 'B', similarity: 0.45 },
    { model: 'C', similarity: 0.1 }, // outside similarity_margin 0.1 of the best
  ];

  it('picks the fastest well-fitting model by TTFT / TPOT percentiles', async () => {
    const state = new MemoryStateStore();
    const s = await make('latency_aware', { ttft_percentile: 90, tpot_percentile: 50, expected_output_tokens: 10 });
    for (const t of [100, 200, 300, 400, 500]) await s.recordOutcome!({ decision: 'd', model: 'A', ttftMs: t, tpotMs: 10 }, state);
    await s.recordOutcome!({ decision: 'd', model: 'B', ttftMs: 200, tpotMs: 20 }, state);
    await s.recordOutcome!({ decision: 'd', model: 'C', ttftMs: 1, tpotMs: 1 }, state);
    const r = await s.select(ctx(cands, { state }));
    // A: p90 TTFT 460 + 10 * 10 = 560; B: 200 + 20 * 10 = 400; C is fastest but does not fit.
    expect(r.model).toBe('B');
    expect(r.scores.A).toBeCloseTo(400 / 560, 12);
    expect(r.scores.B).toBe(1);
    expect(r.scores.C).toBe(0);
  });

  it('falls back to the best fit without latency data and bounds the samples', async () => {
    const state = new MemoryStateStore();
    const s = await make('latency_aware', { max_samples: 2 });
    expect((await s.select(ctx(cands, { state }))).model).toBe('A');
    for (const t of [1, 2, 3]) await s.recordOutcome!({ decision: 'd', model: 'A', ttftMs: t }, state);
    expect(await state.getSamples('latency:A:ttft')).toEqual([2, 3]);
  });
});
