#!/usr/bin/env node
// Chooses the task-aware routing weights on the DEVELOPMENT data only: the library's own
// `split: library` prompts (5-fold: each fold routed by an index built from the other four) under
// development configs written for tuning (bench/dev/*.yaml, with a task -> card map), plus the
// seed config's training prompts (bench/train/seed-train.jsonl, bench/card-dev-set.jsonl).
// Never reads the held-out split or bench/eval. Prints accuracy per config for each setting tried.
// Usage: node scripts/tune-task-routing.mjs [--model models/all-MiniLM-L6-v2]
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parse: parseYaml } = createRequire(path.join(root, 'packages/router/package.json'))('yaml');
const dist = (p) => path.join(root, 'packages/router/dist', p);
const { loadTaskLibrary } = await import(dist('library/load.js'));
const { TaskRouting, DEFAULT_TASK_ROUTING_PARAMS } = await import(dist('library/task-routing.js'));
const { CardIndex } = await import(dist('cards/index.js'));
const { LexicalTaskModel, DEFAULT_LEXICAL_PARAMS } = await import(dist('library/lexical.js'));
const { Embedder } = await import(path.join(root, 'packages/embed/dist/index.js'));

const args = process.argv.slice(2);
const modelDir = path.resolve(root, args[args.indexOf('--model') + 1] && args.includes('--model') ? args[args.indexOf('--model') + 1] : 'models/all-MiniLM-L6-v2');
const embedder = await Embedder.load(modelDir, { maxBatch: 32 });
const dim = embedder.info.dim;

async function embed(texts) {
  const out = [];
  for (let i = 0; i < texts.length; i += 64) {
    const b = await embedder.embed(texts.slice(i, i + 64));
    for (let r = 0; r < b.data.length / dim; r++) out.push(b.data.slice(r * dim, (r + 1) * dim));
  }
  return out;
}

