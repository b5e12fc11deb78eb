// recordOutcomes: a batch is validated whole before anything is applied; only the decision's
// modelRefs, finite in-range numbers, known fields and bounded batches are accepted, and client
// input never creates learning-state keys.
import { describe, expect, it } from 'vitest';
import { createRouter, createMemoryStateStore, OutcomeValidationError, type Router } from '../src/index.js';
import { constantEmbedder } from './routing-helpers.js';

/** Every text embeds to the same unit vector: these tests are about outcomes, not routing. */
const embedder = constantEmbedder();

const CONFIG = {
  providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
  routing: {
    task_library: { enabled: false },
    modelCards: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    decisions: [
      { name: 'learn', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'elo' } },
      { name: 'fast', modelRefs: [{ model: 'a' }, { model: 'c' }], algorithm: { type: 'latency_aware' } },
    ],
  },
};

async function setup(options: { maxOutcomeBatch?: number } = {}) {
  const state = createMemoryStateStore();
  const router = await createRouter({ config: structuredClone(CONFIG), embedder, state, cacheDir: false, ...options });
  return { state, router };
}

/** Number of keys the memory store holds (its Map). */
const keyCount = (s: ReturnType<typeof createMemoryStateStore>) => s.size;

async function rejection(r: Router, list: unknown[]): Promise<OutcomeValidationError> {
  const err = await r.recordOutcomes(list).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutcomeValidationError);
  return err as OutcomeValidationError;
}

