// Routing quality before and after the task library, on data that built and tuned nothing:
// the library's held-out split (labelled per config by bench/eval/task-expectations.json),
// bench/routing-set.jsonl, and the evaluation configs of bench/eval with their own prompts.
// Every config is used verbatim (descriptions only); "before" is the same router with
// `routing.task_library.enabled: false`.
import path from 'node:path';
import { createRouter, loadConfig, loadTaskLibrary, type LoadedConfig, type TextEmbedder } from '@semroute/router';
import { readUserFile, parseUserJson } from '../files.js';
import { UserError } from '../io.js';
import { parseLabelled, type LabelledItem } from '../eval/labelled.js';
import { evaluateRouter, type EvalReport } from '../eval/evaluate.js';

export interface QualitySuite {
  name: string;
  config: string;
  /** Labelled JSONL files ({prompt, expected}). */
  files?: string[];
  /** Key of bench/eval/task-expectations.json: the held-out split labelled for this config. */
  heldout?: string;
  /** vsr_domain_bench-style JSON ({text, true_label}); label "x y" -> card "x-y-expert". */
  domainBench?: string;
}

export interface QualityResult {
  suite: string;
  config: string;
  source: string;
  before: EvalReport;
  after: EvalReport;
}

export function defaultSuites(repoRoot: string): QualitySuite[] {
  const b = (...p: string[]) => path.join(repoRoot, 'bench', ...p);
  const seed = path.join(repoRoot, 'test', 'reference', 'seed-router-config.yaml');
  return [
    { name: 'seed: routing-set', config: seed, files: [b('routing-set.jsonl')] },
    { name: 'seed: seed-eval', config: seed, files: [b('eval', 'seed-eval.jsonl')] },
    { name: 'seed: held-out library split', config: seed, heldout: 'seed' },
    { name: 'five-kinds: five-kinds-eval', config: b('eval', 'five-kinds.yaml'), files: [b('eval', 'five-kinds-eval.jsonl')] },
    { name: 'five-kinds: held-out library split', config: b('eval', 'five-kinds.yaml'), heldout: 'five-kinds' },
    { name: 'domains: domains-eval', config: b('eval', 'domains.yaml'), files: [b('eval', 'domains-eval.jsonl')] },
    { name: 'domains: held-out library split', config: b('eval', 'domains.yaml'), heldout: 'domains' },
    { name: 'domains: vsr_domain_bench', config: b('eval', 'domains.yaml'), domainBench: b('data', 'vsr_domain_bench.json') },
  ];
}

async function suiteItems(s: QualitySuite, loaded: LoadedConfig, expectationsFile: string): Promise<LabelledItem[]> {
  const known = new Set(loaded.config.routing.modelCards.map((c) => c.name));
  const items: LabelledItem[] = [];
  for (const f of s.files ?? []) {
    const { items: got, errors } = parseLabelled(await readUserFile(f, 'labelled data'), known);
    if (errors.length > 0) throw new UserError(`${f}: ${errors[0]!.error}`);
    items.push(...got);
  }
  if (s.heldout) {
    const all = parseUserJson<Record<string, Record<string, string | null>>>(await readUserFile(expectationsFile, 'task expectations'), expectationsFile);
    const map = all[s.heldout];
    if (!map) throw new UserError(`${expectationsFile}: no "${s.heldout}" section`);
    const lib = loadTaskLibrary({ split: 'heldout' });
    lib.prompts.forEach((p, i) => {
      const want = map[lib.tasks[p.task]!.id];
      if (!want) return;
      if (!known.has(want)) throw new UserError(`${expectationsFile}: ${s.heldout}.${lib.tasks[p.task]!.id}: "${want}" is not a card of ${s.config}`);
      items.push({ line: i + 1, id: lib.tasks[p.task]!.id, prompt: p.text, expected: [want], request: { model: 'MoM', messages: [{ role: 'user', content: p.text }] } });
    });
  }
  if (s.domainBench) {
    const rows = parseUserJson<Array<{ text: string; true_label: string }>>(await readUserFile(s.domainBench, 'domain bench'), s.domainBench);
    rows.forEach((r, i) => {
      const card = `${r.true_label.replace(/\s+/g, '-')}-expert`;
      if (!known.has(card)) return; // e.g. "other": no card
      items.push({ line: i + 1, prompt: r.text, expected: [card], request: { model: 'MoM', messages: [{ role: 'user', content: r.text }] } });
    });
  }
  return items;
}

/** Runs every suite with and without the task library, sharing one embedder. */
export async function benchQuality(embedder: TextEmbedder, suites: QualitySuite[], expectationsFile: string, log: (s: string) => void) {
  const results: QualityResult[] = [];
  for (const s of suites) {
    const loaded = await loadConfig(s.config);
    const items = await suiteItems(s, loaded, expectationsFile);
    const run = async (enabled: boolean) => {
      // A copy that differs in this one switch (the loaded config holds parsed selectors: not cloneable).
      const routing = loaded.config.routing;
      const l = { ...loaded, config: { ...loaded.config, routing: { ...routing, task_library: { ...routing.task_library, enabled } } } };
      const router = await createRouter({ config: l, embedder });
      try {
        return await evaluateRouter(router, items);
      } finally {
        await router.close();
      }
    };
    const before = await run(false);
    const after = await run(true);
    log(
      `${s.name.padEnd(40)} n=${String(items.length).padStart(4)}  misrouted before ${(100 * before.misrouteRate).toFixed(1).padStart(5)}%  after ${(100 * after.misrouteRate).toFixed(1).padStart(5)}%`,
    );
    results.push({ suite: s.name, config: path.relative(process.cwd(), s.config), source: describe(s), before, after });
  }
  return results;
}

function describe(s: QualitySuite): string {
  if (s.heldout) return `library held-out split, expectations "${s.heldout}"`;
  if (s.domainBench) return path.basename(s.domainBench);
  return (s.files ?? []).map((f) => path.basename(f)).join(', ');
}