const lib = loadTaskLibrary({ split: 'library' });
// Vectors by text, cached between runs (the library is edited while it is being written).
const cacheFile = path.join(root, '.cache', 'tune-vectors.json');
const memo = new Map(existsSync(cacheFile) ? Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8'))) : []);
async function embedMemo(texts) {
  const missing = [...new Set(texts.filter((t) => !memo.has(t)))];
  if (missing.length > 0) {
    const t0 = performance.now();
    const vs = await embed(missing);
    missing.forEach((t, i) => {
      memo.set(t, Array.from(vs[i]));
    });
    console.error(`embedded ${missing.length} texts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(Object.fromEntries(memo)));
  }
  return texts.map((t) => Float32Array.from(memo.get(t)));
}
const libVecs = await embedMemo(lib.prompts.map((p) => p.text));
const labelVecs = await embed(lib.tasks.map((t) => `${t.name}: ${t.description}`));
const taskIds = lib.tasks.map((t) => t.id);
const groupVecs = await embed(lib.groups.map((g) => `${g.name}: ${g.description}`));

// Development configs: cards + which card a careful reader expects for each task type.
const devDir = path.join(root, 'bench/dev');
const configs = [];
for (const f of ['seed.yaml', 'general.yaml', 'domains.yaml']) {
  const y = parseYaml(readFileSync(path.join(devDir, f), 'utf8'));
  const cards = y.routing.modelCards;
  const expect = y['x-dev-task-map'];
  for (const [t, c] of Object.entries(expect)) {
    if (!taskIds.includes(t)) throw new Error(`${f}: unknown task ${t}`);
    if (c !== null && !cards.some((k) => k.name === c)) throw new Error(`${f}: unknown card ${c}`);
  }
  configs.push({ name: f, cards, expect });
}
const seedPrompts = [
  ...readFileSync(path.join(root, 'bench/train/seed-train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((o) => ({ text: o.text, card: o.model })),
  ...readFileSync(path.join(root, 'bench/card-dev-set.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((o) => ({ text: o.prompt, card: o.expected })),
];
const seedVecs = await embed(seedPrompts.map((p) => p.text));

for (const c of configs) {
  const index = new CardIndex(c.cards);
  const texts = index.loadTexts();
  index.bind(await embed(texts), dim);
  c.index = index;
  c.cardTexts = index.names().map((name) => ({ name, ...index.textVectors(name) }));
}

// Lexical models: one per fold (trained on the other four folds) and one on the whole library split.
const lexParams = { ...DEFAULT_LEXICAL_PARAMS, ...(args.includes('--lexical') ? JSON.parse(args[args.indexOf('--lexical') + 1]) : {}) };
const lexFold = [];
let lexAll;
{
  const t0 = performance.now();
  for (let fold = 0; fold < 5; fold++) {
    const idx = lib.prompts.map((_, i) => i).filter((i) => i % 5 !== fold);
    const texts = idx.map((i) => lib.prompts[i].text);
    const m = new LexicalTaskModel(texts, lib.tasks.length, lexParams.dense > 0 ? dim : 0, lexParams);
    m.train(texts, idx.map((i) => lib.prompts[i].task), idx.map((i) => libVecs[i]));
    lexFold.push(m);
  }
  const m = new LexicalTaskModel(lib.prompts.map((p) => p.text), lib.tasks.length, lexParams.dense > 0 ? dim : 0, lexParams);
  m.train(lib.prompts.map((p) => p.text), lib.prompts.map((p) => p.task), libVecs);
  lexAll = m;
  console.error(`lexical: 6 models in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${m.features} features`);
  let ok = 0;
  lib.prompts.forEach((p, i) => {
    const pr = lexFold[i % 5].probs(p.text, libVecs[i]);
    if (pr.indexOf(Math.max(...pr)) === p.task) ok++;
  });
  console.error(`lexical task-type accuracy (5-fold): ${((100 * ok) / lib.prompts.length).toFixed(1)}%`);
}

function evaluate(params, { verbose = false } = {}) {
  const res = {};
  for (const c of configs) {
    let ok = 0;
    let n = 0;
    const confusions = {};
    for (let fold = 0; fold < 5; fold++) {
      const trainIdx = [];
      const testIdx = [];
      lib.prompts.forEach((_, i) => {
        (i % 5 === fold ? testIdx : trainIdx).push(i);
      });
      const tr = new TaskRouting(
        { tasks: lib.tasks, groups: lib.groups, prompts: trainIdx.map((i) => lib.prompts[i]) },
        trainIdx.map((i) => libVecs[i]),
        labelVecs,
        c.cardTexts,
        dim,
        params,
        groupVecs,
        lexFold[fold],
      );
      for (const i of testIdx) {
        const want = c.expect[taskIds[lib.prompts[i].task]];
        if (!want) continue;
        const e = libVecs[i];
        const centred = c.index.centre(e);
        const s = tr.score(e, (k) => c.index.similarity(centred, k), lib.prompts[i].text);
        const got = [...s.fit.entries()].sort((a, b) => b[1] - a[1])[0][0];
        n++;
        if (got === want) ok++;
        else {
          const key = `${taskIds[lib.prompts[i].task]}->${got}`;
          confusions[key] = (confusions[key] ?? 0) + 1;
        }
      }
    }
    res[c.name] = ok / n;
    if (verbose) console.log(c.name, (ok / n).toFixed(3), Object.entries(confusions).sort((a, b) => b[1] - a[1]).slice(0, 12));
  }
  // Seed config on its training prompts (full library index).
  const c = configs[0];
  const tr = new TaskRouting(lib, libVecs, labelVecs, c.cardTexts, dim, params, groupVecs, lexAll);
  let ok = 0;
  const miss = [];
  seedPrompts.forEach((p, i) => {
    const e = seedVecs[i];
    const centred = c.index.centre(e);
    const s = tr.score(e, (k) => c.index.similarity(centred, k), p.text);
    const got = [...s.fit.entries()].sort((a, b) => b[1] - a[1])[0][0];
    if (got === p.card) ok++;
    else miss.push(`${p.text.slice(0, 60)} -> ${got} (want ${p.card})`);
  });
  res['seed-train'] = ok / seedPrompts.length;
  if (verbose) console.log('seed-train', res['seed-train'].toFixed(3), miss);
  res.mean = Object.values(res).reduce((a, b) => a + b, 0) / Object.values(res).length;
  return res;
}

const base = DEFAULT_TASK_ROUTING_PARAMS;
if (args.includes('--affinity')) {
  const o = args.includes('--try') ? JSON.parse(args[args.indexOf('--try') + 1]) : {};
  const p = { ...base, ...o, index: { ...base.index, ...(o.index ?? {}) }, affinity: { ...base.affinity, ...(o.affinity ?? {}) } };
  for (const c of configs) {
    const tr = new TaskRouting(lib, libVecs, labelVecs, c.cardTexts, dim, p, groupVecs);
    const names = c.cardTexts.map((x) => x.name);
    console.log(`\n${c.name}: card fits`, names.map((n, k) => `${n}:${tr.affinity.cardFits[k]}`).join(' '));
    lib.tasks.forEach((t, ti) => {
      const col = names.map((n, k) => [n, tr.affinity.affinity[k][ti], tr.affinity.relatedness[k][ti]]).sort((a, b) => b[1] - a[1]);
      const want = c.expect[t.id] ?? '-';
      const mark = want !== '-' && col[0][0] !== want ? ` <-- want ${want}` : '';
      console.log(`  ${t.id.padEnd(20)} ${col.slice(0, 3).map(([n, a, r]) => `${n} ${a.toFixed(2)} (rel ${r.toFixed(2)})`).join('  ')}${mark}`);
    });
  }
}
const fmt = (r) => Object.entries(r).map(([k, v]) => `${k}=${(100 * v).toFixed(1)}`).join(' ');
console.log('direct only (lambda 0):', fmt(evaluate({ ...base, lambda: 0 })));
console.log('defaults:', fmt(evaluate(base, { verbose: true })));
if (args.includes('--try')) {
  // --try '{"affinity": {"groupWeight": 0.8}}': one setting, verbose.
  const o = JSON.parse(args[args.indexOf('--try') + 1]);
  const p = { ...base, ...o, index: { ...base.index, ...(o.index ?? {}) }, affinity: { ...base.affinity, ...(o.affinity ?? {}) } };
  console.log('try:', fmt(evaluate(p, { verbose: true })));
}
if (args.includes('--grid')) {
  // Coordinate search: one parameter at a time around the current best, mean dev accuracy.
  const get = (p, k) => (k in p ? p[k] : k in p.index ? p.index[k] : p.affinity[k]);
  const set = (p, k, v) =>
    k in p.index ? { ...p, index: { ...p.index, [k]: v } } : k in p.affinity ? { ...p, affinity: { ...p.affinity, [k]: v } } : { ...p, [k]: v };
  const space = {
    groupWeight: [0, 0.6, 0.7, 0.8, 0.9],
    siblingWeight: [0, 0.3, 0.4, 0.5],
    hubness: [0, 0.25, 0.5, 0.75, 1],
    smoothing: [0, 0.25, 0.5, 0.75],
    lambda: [0.5, 0.6, 0.7, 0.8, 0.9, 1],
    lexicalWeight: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    spread: [0.5, 1, 2],
    knnWeight: [0.4, 0.6, 0.8, 1],
    k: [5, 10, 20],
    knnTemperature: [0.02, 0.05, 0.1],
    centroidTemperature: [0.02, 0.05, 0.1],
    shortlist: [4, 8, 16],
    labelWeight: [0.3, 0.5, 0.7, 0.9],
    temperature: [0.01, 0.02, 0.03, 0.05],
    minRelatedness: [0, 0.1, 0.15, 0.2, 0.3],
    smoothingTemperature: [0.02, 0.05, 0.1, 1],
  };
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : Object.keys(space);
  for (const k of Object.keys(space)) if (!only.includes(k)) delete space[k];
  let best = base;
  let bestR = evaluate(best);
  for (let round = 0; round < (args.includes('--once') ? 1 : 2); round++) {
    for (const [k, vals] of Object.entries(space)) {
      for (const v of vals) {
        if (v === get(best, k)) continue;
        const p = set(best, k, v);
        const r = evaluate(p);
        if (r.mean > bestR.mean + 1e-9) {
          best = p;
          bestR = r;
          console.log(`  ${k}=${v}: ${fmt(r)}`);
        }
      }
    }
  }
  console.log('best', JSON.stringify(best));
  console.log('best', fmt(bestR));
  evaluate(best, { verbose: true });
}
await embedder.close?.();
