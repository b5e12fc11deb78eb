// `semroute eval`: how well a config's cards route a user's own labelled prompts.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig, type Router } from '@semroute/router';
import { processIo, reportError, UserError, type Io } from '../io.js';
import { openRouter, type RouterDeps } from '../router-factory.js';
import { readUserFile } from '../files.js';
import { defaultConfigPath } from '../paths.js';
import { parseLabelled } from '../eval/labelled.js';
import { evaluateRouter, type EvalReport } from '../eval/evaluate.js';

export interface EvalOptions {
  config?: string;
  data?: string;
  out?: string;
  json?: boolean;
  taskLibrary: boolean;
}

export function registerEval(program: Command, io: Io = processIo, deps: RouterDeps = {}): void {
  program
    .command('eval')
    .description('route labelled prompts and report accuracy, a confusion matrix and the misrouted prompts')
    .option('-c, --config <file>', 'router config (YAML); default: the bundled seed config')
    .requiredOption('-d, --data <file>', 'JSONL: {"prompt": ... | "messages": [...], "expected": "model" | ["model", ...]} per line')
    .option('-o, --out <file>', 'write the full report as JSON')
    .option('--json', 'print the report as JSON instead of text')
    .option('--no-task-library', 'route without the bundled task library (direct similarity only)')
    .action(async (opts: EvalOptions) => {
      process.exitCode = await runEval(opts, io, deps);
    });
}

/** Runs the evaluation; exit code 1 when some lines were bad (they are listed), else 0. */
export async function runEval(opts: EvalOptions, io: Io, deps: RouterDeps = {}): Promise<number> {
  let router: Router | undefined;
  try {
    if (!opts.data) throw new UserError('give --data FILE.jsonl');
    const text = await readUserFile(opts.data, 'labelled data');
    const loaded = await loadConfig(opts.config ?? defaultConfigPath, deps.env ? { env: deps.env } : {});
    if (!opts.taskLibrary) loaded.config.routing.task_library.enabled = false;
    const known = new Set([...loaded.config.routing.modelCards.map((c) => c.name), ...loaded.config.providers.models.map((m) => m.name)]);
    const { items, errors } = parseLabelled(text, known);
    for (const e of errors) io.err(`${opts.data}: ${e.error}`);
    if (items.length === 0) throw new UserError(`${opts.data}: no usable line (${errors.length} bad)`);
    ({ router } = await openRouter(loaded, deps));
    const report = { config: loaded.source, data: opts.data, taskLibrary: opts.taskLibrary, ...(await evaluateRouter(router, items)), badLines: errors };
    if (opts.out) await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    io.out(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return errors.length > 0 ? 1 : 0;
  } catch (err) {
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  } finally {
    await router?.close();
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** The report as text: headline, per card, confusion matrix, misroutes. */
export function formatReport(r: EvalReport & { badLines: unknown[] }): string {
  const out: string[] = [];
  out.push(`accuracy ${r.correct}/${r.total} = ${pct(r.accuracy)} (misrouted ${pct(r.misrouteRate)}); route p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
  const cols = [...new Set(Object.values(r.confusion).flatMap((row) => Object.keys(row)))].sort();
  const rows = Object.keys(r.confusion).sort();
  const w = Math.max(8, ...rows.map((x) => x.length), ...cols.map((x) => x.length));
  out.push('', 'per card (expected):');
  for (const c of rows) out.push(`  ${c.padEnd(w)}  ${r.perCard[c]!.correct}/${r.perCard[c]!.total} = ${pct(r.perCard[c]!.accuracy)}`);
  out.push('', `confusion (rows expected, columns routed):`, `  ${''.padEnd(w)}  ${cols.map((c) => c.padStart(w)).join(' ')}`);
  for (const e of rows) out.push(`  ${e.padEnd(w)}  ${cols.map((c) => String(r.confusion[e]![c] ?? 0).padStart(w)).join(' ')}`);
  if (r.misrouted.length > 0) {
    out.push('', `misrouted (${r.misrouted.length}):`);
    for (const m of r.misrouted) {
      const top = m.top.map((t) => `${t.model} ${t.score.toFixed(3)}`).join(', ');
      const tasks = m.tasks.map((t) => `${t.task} ${t.score.toFixed(2)}`).join(', ');
      out.push(`  line ${m.line}: expected ${m.expected.join('|')}, got ${m.got} [${top}]${tasks ? ` tasks: ${tasks}` : ''}`);
      out.push(`    ${m.prompt.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  }
  if (r.badLines.length > 0) out.push('', `${r.badLines.length} bad line(s) skipped (listed on stderr)`);
  return out.join('\n');
}
