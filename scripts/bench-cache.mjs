#!/usr/bin/env node
// Response-cache benchmark: hit rates on exact repeats, paraphrases and near misses (real MiniLM
// embedder), and lookup latency p50/p99 for 1k and 100k entries per backend (synthetic unit
// vectors; `memory-exact` is the memory backend with HNSW off, for comparison). Starts its own redis-server on a free loopback port. Needs `pnpm build:ts` first
// (it runs the built packages/router/dist and packages/embed/dist).
//
//   node scripts/bench-cache.mjs [--sizes 1000,100000] [--lookups 1000] [--backends memory,memory-exact,redis]
//                                [--model models/all-MiniLM-L6-v2] [--out reports/bench-cache.json]
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisTestServer } from './redis-test-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,100000' },
    lookups: { type: 'string', default: '1000' },
    backends: { type: 'string', default: 'memory,memory-exact,redis' },
    model: { type: 'string', default: resolve(root, 'models/all-MiniLM-L6-v2') },
    out: { type: 'string', default: resolve(root, 'reports/bench-cache.json') },
  },
});

const distCache = resolve(root, 'packages/router/dist/cache/index.js');
if (!existsSync(distCache)) {
  console.error(`${distCache} not found: run \`pnpm build:ts\` first`);
  process.exit(2);
}
const { createResponseCache } = await import(distCache);

const DIM = 384;
const THRESHOLDS = [0.8, 0.85, 0.9, 0.92, 0.95];
const sizes = args.sizes.split(',').map(Number);
const lookups = Number(args.lookups);
const backends = args.backends.split(',');

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return { n: s.length, p50_ms: r(quantile(s, 0.5)), p99_ms: r(quantile(s, 0.99)), mean_ms: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)) };
}
const ask = (text) => ({ model: 'MoM', messages: [{ role: 'user', content: text }] });
const answer = (text) => ({ body: { object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] }, model: 'bench', createdAt: 0 });
const textOf = (r) => r?.body?.choices?.[0]?.message?.content;

/** Seeded PRNG (LCG): synthetic vectors are the same on every run. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function unitVector(seed) {
  const r = rng(seed * 2654435761);
  const v = new Float32Array(DIM);
  let n = 0;
  for (let i = 0; i < DIM; i++) {
    // Sum of uniforms: roughly Gaussian, so directions are spread evenly over the sphere.
    v[i] = r() + r() + r() - 1.5;
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  for (let i = 0; i < DIM; i++) v[i] /= n;
  return v;
}
/** `k<i>`: entry i; `q<i>`: a near-duplicate of entry i (cos ~0.97); `m<i>`: an unrelated query. */
class SyntheticEmbedder {
  info = { architecture: 'synthetic', dim: DIM, maxSeqLen: 512, supportsBatched: true };
  known = new Map();
  /** Computes the vectors of `texts` ahead, so timed lookups pay a Map read, not the generator. */
  prepare(texts) {
    for (const t of texts) this.known.set(t, this.vector(t));
  }
  async embed(texts) {
    const data = new Float32Array(texts.length * DIM);
    texts.forEach((t, row) => {
      data.set(this.known.get(t) ?? this.vector(t), row * DIM);
    });
    return { data, dim: DIM, truncated: [] };
  }
  vector(t) {
    {
      const n = Number(t.slice(1));
      let v;
      if (t[0] === 'k') v = unitVector(n);
      else if (t[0] === 'm') v = unitVector(1e9 + n);
      else {
        const base = unitVector(n);
        const noise = unitVector(2e9 + n);
        v = base.map((x, i) => x + 0.25 * noise[i]);
      }
      return v;
    }
  }
}

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function runPool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

