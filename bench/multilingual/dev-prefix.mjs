#!/usr/bin/env node
// Development check (never reads the multilingual evaluation set): which e5 prefix should the
// router put on the texts it embeds at load (card descriptions, clauses, capabilities; the task
// library's task and group labels)? e5 was trained with "query: " on queries and "passage: " on
// documents; the router puts `embedding.query_instruction` on prompts and on the library's example
// prompts, and nothing on card or label texts. This routes the seed config's English development
// prompts (bench/card-dev-set.jsonl, bench/train/seed-train.jsonl) with multilingual-e5-small
// under each choice, with and without the task library, by wrapping the embedder: a text the
// router embeds at load that is a card text or a label gets the prefix under test.
//
//   node bench/multilingual/dev-prefix.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const imp = (p) => import(pathToFileURL(path.join(repo, p)).href);
const { Embedder } = await imp('packages/embed/dist/index.js');
const { createRouter, loadConfig, cardTexts, loadTaskLibrary } = await imp('packages/router/dist/index.js');

const QUERY = 'query: ';
const jsonl = (f) =>
  readFileSync(path.join(repo, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
const dev = [
  ...jsonl('bench/card-dev-set.jsonl').map((o) => ({ prompt: o.prompt, expected: o.expected })),
  ...jsonl('bench/train/seed-train.jsonl').map((o) => ({ prompt: o.text, expected: o.model })),
];

const configPath = path.join(repo, 'bench/multilingual/router-e5.yaml');
const base = await loadConfig(configPath);
const cardSet = new Set(base.config.routing.modelCards.flatMap((c) => cardTexts(c)));
const lib = loadTaskLibrary();
const labelSet = new Set([...lib.tasks.map((t) => `${t.name}: ${t.description}`), ...lib.groups.map((g) => `${g.name}: ${g.description}`)]);

const e5 = await Embedder.load(path.join(repo, 'models/multilingual-e5-small'), { maxBatch: 32 });
const memo = new Map();
async function embedMemo(texts) {
  const todo = [...new Set(texts.filter((t) => !memo.has(t)))];
  for (let i = 0; i < todo.length; i += 32) {
    const chunk = todo.slice(i, i + 32);
    const b = await e5.embed(chunk);
    chunk.forEach((t, j) => {
      memo.set(t, b.data.slice(j * b.dim, (j + 1) * b.dim));
    });
  }
  const dim = e5.info.dim;
  const data = new Float32Array(texts.length * dim);
  texts.forEach((t, i) => {
    data.set(memo.get(t), i * dim);
  });
  return { data, dim, truncated: texts.map(() => false) };
}
const wrapped = (cardPrefix, labelPrefix) => ({
  info: e5.info,
  embed: (texts) => embedMemo(texts.map((t) => (cardSet.has(t) ? cardPrefix + t : labelSet.has(t) ? labelPrefix + t : t))),
});

const results = [];
for (const library of [false, true]) {
  for (const cardPrefix of ['', QUERY, 'passage: ']) {
    for (const labelPrefix of library ? ['', QUERY, 'passage: '] : ['']) {
      const loaded = await loadConfig(configPath);
      loaded.config.routing.task_library.enabled = library;
      const router = await createRouter({ config: loaded, embedder: wrapped(cardPrefix, labelPrefix), cacheDir: false });
      let ok = 0;
      for (const it of dev) {
        const d = await router.route({ model: 'MoM', messages: [{ role: 'user', content: it.prompt }] });
        if (d.selectedModel === it.expected) ok++;
      }
      await router.close();
      const r = { library, cardPrefix, labelPrefix: library ? labelPrefix : '-', accuracy: +(ok / dev.length).toFixed(4), n: dev.length };
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
}
