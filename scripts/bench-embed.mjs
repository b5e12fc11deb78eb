#!/usr/bin/env node
// Embedding-engine benchmark against the built addon, through @semroute/embed as a user loads it.
// all-MiniLM-L6-v2: single short prompt (~20 tokens) latency p50/p99 (async and sync), throughput
// (texts/s) at batch 1/8/32 with ~20- and ~200-token texts, RSS after load.
// Writes reports/bench-embed.json and prints a table.
//   node scripts/bench-embed.mjs [--model models/all-MiniLM-L6-v2] [--threads N] [--quick]
// Needs `pnpm build` (addon + dist) and scripts/fetch-model.sh.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'models/all-MiniLM-L6-v2') },
    threads: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(repo, 'reports/bench-embed.json') },
  },
});

const dist = join(repo, 'packages/embed/dist/index.js');
if (!existsSync(dist)) {
  console.error(`missing ${dist}: run \`pnpm build\` first`);
  process.exit(1);
}
if (!existsSync(join(args.model, 'model.safetensors'))) {
  console.error(`missing model in ${args.model}: run scripts/fetch-model.sh first`);
  process.exit(1);
}
const { Embedder } = await import(pathToFileURL(dist).href);

// 19 tokens with MiniLM's tokenizer (including [CLS]/[SEP]).
const SHORT = 'How do I reverse a linked list in place in Python without using any extra memory?';
// 196 tokens.
const LONG =
  'The patient reported mild fever and a persistent cough for two days; the doctor asked about recent travel, ' +
  'prescribed rest and fluids, and scheduled a follow-up visit for next week in case the symptoms got worse. ' +
  "Meanwhile, the hospital's billing department sent an invoice that listed three separate consultations, two blood tests " +
  'and an X-ray that had never been performed, so the patient called customer support to dispute the charges. ' +
  'The support agent explained that the insurance company would need a written statement from the physician, ' +
  'a copy of the original referral and the itemised receipt before any refund could be processed, and suggested ' +
  'filing the complaint online to speed things up. After waiting on hold for forty minutes, the patient decided ' +
  'to write a detailed email instead, attaching photographs of every document and asking for a reply within ten business days. ' +
  "She also copied the hospital's patient advocate and her own lawyer, hoping that the extra attention would finally resolve the matter.";

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function latency(embedder, iterations, sync) {
  for (let i = 0; i < 30; i++) await embedder.embed([SHORT]);
  const ms = [];
  for (let i = 0; i < iterations; i++) {
    const t = now();
    if (sync) embedder.embedSync([SHORT]);
    else await embedder.embed([SHORT]);
    ms.push(now() - t);
  }
  ms.sort((a, b) => a - b);
  return { iterations, p50_ms: round(pct(ms, 0.5)), p99_ms: round(pct(ms, 0.99)), min_ms: round(ms[0]) };
}

async function throughput(embedder, text, batch, totalTexts) {
  const texts = Array.from({ length: batch }, (_, i) => `${text} #${i}`);
  await embedder.embed(texts);
  const rounds = Math.max(1, Math.ceil(totalTexts / batch));
  const t = now();
  for (let r = 0; r < rounds; r++) await embedder.embed(texts);
  const seconds = (now() - t) / 1000;
  return round((rounds * batch) / seconds, 1);
}

const rssBefore = process.memoryUsage().rss;
const loadStart = now();
const options = args.threads ? { threads: Number(args.threads) } : {};
const embedder = await Embedder.load(args.model, options);
const loadMs = now() - loadStart;
const rssAfterLoad = process.memoryUsage().rss;

const iterations = args.quick ? 100 : 500;
const single = {
  async: await latency(embedder, iterations, false),
  sync: await latency(embedder, iterations, true),
};
const totals = { short: args.quick ? 128 : 512, long: args.quick ? 32 : 128 };
const batched = {};
for (const [name, text] of [['short_19_tokens', SHORT], ['long_196_tokens', LONG]]) {
  batched[name] = {};
  for (const batch of [1, 8, 32]) {
    batched[name][`batch_${batch}`] = await throughput(embedder, text, batch, name.startsWith('short') ? totals.short : totals.long);
  }
}

const report = {
  model: args.model.replace(`${repo}/`, ''),
  info: embedder.info,
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_note: 'shared machine' },
  threads: args.threads ? Number(args.threads) : `default (RAYON_NUM_THREADS=${process.env.RAYON_NUM_THREADS ?? 'pinned by addon'})`,
  load_ms: round(loadMs, 0),
  rss_mb: { before_load: round(rssBefore / 2 ** 20, 1), after_load: round(rssAfterLoad / 2 ** 20, 1) },
  single_short_prompt: single,
  throughput_texts_per_s: batched,
  rss_mb_after_bench: round(process.memoryUsage().rss / 2 ** 20, 1),
};

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);

console.log(`\nEmbedding engine: ${report.model} (${report.info.dim}-d), threads: ${report.threads}`);
console.log(`load ${report.load_ms} ms, RSS ${report.rss_mb.before_load} MB -> ${report.rss_mb.after_load} MB after load`);
console.table({
  'single ~20 tok, async': single.async,
  'single ~20 tok, sync': single.sync,
});
console.table(
  Object.fromEntries(Object.entries(batched).map(([k, v]) => [`${k} (texts/s)`, v])),
);
console.log(`written to ${args.out}`);