let prefixes = 0;
/** backend: memory | memory-exact (HNSW off) | redis. */
function makeCache(backend, redisUrl, settings, embedder, keyPrefix = `bench${++prefixes}:`, production = false) {
  const errors = {};
  const cache = createResponseCache({
    backend: backend === 'redis' ? 'redis' : 'memory',
    ...(backend === 'memory-exact' ? { annThreshold: Infinity } : {}),
    // Generous timeouts: the latency runs measure the cache, not the request-path deadlines
    // (`production` keeps the defaults: 250 ms per command and per lookup).
    ...(production ? {} : { lookupTimeoutMs: 60_000 }),
    ...(backend === 'redis' ? { redis: { url: redisUrl, keyPrefix, ...(production ? {} : { commandTimeoutMs: 5000 }) } } : {}),
    embedder,
    settingsFor: () => settings,
    onError: (k, e) => {
      errors[k] = (errors[k] ?? 0) + 1;
      if (errors[k] === 1) console.error(`  ${k}: ${e?.message ?? e}`);
    },
  });
  return { cache, errors };
}

/** Waits for a Redis connection: stores and reads back `prompt` (re-storing an entry is harmless). */
async function waitReady(cache, prompt, reply = 'probe') {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await cache.store(ask(prompt), answer(reply), { decision: 'bench' });
    if ((await cache.lookup(ask(prompt), { decision: 'bench' })).hit) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('cache backend not ready');
}

