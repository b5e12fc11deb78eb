// The on-disk vector cache: hit after miss, a corrupt or truncated file is rebuilt, concurrent
// writers never leave a partial file, and an unwritable directory does not fail the load.
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedVectors, cacheFileName, LOCK_TIMING } from '../src/library/vector-cache.js';

const key = { model: 'm', data: 'd' };
const rows = 3;
const dim = 4;
const values = () => Float32Array.from({ length: rows * dim }, (_, i) => i / 7);

describe('vector cache', () => {
  it('computes once, then reads the same floats back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    let calls = 0;
    const compute = async () => {
      calls++;
      return values();
    };
    const a = await cachedVectors(dir, key, rows, dim, compute);
    const b = await cachedVectors(dir, key, rows, dim, compute);
    expect([a.outcome, b.outcome, calls]).toEqual(['miss', 'hit', 1]);
    expect(Array.from(b.data)).toEqual(Array.from(values()));
    // Another key (other model or data) is another file.
    expect((await cachedVectors(dir, { model: 'm2', data: 'd' }, rows, dim, compute)).outcome).toBe('miss');
  });

  it('rebuilds a corrupt, truncated or wrongly shaped file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    await cachedVectors(dir, key, rows, dim, async () => values());
    const file = path.join(dir, cacheFileName(key));
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 0xff;
    for (const bad of [flipped, good.subarray(0, good.length - 4), Buffer.from('garbage')]) {
      writeFileSync(file, bad);
      const r = await cachedVectors(dir, key, rows, dim, async () => values());
      expect(r.outcome).toBe('rebuilt');
      expect(readFileSync(file).equals(good)).toBe(true);
    }
    // Same key, other shape (e.g. a library that grew): not served from the old file.
    const r = await cachedVectors(dir, key, rows + 1, dim, async () => new Float32Array((rows + 1) * dim));
    expect(r.outcome).toBe('rebuilt');
  });

  it('is safe with several writers at once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    const all = await Promise.all(Array.from({ length: 8 }, () => cachedVectors(dir, key, rows, dim, async () => values())));
    for (const r of all) expect(Array.from(r.data)).toEqual(Array.from(values()));
    expect(readdirSync(dir)).toEqual([cacheFileName(key)]); // no temporary file left behind
    expect((await cachedVectors(dir, key, rows, dim, async () => values())).outcome).toBe('hit');
  });

  it('callers that miss at once compute once: the others wait for the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 300));
      return values();
    };
    const all = await Promise.all(Array.from({ length: 4 }, () => cachedVectors(dir, key, rows, dim, compute)));
    expect(calls).toBe(1);
    expect(all.map((r) => r.outcome).sort()).toEqual(['hit', 'hit', 'hit', 'miss']);
    for (const r of all) expect(Array.from(r.data)).toEqual(Array.from(values()));
    expect(readdirSync(dir)).toEqual([cacheFileName(key)]); // lock removed
  });

  it('takes over a stale lock (a holder that died) instead of waiting', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    const lock = path.join(dir, `${cacheFileName(key)}.lock`);
    writeFileSync(lock, '');
    const old = new Date(Date.now() - LOCK_TIMING.staleMs - 5_000);
    utimesSync(lock, old, old);
    const t = performance.now();
    const r = await cachedVectors(dir, key, rows, dim, async () => values());
    expect(r.outcome).toBe('miss');
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(readdirSync(dir)).toEqual([cacheFileName(key)]);
  });

  it('a waiter whose holder gives up without writing computes itself', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-'));
    const failing = cachedVectors(dir, key, rows, dim, async () => {
      await new Promise((r) => setTimeout(r, 300));
      throw new Error('model crashed');
    });
    await new Promise((r) => setTimeout(r, 50));
    const waiter = cachedVectors(dir, key, rows, dim, async () => values());
    await expect(failing).rejects.toThrow(/model crashed/);
    const r = await waiter;
    expect(r.outcome).toBe('miss');
    expect(Array.from(r.data)).toEqual(Array.from(values()));
  });

  it('reports an unwritable directory and still returns the vectors', async () => {
    const errors: unknown[] = [];
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'semroute-vc-')), 'a-file');
    writeFileSync(blocker, 'not a directory');
    const r = await cachedVectors(path.join(blocker, 'cache'), key, rows, dim, async () => values(), (e) => errors.push(e));
    expect(Array.from(r.data)).toEqual(Array.from(values()));
    expect(errors).toHaveLength(1);
  });

  it('undefined dir: no cache', async () => {
    expect((await cachedVectors(undefined, key, rows, dim, async () => values())).outcome).toBe('disabled');
  });
});
