#!/usr/bin/env node
// How long a short prompt takes right after the process was idle: after 50 warm calls, 8 blocks of
// 14 calls, each after `--idle-ms` of sleep (no other process needed). On the VMs measured here a
// pass right after an idle half-second is 1.5-3x its steady time and takes about 60 ms of calls
// to come back: the reason scripts/bench-peers.mjs warms each engine's latency turn for 200 ms
// rather than 5 calls (BENCHMARKS.md, "Stop 21").
//
//   node scripts/bench-idle-ramp.mjs [--threads 2] [--idle-ms 700] [--model models/all-MiniLM-L6-v2]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'models/all-MiniLM-L6-v2') },
    threads: { type: 'string', default: '2' },
    'idle-ms': { type: 'string', default: '700' },
  },
});
const dist = join(repo, 'packages/embed/dist/index.js');
if (!existsSync(dist)) {
  console.error(`${dist} not found: run \`pnpm build\` first`);
  process.exit(2);
}
const { Embedder } = await import(pathToFileURL(dist).href);
const SHORT = 'How do I reverse a linked list in place in Python without using any extra memory?';
const e = await Embedder.load(resolve(args.model), { threads: Number(args.threads) });
for (let i = 0; i < 50; i++) await e.embed([SHORT]);
const firsts = [];
const lasts = [];
for (let b = 0; b < 8; b++) {
  await new Promise((r) => setTimeout(r, Number(args['idle-ms'])));
  const ms = [];
  for (let i = 0; i < 14; i++) {
    const t = performance.now();
    await e.embed([SHORT]);
    ms.push(performance.now() - t);
  }
  firsts.push(ms[0]);
  lasts.push(ms.slice(-4).reduce((a, x) => a + x, 0) / 4);
  console.log(ms.map((x) => x.toFixed(1)).join(' '));
}
const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
console.log(`threads ${args.threads}, idle ${args['idle-ms']} ms: first call after idle ${mean(firsts).toFixed(2)} ms, last 4 calls of a block ${mean(lasts).toFixed(2)} ms`);
