#!/usr/bin/env node
// What the opt-in precisions (bf16, int8 weights) change: the vectors' cosine to f32 on a fixed
// text set (every prompt below), and routing agreement with f32 (same selected model) and accuracy of each, with
// the configs used verbatim (the seed config on bench/routing-set.jsonl and bench/eval/seed-eval.jsonl,
// the five-kinds and domains configs on their eval sets). Prints figures and writes
// reports/precision.json. Needs `pnpm build` and scripts/fetch-model.sh; bf16 needs an AVX-512 BF16
// CPU, int8 an AVX-512 one (a precision the CPU lacks is skipped and named).
//
//   node scripts/bench-precision.mjs [--model models/all-MiniLM-L6-v2] [--precisions bf16,int8]

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'models/all-MiniLM-L6-v2') },
    out: { type: 'string', default: join(repo, 'reports/precision.json') },
    precisions: { type: 'string', default: 'bf16,int8' },
  },
});
const { Embedder } = await import(pathToFileURL(join(repo, 'packages/embed/dist/index.js')).href);
const { createRouter, loadConfig } = await import(pathToFileURL(join(repo, 'packages/router/dist/index.js')).href);

const seed = join(repo, 'test/reference/seed-router-config.yaml');
const b = (...p) => join(repo, 'bench', ...p);
const sets = [
  { name: 'seed: routing-set', config: seed, file: b('routing-set.jsonl') },
  { name: 'seed: seed-eval', config: seed, file: b('eval', 'seed-eval.jsonl') },
  { name: 'five-kinds: five-kinds-eval', config: b('eval', 'five-kinds.yaml'), file: b('eval', 'five-kinds-eval.jsonl') },
  { name: 'domains: domains-eval', config: b('eval', 'domains.yaml'), file: b('eval', 'domains-eval.jsonl') },
];

// The low precisions measured (each against f32); one this CPU cannot run is skipped, and says so.
const low = [];
const embedders = { f32: await Embedder.load(resolve(args.model), { precision: 'f32' }) };
for (const p of args.precisions.split(',')) {
  try {
    embedders[p] = await Embedder.load(resolve(args.model), { precision: p });
    low.push(p);
  } catch (err) {
    console.log(`${p}: not measured (${err.message})`);
  }
}

const report = { date: new Date().toISOString(), model: resolve(args.model), precisions: low, sets: [], cosine_to_f32: {} };
const cosines = Object.fromEntries(low.map((p) => [p, []]));
for (const s of sets) {
  const items = readFileSync(s.file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const prompts = items.map((it) => it.prompt ?? it.messages?.at(-1)?.content);
  const expected = items.map((it) => (Array.isArray(it.expected) ? it.expected : [it.expected]));
  // Vectors: cosine of each prompt's vector in each low precision to its f32 one.
  const a = await embedders.f32.embed(prompts);
  for (const p of low) {
    const v = await embedders[p].embed(prompts);
    for (let i = 0; i < prompts.length; i++) {
      let dot = 0;
      for (let j = 0; j < a.dim; j++) dot += a.data[i * a.dim + j] * v.data[i * a.dim + j];
      cosines[p].push(dot);
    }
  }
  const picks = {};
  for (const [p, embedder] of Object.entries(embedders)) {
    const router = await createRouter({ config: await loadConfig(s.config), embedder });
    const ds = await router.routeBatch(prompts.map((text) => ({ model: 'MoM', messages: [{ role: 'user', content: text }] })));
    picks[p] = ds.map((d) => d.selectedModel);
    await router.close();
  }
  const accuracy = (p) => Math.round((picks[p].filter((m, i) => expected[i].includes(m)).length / prompts.length) * 10000) / 100;
  const row = { set: s.name, prompts: prompts.length, accuracy_f32: accuracy('f32') };
  for (const p of low) {
    const differ = prompts.map((text, i) => ({ prompt: text, f32: picks.f32[i], [p]: picks[p][i], expected: expected[i] })).filter((d) => d.f32 !== d[p]);
    row[p] = { agreement: Math.round((1 - differ.length / prompts.length) * 10000) / 100, accuracy: accuracy(p), differ };
    console.log(`${s.name}: ${prompts.length} prompts, ${p}: same model as f32 ${row[p].agreement}%, accuracy f32 ${row.accuracy_f32}% / ${p} ${row[p].accuracy}%`);
    for (const d of differ) console.log(`    differs: ${JSON.stringify(d.prompt.slice(0, 90))} f32 -> ${d.f32}, ${p} -> ${d[p]} (expected ${d.expected.join('|')})`);
  }
  report.sets.push(row);
}
for (const p of low) {
  const c = cosines[p].sort((x, y) => x - y);
  report.cosine_to_f32[p] = {
    texts: c.length,
    min: Number(c[0].toFixed(6)),
    p1: Number(c[Math.floor(c.length * 0.01)].toFixed(6)),
    median: Number(c[Math.floor(c.length / 2)].toFixed(6)),
    below_0_999: c.filter((x) => x < 0.999).length,
  };
  const r = report.cosine_to_f32[p];
  console.log(`cosine ${p} to f32 over ${r.texts} prompts: min ${r.min}, 1st percentile ${r.p1}, median ${r.median}, under 0.999: ${r.below_0_999}`);
}
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`report: ${args.out}`);
