// Property-based fuzzing of recordOutcomes (fast-check): batches mixing valid outcomes, outcomes
// with one field replaced by a hostile value, and arbitrary values. A batch either applies whole
// (receipt.recorded = its length) or throws OutcomeValidationError naming the first bad item and
// field with the learning state untouched; the items before that index are valid on their own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore, createRouter, OutcomeValidationError, type MemoryStateStore } from '../src/index.js';
import { constantEmbedder } from './routing-helpers.js';

const SCALE = Number(process.env.SEMROUTE_FUZZ_SCALE ?? 1);

/** Every text embeds to the same unit vector: these tests are about outcomes, not routing. */
const embedder = constantEmbedder();

const CONFIG = {
  providers: { models: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
  routing: {
    task_library: { enabled: false },
    modelCards: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    decisions: [
      { name: 'elo', modelRefs: [{ model: 'a' }, { model: 'b' }], algorithm: { type: 'elo' } },
      { name: 'fast', modelRefs: [{ model: 'b' }, { model: 'c' }], algorithm: { type: 'latency_aware' } },
      { name: 'sess', modelRefs: [{ model: 'a' }, { model: 'c' }], algorithm: { type: 'session_aware', session_aware: { base: { type: 'automix' } } } },
    ],
  },
};
const MODELS: Record<string, string[]> = { elo: ['a', 'b'], fast: ['b', 'c'], sess: ['a', 'c'] };

const hostile = fc.oneof(
  // biome-ignore lint/correctness/noPrecisionLoss: 1e999 is a deliberately hostile literal (it overflows to Infinity).
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0.0001, 1e999, 1e308, 3_600_001, '', '__proto__', 'constructor', null, [], {}, true),
  fc.anything({ maxDepth: 2 }),
);

const valid = fc.constantFrom('elo', 'fast', 'sess').chain((decision) =>
  fc.record(
    {
      decision: fc.constant(decision),
      model: fc.constantFrom(...MODELS[decision]!),
      success: fc.boolean(),
      reward: fc.double({ min: 0, max: 1, noNaN: true }),
      ttftMs: fc.double({ min: 0, max: 3_600_000, noNaN: true }),
      tpotMs: fc.double({ min: 0, max: 3_600_000, noNaN: true }),
      sessionId: fc.string({ minLength: 1, maxLength: 256 }),
      timestamp: fc.integer({ min: 0 }),
    },
    { requiredKeys: ['decision', 'model'] },
  ),
);

const FIELDS = ['decision', 'model', 'success', 'reward', 'opponent', 'result', 'ttftMs', 'tpotMs', 'sessionId', 'timestamp', 'madeUp', 'cost'];
const broken = fc.tuple(valid, fc.constantFrom(...FIELDS), hostile).map(([o, field, v]) => ({ ...o, [field]: v }) as Record<string, unknown>);
const item = fc.oneof({ weight: 5, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 2, arbitrary: broken }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });

/** A stable dump of the memory store, to tell whether anything changed. */
function snapshot(s: MemoryStateStore): string {
  const entries = (s as unknown as { entries: Map<string, unknown> }).entries;
  return JSON.stringify([...entries].map(([k, e]) => [k, JSON.stringify(e, (_k, v: unknown) => (v instanceof Map ? [...v] : v))]));
}

describe('outcome batch fuzz', () => {
  it('a batch applies whole or throws OutcomeValidationError naming the first bad item, state untouched', async () => {
    const state = createMemoryStateStore();
    const router = await createRouter({ config: structuredClone(CONFIG), embedder, state, cacheDir: false, maxOutcomeBatch: 16 });
    const tally = { applied: 0, rejected: 0, oversize: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: fc.array(item, { maxLength: 12 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: 17, maxLength: 24 }) }), async (batch) => {
        const before = snapshot(state);
        let err: unknown;
        try {
          const receipt = await router.recordOutcomes(batch);
          expect(receipt).toEqual({ recorded: batch.length, persisted: true, queued: 0, unconfirmed: 0 });
          tally.applied++;
          return;
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(OutcomeValidationError);
        const v = err as OutcomeValidationError;
        expect(snapshot(state)).toBe(before); // nothing of the batch was applied
        if (v.index === null) {
          expect(batch.length).toBeGreaterThan(16);
          expect(v.field).toBe('batch');
          tally.oversize++;
          return;
        }
        tally.rejected++;
        expect(v.index).toBeGreaterThanOrEqual(0);
        expect(v.index).toBeLessThan(batch.length);
        expect(v.message.startsWith(`outcome[${v.index}]`)).toBe(true);
        if (v.field) expect(v.message).toContain(`.${v.field}: `);
        // The items before it are valid: they apply on their own; the item itself fails alone at the same field.
        await router.recordOutcomes(batch.slice(0, v.index));
        const alone = await router.recordOutcomes([batch[v.index]]).catch((e: unknown) => e);
        expect(alone).toMatchObject({ index: 0, field: v.field });
      }),
      { numRuns: 500 * SCALE, interruptAfterTimeLimit: 5000 * SCALE },
    );
    console.log(`outcome fuzz: ${tally.applied} batches applied, ${tally.rejected} rejected at an item, ${tally.oversize} over the size limit`);
    expect(tally.applied).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(0);
    // Only config names became keys: elo / automix per decision, latency per candidate, sessions.
    const keys = [...(state as unknown as { entries: Map<string, unknown> }).entries.keys()];
    for (const k of keys) expect(k).toMatch(/^(elo:elo|automix:sess|latency:[bc]:(ttft|tpot)|session:sess:.+)$/s);
    await router.close();
  }, 60_000 * SCALE);
});
