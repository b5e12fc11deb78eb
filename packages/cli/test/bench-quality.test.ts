// `semroute bench quality` end to end on a fake embedder: every suite kind (labelled files, the
// held-out library split, a domain bench) runs with and without the task library and reports
// per-prompt outcomes. (The real-model figures are a benchmark, BENCHMARKS.md; this checks the
// command itself, which once failed at its first suite while no test ran it.)
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchQuality, defaultSuites } from '../src/bench/quality.js';
import { qualityMarkdown } from '../src/bench/quality-report.js';
import { FakeEmbedder } from '../../router/test/routing-helpers.js';

const ROOT = path.resolve(__dirname, '../../..');

describe('bench quality', () => {
  it('runs each kind of suite before and after the task library and reports every prompt', async () => {
    const all = defaultSuites(ROOT);
    const suites = [all.find((s) => s.files)!, all.find((s) => s.heldout)!, all.find((s) => s.domainBench)!];
    const lines: string[] = [];
    const results = await benchQuality(new FakeEmbedder(), suites, path.join(ROOT, 'bench/eval/task-expectations.json'), (l) => lines.push(l));
    expect(results.map((r) => r.suite)).toEqual(suites.map((s) => s.name));
    for (const r of results) {
      expect(r.before.total).toBeGreaterThan(50);
      expect(r.after.total).toBe(r.before.total);
      for (const e of [r.before, r.after]) {
        expect(e.correct + e.misrouted.length).toBe(e.total);
        expect(e.misrouteRate).toBeCloseTo(e.misrouted.length / e.total, 3);
      }
    }
    expect(lines).toHaveLength(suites.length);
    const md = qualityMarkdown(results);
    for (const s of suites) expect(md).toContain(s.name);
  }, 180_000);
});