// ------------------------------------------------------------------ hit rates (real embedder)
async function hitRates(redisUrl) {
  const embedDist = resolve(root, 'packages/embed/dist/index.js');
  if (!existsSync(embedDist)) return { absent: `${embedDist} not built (pnpm build)` };
  if (!existsSync(args.model)) return { absent: `model not found at ${args.model} (scripts/fetch-model.sh)` };
  const { Embedder } = await import(embedDist);
  const embedder = await Embedder.load(args.model);
  const groups = readFileSync(resolve(root, 'bench/cache-paraphrases.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const embedTimes = [];
  for (const g of groups.slice(0, 20)) embedTimes.push((await timed(() => embedder.embed([g.original])))[0]);

  const out = { model: args.model.split('/').pop(), groups: groups.length, paraphrases: groups.reduce((n, g) => n + g.paraphrases.length, 0), near_misses: groups.reduce((n, g) => n + g.near_misses.length, 0), embed_one_prompt: stats(embedTimes), by_backend: {} };
  for (const backend of backends.filter((b) => b !== 'memory-exact')) {
    const rows = [];
    for (const threshold of THRESHOLDS) {
      const { cache } = makeCache(backend, redisUrl, { mode: 'exact_then_semantic', similarityThreshold: threshold, ttlSeconds: 3600, maxEntries: 10_000 }, embedder);
      if (backend === 'redis') await waitReady(cache, groups[0].original, groups[0].id);
      const scope = { decision: 'bench' };
      for (const g of groups) await cache.store(ask(g.original), answer(g.id), scope);
      let exact = 0, paraHit = 0, paraRight = 0, nearHit = 0;
      const falseHits = [];
      for (const g of groups) {
        const r = await cache.lookup(ask(`  ${g.original} `), scope);
        if (r.hit && r.kind === 'exact' && textOf(r.response) === g.id) exact++;
        for (const p of g.paraphrases) {
          const h = await cache.lookup(ask(p), scope);
          if (h.hit) paraHit++;
          if (h.hit && textOf(h.response) === g.id) paraRight++;
        }
        for (const n of g.near_misses) {
          const h = await cache.lookup(ask(n), scope);
          if (!h.hit) continue;
          nearHit++;
          const served = groups.find((x) => x.id === textOf(h.response));
          falseHits.push({ query: n, served_answer_of: served?.original, similarity: Math.round(h.similarity * 1000) / 1000 });
        }
      }
      rows.push({
        threshold,
        exact_repeat_hit_rate: exact / groups.length,
        paraphrase_hit_rate: paraHit / out.paraphrases,
        paraphrase_right_answer_rate: paraRight / out.paraphrases,
        near_miss_false_hit_rate: nearHit / out.near_misses,
        ...(threshold >= 0.9 ? { false_hits: falseHits } : {}),
      });
      await cache.close();
    }
    out.by_backend[backend] = rows;
  }
  await embedder.close?.();
  return out;
}

// ------------------------------------------------------------------ latency (synthetic vectors)
async function latency(backend, size, redisUrl) {
  const embedder = new SyntheticEmbedder();
  const settings = { mode: 'exact_then_semantic', similarityThreshold: 0.9, ttlSeconds: 3600, maxEntries: size + 10 };
  const prefix = `lat${size}:`;
  const { cache, errors } = makeCache(backend, redisUrl, settings, embedder, prefix);
  if (backend === 'redis') await waitReady(cache, 'k0', 'a0');
  const scope = { decision: 'bench' };
  const [fillMs] = await timed(() => runPool(size, backend === 'redis' ? 64 : 1, (i) => cache.store(ask(`k${i}`), answer(`a${i}`), scope)));
  const [indexMs] = await timed(async () => {
    await cache.lookup(ask('m0'), scope); // a Redis replica loads its mirror on first use
    await cache.whenIndexed();
  });
  for (const k of Object.keys(errors)) delete errors[k]; // connection errors before the first connect
  const r = rng(size);
  // Exact scans of 100k rows take tens of ms each: fewer samples there.
  const n = Math.min(backend === 'memory-exact' && size > 10_000 ? 200 : lookups, size);
  const picks = Array.from({ length: n }, () => Math.floor(r() * size));
  embedder.prepare(picks.flatMap((i, j) => [`k${i}`, `q${i}`, `m${j}`]));
  const exactT = [], semT = [], missT = [];
  let semRight = 0;
  for (let j = 0; j < n; j++) {
    const i = picks[j];
    exactT.push((await timed(() => cache.lookup(ask(`k${i}`), scope)))[0]);
    const [t, h] = await timed(() => cache.lookup(ask(`q${i}`), scope));
    semT.push(t);
    if (h.hit && textOf(h.response) === `a${i}`) semRight++;
    missT.push((await timed(() => cache.lookup(ask(`m${j}`), scope)))[0]);
  }
  const row = {
    backend,
    entries: size,
    fill_ms: Math.round(fillMs),
    index_ready_ms: Math.round(indexMs),
    exact_hit: stats(exactT),
    semantic_hit: stats(semT),
    semantic_miss: stats(missT),
    semantic_recall: semRight / n,
    errors,
  };
  if (backend === 'redis') {
    // A second replica arriving cold: its first semantic lookup loads the partition from Redis.
    const { cache: cold } = makeCache(backend, redisUrl, settings, embedder, prefix, true);
    await waitReady(cold, 'k0', 'a0');
    // Its first lookups miss while the partition loads in the background (HSCAN pages, then the
    // log since), within each lookup's budget; the time to its first semantic hit is the figure.
    const t0 = performance.now();
    let misses = 0;
    while (!(await cold.lookup(ask('q1'), scope)).hit) {
      misses++;
      await new Promise((r) => setTimeout(r, 20));
    }
    row.cold_replica = { first_semantic_hit_after_ms: Math.round(performance.now() - t0), misses_before: misses };
    await cold.close();
  }
  await cache.close();
  return row;
}

const server = backends.includes('redis') ? await startRedisTestServer() : undefined;
// Interrupted: exit through process.exit so the redis-server child is reaped.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
try {
  const report = { generated_at: new Date().toISOString(), node: process.version, dim: DIM, hit_rates: await hitRates(server?.url), latency: [] };
  console.log(JSON.stringify(report.hit_rates, null, 1));
  for (const size of sizes) {
    for (const backend of backends) {
      console.error(`latency: ${backend} ${size} entries...`);
      const row = await latency(backend, size, server?.url);
      console.log(JSON.stringify(row));
      report.latency.push(row);
    }
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`wrote ${args.out}`);
} finally {
  await server?.stop();
}
