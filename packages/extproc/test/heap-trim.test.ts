// HeapTrimmer: trims at the TRIM_ROUNDS checks after a burst of at least TRIM_AFTER_BYTES of held
// body bytes is over, and not otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { ByteBudget } from '../src/byte-budget.js';
import { HeapTrimmer, TRIM_AFTER_BYTES, TRIM_ROUNDS } from '../src/heap-trim.js';

let trimmer: HeapTrimmer | undefined;
afterEach(() => trimmer?.stop());

describe('HeapTrimmer', () => {
  it('waits for a burst to end, then trims at the next TRIM_ROUNDS checks and reports each result', () => {
    const results: boolean[] = [];
    let trims = 0;
    const budget = new ByteBudget(64 * TRIM_AFTER_BYTES, (used) => trimmer?.observe(used));
    trimmer = new HeapTrimmer(budget, () => ++trims % 2 === 1, 60_000, (r) => results.push(r));
    expect(trimmer.check()).toBe(false); // nothing held yet
    budget.take(TRIM_AFTER_BYTES - 1);
    budget.give(TRIM_AFTER_BYTES - 1);
    expect(trimmer.check()).toBe(false); // under the burst size
    budget.take(3 * TRIM_AFTER_BYTES);
    expect(trimmer.check()).toBe(false); // held: the burst is going on
    budget.give(2 * TRIM_AFTER_BYTES);
    expect(trimmer.check()).toBe(false); // still a burst's worth held
    budget.give(TRIM_AFTER_BYTES - 10); // a few small bodies in flight do not stop the trims
    for (let i = 0; i < TRIM_ROUNDS; i++) expect(trimmer.check()).toBe(true);
    expect(trimmer.check()).toBe(false);
    expect(trims).toBe(TRIM_ROUNDS);
    expect(results.slice(0, 3)).toEqual([true, false, true]);
    // A new burst starts the rounds again.
    budget.take(2 * TRIM_AFTER_BYTES);
    budget.give(2 * TRIM_AFTER_BYTES);
    expect(trimmer.check()).toBe(true);
    expect(trims).toBe(TRIM_ROUNDS + 1);
  });
});
