import { describe, expect, it } from 'vitest';
import { sessionKey } from '../src/selection/keys.js';
import { MemoryStateStore } from '../src/state/memory.js';
import { ctx, make, paramIssues, type CandSpec } from './selection-fixtures.js';

const e = Math.exp;

describe('hybrid', () => {
  const cands: CandSpec[] = [
    { model: 'A', similarity: 0.3, weight: 1 },
    { model: 'B', similarity: 0.1, weight: 2 },
  ];

  it('blends min-max normalised component scores by weight', async () => {
    const s = await make('hybrid', {
      components: [
        { type: 'router_dc', weight: 1, params: { temperature: 0.1 } },
        { type: 'static', weight: 3 },
      ],
    });
    const r = await s.select(ctx(cands));
    // router_dc -> A 1, B 0; static (weights 1/3, 2/3) -> A 0, B 1
    expect(r.scores).toEqual({ A: 0.25, B: 0.75 });
    expect(r.model).toBe('B');
    const s2 = await make('hybrid', { components: [{ type: 'router_dc', weight: 3 }, { type: 'static' }] });
    expect((await s2.select(ctx(cands))).scores).toEqual({ A: 0.75, B: 0.25 });
  });

  it('forwards outcomes to learning components', async () => {
    const state = new MemoryStateStore();
    const s = await make('hybrid', { components: [{ type: 'elo', params: { fit_weight: 0 } }, { type: 'static', weight: 0.5 }] });
    await s.recordOutcome!({ decision: 'd', model: 'A', opponent: 'B', result: 'win' }, state);
    const r = await s.select(ctx(cands, { state }));
    // elo: A above B -> A 1, B 0 (weight 1); static -> A 0, B 1 (weight 0.5)
    expect(r.scores.A).toBeCloseTo(1 / 1.5, 12);
    expect(r.model).toBe('A');
  });

  it('validates nested components with their paths', () => {
    expect(paramIssues('hybrid', { components: [] })).toEqual(['components: hybrid needs at least one component']);
    expect(paramIssues('hybrid', { components: [{ type: 'router_dc', params: { temperature: -1 } }] })[0]).toMatch(
      /^components\.0\.params\.temperature: /,
    );
    expect(paramIssues('hybrid', { components: [{ type: 'nope' }] })[0]).toMatch(/^components\.0\.type: unknown/);
    expect(paramIssues('hybrid', { components: [{ type: 'hybrid', params: {} }] })[0]).toMatch(/^components\.0\.type: /);
    expect(paramIssues('hybrid', { components: [{ type: 'static', weight: 0 }] })[0]).toMatch(/^components\.0\.weight: /);
  });
});

describe('session_aware', () => {
  const cands: CandSpec[] = [
    { model: 'A', similarity: 0.5 },
    { model: 'B', similarity: 0.49 },
  ];
  // base multi_factor scores: A = 1, B = e^-0.2 ~ 0.8187; gain of switching B -> A = 0.1813

  it('switches only when the best alternative beats the session model by more than the margin', async () => {
    let t = 0;
    const now = (): number => t;
    const state = new MemoryStateStore({ now });
    const low = await make('session_aware', { margin: 0.1 });
    const high = await make('session_aware', { margin: 0.2, ttl_seconds: 60 });
    await state.setString(sessionKey('d', 's1'), 'B');
    const switched = await low.select(ctx(cands, { state, sessionId: 's1', now }));
    expect(switched.model).toBe('A');
    expect(await state.getString(sessionKey('d', 's1'))).toBe('A');

    await state.setString(sessionKey('d', 's1'), 'B');
    const stayed = await high.select(ctx(cands, { state, sessionId: 's1', now }));
    expect(stayed.model).toBe('B');
    expect(stayed.reasonCode).toBe('session_sticky');
    expect(stayed.scores.B).toBeCloseTo(e(-0.2), 12);

    t = 60_000; // stickiness expires with the TTL
    expect((await high.select(ctx(cands, { state, sessionId: 's1', now }))).model).toBe('A');
  });

  it('without a session id behaves as its base; outcomes set the session model', async () => {
    const state = new MemoryStateStore();
    const s = await make('session_aware', { base: { type: 'router_dc' }, margin: 0.5 });
    const r = await s.select(ctx(cands, { state }));
    expect(r.model).toBe('A');
    expect(r.scores.A).toBeCloseTo(1 / (1 + e(-0.01 / 0.07)), 12);
    await s.recordOutcome!({ decision: 'd', model: 'B', sessionId: 'u7', success: true }, state);
    expect((await s.select(ctx(cands, { state, sessionId: 'u7' }))).model).toBe('B');
    // A candidate that left the decision is not kept.
    await state.setString(sessionKey('d', 'u8'), 'gone');
    expect((await s.select(ctx(cands, { state, sessionId: 'u8' }))).model).toBe('A');
  });

  it('validates the base selector', () => {
    expect(paramIssues('session_aware', { base: { type: 'session_aware' } })[0]).toMatch(/^base\.type: /);
    expect(paramIssues('session_aware', { base: { type: 'elo', params: { k_factor: 'x' } } })[0]).toMatch(/^base\.params\.k_factor: /);
  });
});
