// Routing quality, frozen: the seed config and the two evaluation configs of bench/eval, used
// verbatim (descriptions only) with the real all-MiniLM-L6-v2 model and the bundled task library,
// route their labelled prompts. None of these prompts built or tuned the router (bench/eval/README.md).
// The limits sit a little above what was measured when they were frozen (BENCHMARKS.md, "Routing
// quality"), so a real regression fails the suite while float noise from engine changes does not.
// Without the library the same prompts misroute 19-30%: each limit is far below that.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter, loadConfig } from '../packages/router/src/index.js';
import { parseLabelled } from '../packages/cli/src/eval/labelled.js';
import { evaluateRouter } from '../packages/cli/src/eval/evaluate.js';

const ROOT = path.resolve(__dirname, '..');
const MODEL = path.join(ROOT, 'models/all-MiniLM-L6-v2');

const suites = [
  // name, config, labelled prompts, most misroutes allowed (measured when frozen)
  { name: 'seed: routing-set', config: 'test/reference/seed-router-config.yaml', data: 'bench/routing-set.jsonl', max: 3 }, // 1 / 72
  { name: 'seed: seed-eval', config: 'test/reference/seed-router-config.yaml', data: 'bench/eval/seed-eval.jsonl', max: 4 }, // 2 / 150
  { name: 'five-kinds', config: 'bench/eval/five-kinds.yaml', data: 'bench/eval/five-kinds-eval.jsonl', max: 17 }, // 14 / 240
  { name: 'domains (13 cards)', config: 'bench/eval/domains.yaml', data: 'bench/eval/domains-eval.jsonl', max: 21 }, // 18 / 260
];

describe('routing quality does not regress (real MiniLM, task library on)', () => {
  for (const s of suites) {
    it(`${s.name}: at most ${s.max} misrouted`, async () => {
      const loaded = await loadConfig(path.join(ROOT, s.config));
      const cards = new Set(loaded.config.routing.modelCards.map((c) => c.name));
      const router = await createRouter({ config: loaded, defaultModelDir: MODEL });
      try {
        const { items, errors } = parseLabelled(readFileSync(path.join(ROOT, s.data), 'utf8'), cards);
        expect(errors).toEqual([]);
        expect(items.length).toBeGreaterThan(50);
        const report = await evaluateRouter(router, items);
        const misrouted = report.total - report.correct;
        const list = report.misrouted.map((m) => `${m.prompt.slice(0, 70)} -> ${m.got} (expected ${m.expected.join('|')})`);
        expect(misrouted, `${misrouted} of ${report.total} misrouted:\n${list.join('\n')}`).toBeLessThanOrEqual(s.max);
      } finally {
        await router.close();
      }
    }, 180_000);
  }
});
