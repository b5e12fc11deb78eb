#!/usr/bin/env node
// Multilingual routing figures: routes bench/multilingual/prompts.jsonl (30 prompts in English and
// 9 translations, labelled with the seed config's three cards) through `semroute eval`, with the
// converted multilingual-e5-small (bench/multilingual/router-e5.yaml) and, as the baseline, the
// default English all-MiniLM-L6-v2; each with and without the bundled task library. Prints per-
// language misroute rates and how often a prompt picks the same card as its English original, and
// writes reports/multilingual-routing.json.
//
//   node scripts/eval-multilingual.mjs            (needs models/multilingual-e5-small and a build)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(repo, 'bench/multilingual/prompts.jsonl');
const bin = path.join(repo, 'packages/cli/dist/bin.js');
const seed = path.join(repo, 'test/reference/seed-router-config.yaml');
const tmp = path.join(repo, 'reports/tmp');

if (!existsSync(path.join(repo, 'models/multilingual-e5-small/model.safetensors'))) {
  console.error('models/multilingual-e5-small is absent: run scripts/fetch-model.sh --multilingual');
  process.exit(1);
}
if (!existsSync(bin)) {
  console.error('packages/cli/dist/bin.js is absent: run pnpm run build');
  process.exit(1);
}
mkdirSync(tmp, { recursive: true });

const items = readFileSync(data, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

const runs = [
  { name: 'e5 + task library', config: path.join(repo, 'bench/multilingual/router-e5.yaml'), library: true },
  { name: 'e5, no task library', config: path.join(repo, 'bench/multilingual/router-e5.yaml'), library: false },
];
if (existsSync(seed) && existsSync(path.join(repo, 'models/all-MiniLM-L6-v2/model.safetensors'))) {
  runs.push({ name: 'MiniLM (English) + task library', config: seed, library: true, env: { SEMROUTE_MODEL_DIR: path.join(repo, 'models/all-MiniLM-L6-v2') } });
  runs.push({ name: 'MiniLM (English), no task library', config: seed, library: false, env: { SEMROUTE_MODEL_DIR: path.join(repo, 'models/all-MiniLM-L6-v2') } });
}

const out = { data: path.relative(repo, data), prompts: items.length, runs: [] };
for (const run of runs) {
  const file = path.join(tmp, `eval-multilingual-${out.runs.length}.json`);
  const args = [bin, 'eval', '-c', run.config, '-d', data, '--json', '-o', file];
  if (!run.library) args.push('--no-task-library');
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...(run.env ?? {}) } });
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const wrong = new Map(report.misrouted.map((m) => [m.id, m.got]));
  const routed = new Map(items.map((it) => [it.id, wrong.get(it.id) ?? it.expected]));
  const perLang = {};
  for (const it of items) {
    const l = perLang[it.lang] ?? { total: 0, misrouted: 0, sameAsEnglish: 0 };
    perLang[it.lang] = l;
    l.total++;
    if (wrong.has(it.id)) l.misrouted++;
    const enId = `en-${it.id.split('-')[1]}`;
    if (routed.get(it.id) === routed.get(enId)) l.sameAsEnglish++;
  }
  let agree = 0;
  let pairs = 0;
  for (const [lang, l] of Object.entries(perLang)) {
    l.misrouteRate = +(l.misrouted / l.total).toFixed(4);
    l.agreement = +(l.sameAsEnglish / l.total).toFixed(4);
    if (lang !== 'en') {
      agree += l.sameAsEnglish;
      pairs += l.total;
    }
  }
  out.runs.push({
    name: run.name,
    config: path.relative(repo, run.config),
    taskLibrary: run.library,
    accuracy: report.accuracy,
    misrouteRate: report.misrouteRate,
    translationAgreement: +(agree / pairs).toFixed(4),
    worstLanguageMisrouteRate: Math.max(...Object.values(perLang).map((l) => l.misrouteRate)),
    routeMs: report.latencyMs,
    perLanguage: perLang,
    misrouted: report.misrouted.map((m) => ({ id: m.id, expected: m.expected[0], got: m.got, top: m.top })),
  });
}

mkdirSync(path.join(repo, 'reports'), { recursive: true });
writeFileSync(path.join(repo, 'reports/multilingual-routing.json'), `${JSON.stringify(out, null, 2)}\n`);
const langs = Object.keys(out.runs[0].perLanguage);
for (const r of out.runs) {
  console.log(`\n${r.name}: accuracy ${(100 * r.accuracy).toFixed(1)}%, same card as English ${(100 * r.translationAgreement).toFixed(1)}%, worst language misrouted ${(100 * r.worstLanguageMisrouteRate).toFixed(1)}%`);
  console.log(`  ${langs.map((l) => l.padStart(6)).join('')}   (misrouted % / same-as-English %)`);
  console.log(`  ${langs.map((l) => (100 * r.perLanguage[l].misrouteRate).toFixed(0).padStart(6)).join('')}`);
  console.log(`  ${langs.map((l) => (100 * r.perLanguage[l].agreement).toFixed(0).padStart(6)).join('')}`);
}
console.log('\nwrote reports/multilingual-routing.json');
