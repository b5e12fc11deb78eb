#!/usr/bin/env node
// What the opt-in bf16 precision changes: the vectors' cosine to f32 on a fixed text set (every
// prompt below), and routing agreement with f32 (same selected model) and accuracy of each, with
// the configs used verbatim (the seed config on bench/routing-set.jsonl and bench/eval/seed-eval.jsonl,
// the five-kinds and domains configs on their eval sets). Prints figures and writes
// reports/precision.json. Needs `pnpm build`, scripts/fetch-model.sh and an AVX-512 BF16 CPU.
//
//   node scripts/bench-precision.mjs [--model models/all-MiniLM-L6-v2]

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'models/all-MiniLM-L6-v2') },
    out: { type: 'string', default: join(repo, 'reports/precision.json') },
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

const embedders = {
  f32: await Embedder.load(resolve(args.model), { precision: 'f32' }),
  bf16: await Embedder.load(resolve(args.model), { precision: 'bf16' }),
};

const report = { date: new Date().toISOString(), model: resolve(args.model), sets: [] };
const cosines = [];
for (const s of sets) {
  const items = readFileSync(s.file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const prompts = items.map((it) => it.prompt ?? it.messages?.at(-1)?.content);
  const expected = items.map((it) => (Array.isArray(it.expected) ? it.expected : [it.expected]));
  // Vectors: cosine of each prompt's bf16 vector to its f32 one.
  const [a, v] = [await embedders.f32.embed(prompts), await embedders.bf16.embed(prompts)];
  for (let i = 0; i < prompts.length; i++) {
    let dot = 0;
    for (let j = 0; j < a.dim; j++) dot += a.data[i * a.dim + j] * v.data[i * a.dim + j];
    cosines.push(dot);
  }
  const picks = {};
  for (const [p, embedder] of Object.entries(embedders)) {
    const router = await createRouter({ config: await loadConfig(s.config), embedder });
    const ds = await router.routeBatch(prompts.map((text) => ({ model: 'MoM', messages: [{ role: 'user', content: text }] })));
    picks[p] = ds.map((d) => d.selectedModel);
    await router.close();
  }
  const correct = (p) => picks[p].filter((m, i) => expected[i].includes(m)).length;
  const differ = prompts.map((text, i) => ({ prompt: text, f32: picks.f32[i], bf16: picks.bf16[i], expected: expected[i] })).filter((d) => d.f32 !== d.bf16);
  const row = {
    set: s.name,
    prompts: prompts.length,
    agreement: Math.round((1 - differ.length / prompts.length) * 10000) / 100,
    accuracy_f32: Math.round((correct('f32') / prompts.length) * 10000) / 100,
    accuracy_bf16: Math.round((correct('bf16') / prompts.length) * 10000) / 100,
    differ,
  };
  report.sets.push(row);
  console.log(`${s.name}: ${prompts.length} prompts, same model ${row.agreement}%, accuracy f32 ${row.accuracy_f32}% / bf16 ${row.accuracy_bf16}%`);
  for (const d of differ) console.log(`    differs: ${JSON.stringify(d.prompt.slice(0, 90))} f32 -> ${d.f32}, bf16 -> ${d.bf16} (expected ${d.expected.join('|')})`);
}
cosines.sort((x, y) => x - y);
report.cosine_bf16_to_f32 = {
  texts: cosines.length,
  min: Number(cosines[0].toFixed(6)),
  p1: Number(cosines[Math.floor(cosines.length * 0.01)].toFixed(6)),
  median: Number(cosines[Math.floor(cosines.length / 2)].toFixed(6)),
};
console.log(`cosine bf16 to f32 over ${cosines.length} prompts: min ${report.cosine_bf16_to_f32.min}, 1st percentile ${report.cosine_bf16_to_f32.p1}, median ${report.cosine_bf16_to_f32.median}`);
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`report: ${args.out}`);
