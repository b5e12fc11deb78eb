// Session strings are keyed by client session ids: the memory store keeps a bounded number of them.
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../src/index.js';

describe('MemoryStateStore bounds', () => {
  it('keeps at most maxStrings session strings, dropping the oldest-written, and leaves hashes alone', async () => {
    const s = createMemoryStateStore({ maxStrings: 100 });
    await s.incrNumbers('elo:d', { a: 1 });
    for (let i = 0; i < 1000; i++) await s.setString(`session:d:${i}`, 'a', 60_000);
    expect(s.size).toBe(101);
    expect(await s.getString('session:d:0')).toBeUndefined();
    expect(await s.getString('session:d:899')).toBeUndefined();
    expect(await s.getString('session:d:900')).toBe('a');
    expect(await s.getString('session:d:999')).toBe('a');
    expect(await s.getNumbers('elo:d', ['a'])).toEqual({ a: 1 });
    // Rewriting a key makes it the newest: it survives the next eviction.
    await s.setString('session:d:900', 'b', 60_000);
    await s.setString('session:d:new', 'a', 60_000);
    expect(await s.getString('session:d:900')).toBe('b');
    expect(await s.getString('session:d:901')).toBeUndefined();
    expect(s.size).toBe(101);
  });
});