describe('recordOutcomes validation', () => {
  it('applies a valid batch in order and reports it persisted', async () => {
    const { state, router } = await setup();
    const receipt = await router.recordOutcomes([
      { decision: 'learn', model: 'a', success: true },
      { decision: 'learn', model: 'a', opponent: 'b', result: 'win' },
      { decision: 'fast', model: 'c', ttftMs: 120, tpotMs: 8 },
    ]);
    expect(receipt).toEqual({ recorded: 3, persisted: true, queued: 0, unconfirmed: 0 });
    const elo = await state.getNumbers('elo:learn', ['a', 'b']);
    expect(elo.a).toBeGreaterThan(0);
    expect(elo.b).toBeLessThan(0);
    expect(await state.getSamples('latency:c:ttft')).toEqual([120]);
    await router.close();
  });

  it('applies nothing of a batch whose second item is invalid, and names the item and field', async () => {
    const { state, router } = await setup();
    const err = await rejection(router, [
      { decision: 'learn', model: 'a', success: true },
      { decision: 'fast', model: 'c', ttftMs: -5 },
    ]);
    expect(err.index).toBe(1);
    expect(err.field).toBe('ttftMs');
    expect(err.code).toBe('INVALID_OUTCOME');
    expect(err.message).toMatch(/^outcome\[1\]\.ttftMs: expected a finite number from 0 to 3600000, got -5$/);
    expect(keyCount(state)).toBe(0);
    await router.close();
  });

  it.each([
    ['1e999 (JSON Infinity)', { decision: 'fast', model: 'a', ttftMs: JSON.parse('1e999') as number }, 'ttftMs', /got Infinity/],
    ['NaN', { decision: 'fast', model: 'a', tpotMs: Number.NaN }, 'tpotMs', /got NaN/],
    ['a negative latency', { decision: 'fast', model: 'a', tpotMs: -0.1 }, 'tpotMs', /got -0.1/],
    ['a latency over an hour', { decision: 'fast', model: 'a', ttftMs: 4e6 }, 'ttftMs', /got 4000000/],
    ['a latency given as a string', { decision: 'fast', model: 'a', ttftMs: '120' }, 'ttftMs', /got "120"/],
    ['a reward above 1', { decision: 'learn', model: 'a', reward: 1.5 }, 'reward', /from 0 to 1, got 1.5/],
    ['success not a boolean', { decision: 'learn', model: 'a', success: 'yes' }, 'success', /true or false/],
    ['a model outside modelRefs', { decision: 'learn', model: 'c', success: true }, 'model', /"c" is not a candidate of decision "learn" \(modelRefs: a, b\)/],
    ['a made-up model', { decision: 'learn', model: 'made-up-1', success: true }, 'model', /not a candidate/],
    ['an opponent outside modelRefs', { decision: 'learn', model: 'a', opponent: 'zzz', result: 'win' }, 'opponent', /"zzz" is not a candidate/],
    ['a result without an opponent', { decision: 'learn', model: 'a', result: 'win' }, 'opponent', /needs "opponent"/],
    ['an unknown result', { decision: 'learn', model: 'a', opponent: 'b', result: 'tie' }, 'result', /win, loss, draw/],
    ['an unknown field', { decision: 'learn', model: 'a', success: true, costUsd: 3 }, 'costUsd', /unknown field/],
    ['a __proto__ field', JSON.parse('{"decision":"learn","model":"a","__proto__":{"x":1}}') as object, '__proto__', /unknown field/],
    ['a missing model', { decision: 'learn', success: true }, 'model', /expected a model name, got nothing/],
    ['an over-long session id', { decision: 'learn', model: 'a', success: true, sessionId: 'x'.repeat(300) }, 'sessionId', /1 to 256 characters/],
    ['a negative timestamp', { decision: 'learn', model: 'a', success: true, timestamp: -1 }, 'timestamp', /got -1/],
    ['not an object', 'learn/a', '', /expected an outcome object, got "learn\/a"/],
  ])('rejects %s', async (_what, bad, field, message) => {
    const { state, router } = await setup();
    const err = await rejection(router, [{ decision: 'learn', model: 'b', success: true }, bad]);
    expect(err.index).toBe(1);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`outcome[1]${field ? `.${field}` : ''}: `)).toBe(true);
    expect(keyCount(state)).toBe(0);
    await router.close();
  });

  it('reports an unknown decision with the UNKNOWN_DECISION code', async () => {
    const { router } = await setup();
    const err = await rejection(router, [{ decision: 'nope', model: 'a' }]);
    expect(err).toMatchObject({ code: 'UNKNOWN_DECISION', index: 0, field: 'decision' });
    expect(err.message).toMatch(/no decision named "nope" \(known: learn, fast\)/);
    await expect(router.recordOutcome({ decision: 'nope', model: 'a' })).rejects.toMatchObject({ code: 'UNKNOWN_DECISION' });
    await router.close();
  });

  it('bounds the batch size and rejects a batch that is not an array', async () => {
    const { state, router } = await setup({ maxOutcomeBatch: 10 });
    const ok = Array.from({ length: 10 }, () => ({ decision: 'learn', model: 'a', success: true }));
    expect((await router.recordOutcomes(ok)).recorded).toBe(10);
    const err = await rejection(router, [...ok, ok[0]]);
    expect(err).toMatchObject({ index: null, field: 'batch' });
    expect(err.message).toBe('outcome batch: 11 outcomes in one batch; at most 10');
    const notArray = await rejection(router, { decision: 'learn' } as unknown as unknown[]);
    expect(notArray.message).toMatch(/expected an array of outcomes, got an object/);
    expect(keyCount(state)).toBe(1); // elo:learn, from the valid batch only
    await router.close();
  });

  it('keeps the learning state bounded by the config: 50k made-up model names create no key', async () => {
    const { state, router } = await setup();
    await router.recordOutcomes([{ decision: 'fast', model: 'a', ttftMs: 10 }]);
    const before = keyCount(state);
    let rejected = 0;
    for (let i = 0; i < 50_000; i++) {
      await router.recordOutcome({ decision: 'fast', model: `made-up-${i}`, ttftMs: 10 }).catch((e: unknown) => {
        if (e instanceof OutcomeValidationError && e.field === 'model') rejected++;
      });
    }
    expect(rejected).toBe(50_000);
    expect(keyCount(state)).toBe(before);
    await router.close();
  }, 60_000);
});
