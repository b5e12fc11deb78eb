// `semroute bench`: domain-signal accuracy, routing accuracy vs the seed article's keyword router,
// and route() latency. Prints figures and writes reports/router-*.json.
import path from 'node:path';
import type { Command } from 'commander';
import { createRouter, loadConfig, loadEmbedder, type TextEmbedder } from '@semroute/router';
import { processIo, reportError, UserError, type Io } from '../io.js';
import { defaultConfigPath, defaultModelDir, repoRoot } from '../paths.js';
import { benchDomain, readDomainBench, readDomainDefs } from '../bench/domain.js';
import { benchRouting, readRoutingSet } from '../bench/routing.js';
import { benchLatency } from '../bench/latency.js';
import { writeReport } from '../bench/stats.js';
import { benchQuality, defaultSuites } from '../bench/quality.js';
import { qualityMarkdown } from '../bench/quality-report.js';
import { writeFile } from 'node:fs/promises';

export interface BenchOptions {
  config?: string;
  /** Required outside a repository checkout (domain, all). */
  data?: string;
  /** Required outside a repository checkout (domain, all). */
  domains?: string;
  /** Required outside a repository checkout (routing, all). */
  set?: string;
  reports: string;
  n: number;
}

/** Data paths default to the repository's bench/ files only when the CLI runs from a checkout. */
export function benchDefaults(root: string | undefined): { data?: string; domains?: string; set?: string; reports: string } {
  if (!root) return { reports: path.resolve('reports') };
  return {
    data: path.join(root, 'bench', 'data', 'vsr_domain_bench.json'),
    domains: path.join(root, 'bench', 'domain-examples.json'),
    set: path.join(root, 'bench', 'routing-set.jsonl'),
    reports: path.join(root, 'reports'),
  };
}

const DEFAULTS = benchDefaults(repoRoot);

type Which = 'domain' | 'routing' | 'latency' | 'quality' | 'all';

/** The data paths `which` needs that are not given; a clear error when the CLI is not in a checkout. */
function checkInputs(which: Which, opts: BenchOptions, root: string | undefined): void {
  const need: Array<[string, string | undefined]> = [];
  if (which === 'domain' || which === 'all') need.push(['--data', opts.data], ['--domains', opts.domains]);
  if (which === 'routing' || which === 'all') need.push(['--set', opts.set]);
  const missing = need.filter(([, v]) => !v).map(([flag]) => flag);
  if (missing.length > 0) {
    throw new UserError(
      `semroute bench ${which} needs ${missing.join(' and ')}: the default data files live in a semroute repository checkout (bench/), and this CLI is not running from one. Pass the files explicitly, or run \`semroute bench latency\`, which needs none.`,
    );
  }
  if ((which === 'quality' || which === 'all') && !root) {
    throw new UserError('semroute bench quality runs only from a semroute repository checkout: its suites are the repository\'s bench/ files.');
  }
}

export function registerBench(program: Command, io: Io = processIo): void {
  const bench = program.command('bench').description('router benchmarks: domain accuracy, routing accuracy, latency');
  const common = (c: Command) =>
    c
      .option('-c, --config <file>', 'router config for routing and latency (default: the bundled seed config)')
      .option('--data <file>', `domain bench JSON${DEFAULTS.data ? '' : ' (required outside a repository checkout)'}`, DEFAULTS.data)
      .option('--domains <file>', `domain descriptions and examples${DEFAULTS.domains ? '' : ' (required outside a repository checkout)'}`, DEFAULTS.domains)
      .option('--set <file>', `routing set JSONL${DEFAULTS.set ? '' : ' (required outside a repository checkout)'}`, DEFAULTS.set)
      .option('--reports <dir>', 'where JSON reports go', DEFAULTS.reports)
      .option('-n <count>', 'timed route() calls for the latency bench', (v) => Number(v), 300);
  for (const which of ['domain', 'routing', 'latency', 'quality', 'all'] as const) {
    common(bench.command(which).description(`run the ${which} benchmark${which === 'all' ? 's' : ''}`)).action(async (opts: BenchOptions) => {
      process.exitCode = await runBench(which, opts, io);
    });
  }
}

