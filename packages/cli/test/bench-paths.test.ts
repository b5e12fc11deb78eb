// The CLI falls back to the repository's files (model dir, bench data) only when it runs from a
// checkout; an installed CLI (node_modules/@semroute/cli) never looks two directories up, and
// `semroute bench` then asks for its data files by name.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkoutRoot, defaultModelDir, repoRoot } from '../src/paths.js';
import { benchDefaults, runBench } from '../src/commands/bench.js';

const ROOT = path.resolve(__dirname, '../../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe('repository checkout detection', () => {
  it('recognises this checkout, and nothing else, as one', () => {
    expect(repoRoot).toBe(ROOT);
    expect(checkoutRoot(path.join(ROOT, 'packages', 'cli'))).toBe(ROOT);
    const tmp = mkdtempSync(path.join(tmpdir(), 'semroute-installed-'));
    // An installed CLI: two levels up is node_modules, even with a bench/ of some other package there.
    const installed = path.join(tmp, 'node_modules', '@semroute', 'cli');
    mkdirSync(installed, { recursive: true });
    mkdirSync(path.join(tmp, 'node_modules', 'bench'), { recursive: true });
    writeFileSync(path.join(tmp, 'node_modules', 'bench', 'routing-set.jsonl'), '');
    expect(checkoutRoot(installed)).toBeUndefined();
    // packages/cli without the repo's bench data is not a checkout either.
    mkdirSync(path.join(tmp, 'packages', 'cli'), { recursive: true });
    expect(checkoutRoot(path.join(tmp, 'packages', 'cli'))).toBeUndefined();
  });

  it("uses the checkout's model dir only for a checkout", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'semroute-cwd-'));
    const fake = mkdtempSync(path.join(tmpdir(), 'semroute-root-'));
    mkdirSync(path.join(fake, 'models', 'all-MiniLM-L6-v2'), { recursive: true });
    writeFileSync(path.join(fake, 'models', 'all-MiniLM-L6-v2', 'config.json'), '{}');
    expect(defaultModelDir({}, cwd, { root: fake })).toBe(path.join(fake, 'models', 'all-MiniLM-L6-v2'));
    expect(defaultModelDir({}, cwd, { root: undefined })).toBeUndefined();
    expect(defaultModelDir({ SEMROUTE_MODEL_DIR: 'm' }, cwd, { root: undefined })).toBe(path.resolve('m'));
  });
});

describe('semroute bench outside a checkout', () => {
  const opts = { reports: mkdtempSync(path.join(tmpdir(), 'semroute-reports-')), n: 300 };

  it('has no data defaults', () => {
    expect(benchDefaults(undefined)).toEqual({ reports: path.resolve('reports') });
    expect(benchDefaults(ROOT).set).toBe(path.join(ROOT, 'bench', 'routing-set.jsonl'));
  });

  it.each([
    ['domain', /semroute bench domain needs --data and --domains: .*repository checkout/],
    ['routing', /semroute bench routing needs --set: .*repository checkout/],
    ['all', /semroute bench all needs --data and --domains and --set/],
    ['quality', /bench quality runs only from a semroute repository checkout/],
  ] as const)('%s: a clear error naming what to pass, before any model loads', async (which, message) => {
    const { io, err } = capture();
    expect(await runBench(which, opts, io, { root: undefined })).toBe(1);
    expect(err.join('\n')).toMatch(message);
  });

  it('routing with --set given gets past the check (then fails on the missing file, naming it)', async () => {
    const { io, err } = capture();
    expect(await runBench('routing', { ...opts, set: path.join(opts.reports, 'nope.jsonl') }, io, { root: undefined })).not.toBe(0);
    expect(err.join('\n')).toMatch(/nope\.jsonl/);
  });
});
