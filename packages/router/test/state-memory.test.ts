import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../src/state/memory.js';

describe('MemoryStateStore', () => {
  it('reads only present hash fields and increments from 0', async () => {
    const s = new MemoryStateStore();
    expect(await s.getNumbers('h', ['a'])).toEqual({});
    expect(await s.incrNumbers('h', { a: 1.5, b: -2 })).toEqual({ a: 1.5, b: -2 });
    expect(await s.incrNumbers('h', { a: 1 })).toEqual({ a: 2.5 });
    await s.setNumbers('h', { c: 7 });
    expect(await s.getNumbers('h', ['a', 'b', 'c', 'zz'])).toEqual({ a: 2.5, b: -2, c: 7 });
  });

  it('loses no increment when many run concurrently', async () => {
    const s = new MemoryStateStore();
    await Promise.all(Array.from({ length: 200 }, () => s.incrNumbers('k', { n: 1, m: 0.5 })));
    expect(await s.getNumbers('k', ['n', 'm'])).toEqual({ n: 200, m: 100 });
  });

  it('keeps the newest maxLen samples, newest last, and returns copies', async () => {
    const s = new MemoryStateStore();
    for (let i = 1; i <= 5; i++) await s.pushSample('l', i, 3);
    const got = await s.getSamples('l');
    expect(got).toEqual([3, 4, 5]);
    got.push(99);
    expect(await s.getSamples('l')).toEqual([3, 4, 5]);
    expect(await s.getSamples('missing')).toEqual([]);
  });

  it('expires strings by the injected clock', async () => {
    let t = 1000;
    const s = new MemoryStateStore({ now: () => t });
    await s.setString('sess', 'gpt', 500);
    await s.setString('forever', 'x');
    t = 1499;
    expect(await s.getString('sess')).toBe('gpt');
    t = 1500;
    expect(await s.getString('sess')).toBeUndefined();
    expect(await s.getString('forever')).toBe('x');
  });

  it('rejects wrong types and bad values with the key named', async () => {
    const s = new MemoryStateStore();
    await s.incrNumbers('h', { a: 1 });
    await expect(s.pushSample('h', 1, 5)).rejects.toThrow(/state key h holds a hash, not a list/);
    await expect(s.getString('h')).rejects.toThrow(/not a string/);
    await expect(s.incrNumbers('x', { a: Number.NaN })).rejects.toThrow(/field a must be a finite number/);
    await expect(s.pushSample('l', 1, 0)).rejects.toThrow(/maxLen/);
    await expect(s.setString('s', 'v', 0)).rejects.toThrow(/ttlMs/);
  });

  it('refuses use after close', async () => {
    const s = new MemoryStateStore();
    await s.close();
    await expect(s.getNumbers('h', ['a'])).rejects.toThrow(/closed/);
  });
});