/** Runs one or all benchmarks; returns the exit code. */
export async function runBench(which: Which, opts: BenchOptions, io: Io, checkout: { root: string | undefined } = { root: repoRoot }): Promise<number> {
  const root = checkout.root;
  try {
    if (!Number.isInteger(opts.n) || opts.n <= 0) throw new UserError('-n expects a positive integer');
    checkInputs(which, opts, root);
    const loaded = await loadConfig(opts.config ?? defaultConfigPath);
    // Inputs are read before the model loads, so a wrong path fails at once.
    const domainInputs = which === 'domain' || which === 'all' ? [await readDomainBench(opts.data!), await readDomainDefs(opts.domains!)] as const : undefined;
    const routingSet = which === 'routing' || which === 'all' ? await readRoutingSet(opts.set!) : undefined;
    const embedder: TextEmbedder = await loadEmbedder(loaded, defaultModelDir(process.env, process.cwd(), checkout));
    io.out(`model: ${embedder.info.architecture}, dim ${embedder.info.dim}`);
    if (domainInputs) {
      const results = await benchDomain(embedder, domainInputs[0], domainInputs[1]);
      for (const r of results) io.out(`domain  ${r.variant}: ${r.correct}/${r.total} = ${(r.accuracy * 100).toFixed(1)}%`);
      io.out(`        report: ${await writeReport(opts.reports, 'router-domain.json', { data: opts.data, results })}`);
    }
    if (routingSet) {
      const router = await createRouter({ config: loaded, embedder });
      const r = await benchRouting(router, routingSet);
      await router.close();
      io.out(`routing semroute: ${r.semroute.correct}/${r.items} = ${(r.semroute.accuracy * 100).toFixed(1)}%`);
      io.out(`routing keyword router (seed article): ${r.keyword.correct}/${r.items} = ${(r.keyword.accuracy * 100).toFixed(1)}%`);
      for (const [c, v] of Object.entries(r.perCategory)) io.out(`        ${c}: semroute ${v.semroute}/${v.n}, keyword ${v.keyword}/${v.n}`);
      io.out(`        report: ${await writeReport(opts.reports, 'router-routing.json', { set: opts.set, config: loaded.source, ...r })}`);
    }
    if (which === 'latency' || which === 'all') {
      const r = await benchLatency(embedder, loaded, opts.n);
      io.out(`latency route() short prompt, seed config: p50 ${r.seed.p50} ms, p99 ${r.seed.p99} ms (n=${r.seed.n}); embed only p50 ${r.embedOnly.p50} ms`);
      for (const g of r.growth) {
        io.out(`        ${g.cards} cards, ${g.decisions} decisions: p50 ${g.p50} ms, p99 ${g.p99} ms; without the model (embedding memoised) p50 ${g.routerOnlyP50} ms, p99 ${g.routerOnlyP99} ms`);
      }
      io.out(`        report: ${await writeReport(opts.reports, 'router-latency.json', { config: loaded.source, ...r })}`);
    }
    if (which === 'quality' || which === 'all') {
      const qualityRoot = root!; // checkInputs: quality needs a checkout
      const expectations = path.join(qualityRoot, 'bench', 'eval', 'task-expectations.json');
      const results = await benchQuality(embedder, defaultSuites(qualityRoot), expectations, (l) => io.out(`quality ${l}`));
      io.out(`        report: ${await writeReport(opts.reports, 'routing-quality.json', { results })}`);
      const md = path.join(opts.reports, 'routing-quality.md');
      await writeFile(md, qualityMarkdown(results));
      io.out(`        misroutes: ${md}`);
    }
    const e = embedder as { close?: () => unknown };
    if (typeof e.close === 'function') await e.close();
    return 0;
  } catch (err) {
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  }
}
