#!/usr/bin/env node
// Validates the bundled task library and assigns each prompt's split once: every fifth line of a
// task file (lines 5, 10, 15, ...) is `heldout` (20%, never loaded for routing or tuning), the rest
// `library`. Lines that already carry a split keep it, so the split never moves once written.
// Usage: node scripts/check-task-library.mjs [--write]
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/router/library');
const write = process.argv.includes('--write');
const taxonomy = JSON.parse(readFileSync(path.join(dir, 'taxonomy.json'), 'utf8'));
const seen = new Map();
let problems = 0;
const fail = (msg) => {
  problems++;
  console.error(msg);
};
const totals = { library: 0, heldout: 0 };
const files = new Set(readdirSync(path.join(dir, 'prompts')));
for (const t of taxonomy.tasks) {
  const file = path.join(dir, 'prompts', `${t.id}.jsonl`);
  if (!files.delete(`${t.id}.jsonl`)) {
    fail(`${t.id}: no prompt file`);
    continue;
  }
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out = [];
  const count = { library: 0, heldout: 0, short: 0, long: 0 };
  lines.forEach((l, i) => {
    let o;
    try {
      o = JSON.parse(l);
    } catch (e) {
      fail(`${file}:${i + 1}: ${e.message}`);
      return;
    }
    if (typeof o.text !== 'string' || o.text.trim() === '') fail(`${file}:${i + 1}: empty text`);
    if (typeof o.source !== 'string' || o.source === '') fail(`${file}:${i + 1}: no source`);
    const key = o.text.trim().toLowerCase();
    if (seen.has(key)) fail(`${file}:${i + 1}: duplicate of ${seen.get(key)}`);
    seen.set(key, `${t.id}:${i + 1}`);
    const split = o.split ?? ((i + 1) % 5 === 0 ? 'heldout' : 'library');
    if (split !== 'library' && split !== 'heldout') fail(`${file}:${i + 1}: bad split ${split}`);
    count[split]++;
    const words = o.text.trim().split(/\s+/).length;
    if (words <= 6) count.short++;
    if (words >= 40) count.long++;
    out.push(JSON.stringify({ text: o.text, source: o.source, split }));
  });
  if (count.library < 50) fail(`${t.id}: ${count.library} library prompts (< 50)`);
  totals.library += count.library;
  totals.heldout += count.heldout;
  console.log(`${t.id.padEnd(20)} library ${count.library}  heldout ${count.heldout}  short ${count.short}  long ${count.long}`);
  if (write) writeFileSync(file, `${out.join('\n')}\n`);
}
for (const f of files) fail(`prompts/${f}: not a task of taxonomy.json`);
console.log(`tasks ${taxonomy.tasks.length}, prompts ${totals.library + totals.heldout} (library ${totals.library}, heldout ${totals.heldout})`);
if (problems > 0) {
  console.error(`${problems} problem(s)`);
  process.exit(1);
}
