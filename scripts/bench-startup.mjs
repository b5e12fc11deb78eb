#!/usr/bin/env node
// What the bundled task library costs: router startup time and RSS with the library off, on with
// an empty vector cache (first start with a model: the library is embedded), and on with a warm
// cache (every later start), each in a fresh Node process; then the router's own work per route()
// (everything but the one prompt embedding, which is memoised) with and without the library, over
// the prompts of bench/routing-set.jsonl. Needs `pnpm build:ts` (runs packages/*/dist).
//
//   node scripts/bench-startup.mjs [--config test/reference/seed-router-config.yaml]
//        [--model models/all-MiniLM-L6-v2] [--rounds 20] [--out reports/bench-startup.json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: join(root, 'test/reference/seed-router-config.yaml') },
    model: { type: 'string', default: join(root, 'models/all-MiniLM-L6-v2') },
    rounds: { type: 'string', default: '20' },
    out: { type: 'string', default: join(root, 'reports/bench-startup.json') },
    child: { type: 'string' },
    cache: { type: 'string' },
  },
});
const routerDist = join(root, 'packages/router/dist/index.js');
const embedDist = join(root, 'packages/embed/dist/index.js');
for (const f of [routerDist, embedDist]) {
  if (!existsSync(f)) {
    console.error(`${f} not found: run \`pnpm build:ts\` first`);
    process.exit(2);
  }
}
const { createRouter, loadConfig } = await import(pathToFileURL(routerDist).href);
const { Embedder } = await import(pathToFileURL(embedDist).href);
const mb = (b) => Math.round((b / 2 ** 20) * 10) / 10;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const r3 = (x) => Math.round(x * 1000) / 1000;

async function configWith(library) {
  // A fresh load each time (it carries functions, so it cannot be cloned).
  const loaded = await loadConfig(args.config);
  loaded.config.routing.task_library = { ...loaded.config.routing.task_library, enabled: library };
  return loaded;
}

if (args.child) {
  // One start in a fresh process: model load, then createRouter; prints one JSON line.
  const rssStart = process.memoryUsage().rss;
  const t0 = performance.now();
  const embedder = await Embedder.load(args.model);
  const tModel = performance.now();
  const rssModel = process.memoryUsage().rss;
  const config = await configWith(args.child !== 'off');
  const t1 = performance.now();
  const router = await createRouter({ config, embedder, cacheDir: args.cache });
  const tRouter = performance.now();
  const rssRouter = process.memoryUsage().rss;
  await router.close();
  await embedder.close?.();
  console.log(JSON.stringify({ mode: args.child, modelLoadMs: r3(tModel - t0), createRouterMs: r3(tRouter - t1), totalMs: r3(tRouter - t0), rssStartMb: mb(rssStart), rssAfterModelMb: mb(rssModel), rssAfterRouterMb: mb(rssRouter) }));
  process.exit(0);
}

function child(mode, cache) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, '--cache', cache, '--config', args.config, '--model', args.model], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const cacheDir = mkdtempSync(join(os.tmpdir(), 'semroute-bench-startup-'));
const starts = [];
try {
  starts.push(child('off', cacheDir));
  starts.push(child('cold', cacheDir)); // empty cache: embeds the library and writes the cache
  for (let i = 0; i < 3; i++) starts.push({ ...child('warm', cacheDir), run: i + 1 });
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
for (const s of starts) console.log(`start ${s.mode.padEnd(5)} model load ${s.modelLoadMs.toFixed(0)} ms, createRouter ${s.createRouterMs.toFixed(0)} ms, RSS after model ${s.rssAfterModelMb} MB, after router ${s.rssAfterRouterMb} MB`);

// The router's own work: the prompt embedding memoised, so what is timed is prompt extraction,
// signals, the task index and affinities, card similarities, rules and selection.
const embedder = await Embedder.load(args.model);
const memo = new Map();
const memoEmbedder = {
  info: embedder.info,
  async embed(texts) {
    const missing = [...new Set(texts.filter((t) => !memo.has(t)))];
    if (missing.length > 0) {
      const b = await embedder.embed(missing);
      missing.forEach((t, i) => {
        memo.set(t, b.data.slice(i * b.dim, (i + 1) * b.dim));
      });
    }
    const dim = embedder.info.dim;
    const data = new Float32Array(texts.length * dim);
    texts.forEach((t, i) => {
      data.set(memo.get(t), i * dim);
    });
    return { data, dim, truncated: [] };
  },
};
const prompts = readFileSync(join(root, 'bench/routing-set.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).prompt);
const own = {};
for (const mode of ['off', 'on']) {
  const router = await createRouter({ config: await configWith(mode === 'on'), embedder: memoEmbedder });
  const req = (p) => ({ model: 'MoM', messages: [{ role: 'user', content: p }] });
  for (const p of prompts) await router.route(req(p)); // warm-up, fills the memo
  const times = [];
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const p of prompts) {
      const t = performance.now();
      await router.route(req(p));
      times.push(performance.now() - t);
    }
  }
  await router.close();
  own[mode] = { n: times.length, p50Ms: r3(pct(times, 50)), p99Ms: r3(pct(times, 99)) };
  console.log(`router own work, library ${mode.padEnd(3)}: p50 ${own[mode].p50Ms} ms, p99 ${own[mode].p99Ms} ms (n=${times.length}, prompt embedding memoised)`);
}
const embedTimes = [];
for (const p of prompts.slice(0, 40)) {
  const t = performance.now();
  await embedder.embed([p]);
  embedTimes.push(performance.now() - t);
}
await embedder.close?.();
const report = {
  date: new Date().toISOString(),
  config: args.config,
  model: args.model,
  loadavg: os.loadavg(),
  starts,
  routerOwnWork: own,
  promptEmbedMs: { p50: r3(pct(embedTimes, 50)), p99: r3(pct(embedTimes, 99)) },
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`prompt embedding alone: p50 ${report.promptEmbedMs.p50} ms; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`report: ${args.out}`);
