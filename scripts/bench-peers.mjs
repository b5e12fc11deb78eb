#!/usr/bin/env node
// Peer benchmark: semroute against onnxruntime-node and transformers.js on the same weights
// (all-MiniLM-L6-v2 exported to ONNX by scripts/peers/export_onnx.py), 2 threads each, mean
// pooling + L2 normalisation included everywhere, tokenization included everywhere.
// Each engine lives in its own child process (so RSS is its own); the parent runs the rounds
// interleaved (engine A, B, C, A, B, C, ...) so a noisy moment hits every engine alike.
// Figures: short prompt (19 tokens) p50/p99 (200 calls a turn after 5 untimed ones), texts/s short b1/b8/b32, 196-token b1/b8, RSS after
// load, peak RSS after a 32 x 256-token batch. Writes reports/bench-peers.json and .svg.
//
//   npm ci --prefix scripts/peers                                   # peer engines (dev only)
//   python3 -m venv scripts/peers/.venv && scripts/peers/.venv/bin/pip install -r scripts/peers/requirements.txt
//   scripts/peers/.venv/bin/python scripts/peers/export_onnx.py     # models/all-MiniLM-L6-v2-onnx/
//   node scripts/bench-peers.mjs [--rounds 4] [--threads 2] [--engines semroute,semroute-bf16,semroute-int8,ort,transformers.js] [--warmup-ms 200]
// (semroute-bf16, the opt-in bf16 precision, needs AVX-512 BF16, semroute-int8 (int8 weights)
// AVX-512; the default engines leave them out.)
// Needs `pnpm build` (addon + dist) and scripts/fetch-model.sh.

import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'models/all-MiniLM-L6-v2') },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '4' },
    engines: { type: 'string', default: 'semroute,ort,transformers.js' },
    out: { type: 'string', default: join(repo, 'reports/bench-peers.json') },
    worker: { type: 'string' },
    'warmup-ms': { type: 'string', default: '200' },
  },
});
const warmupMs = Number(args['warmup-ms']);
const threads = Number(args.threads);
const model = resolve(args.model);

// 19 tokens with MiniLM's tokenizer (including [CLS]/[SEP]); the same texts as bench-embed.mjs.
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
// Longer than 256 tokens: every engine truncates it to 256 (the peak-memory batch).
const HUGE = `${LONG} ${LONG}`;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const rssMb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;

if (args.worker) await worker(args.worker);
else await parent();

// ------------------------------------------------------------------------------------ engines

/** Loads one engine; returns `embed(texts) => Promise<Float32Array>` (normalised mean-pooled rows). */
async function loadEngine(name) {
  if (/^semroute(-bf16|-int8)?$/.test(name)) {
    const dist = join(repo, 'packages/embed/dist/index.js');
    if (!existsSync(dist)) throw new Error(`missing ${dist}: run \`pnpm build\` first`);
    const { Embedder } = await import(pathToFileURL(dist).href);
    // semroute-bf16: the opt-in bf16 products (AVX-512 BF16 CPUs); semroute-int8: the opt-in int8
    // weights (AVX-512 CPUs); the peers stay f32.
    const precision = name === 'semroute' ? 'f32' : name.slice('semroute-'.length);
    const e = await Embedder.load(model, { threads, maxBatch: 32, precision });
    return async (texts) => (await e.embed(texts)).data;
  }
  const peers = createRequire(join(repo, 'scripts/peers/package.json'));
  const onnxDir = `${model.replace(/\/$/, '')}-onnx`;
  const onnx = join(onnxDir, 'onnx/model.onnx');
  if (!existsSync(onnx)) throw new Error(`missing ${onnx}: run scripts/peers/export_onnx.py first (see the header of this script)`);
  if (name === 'ort') {
    const ort = peers('onnxruntime-node');
    const { Tokenizer } = peers('@huggingface/tokenizers');
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(join(onnxDir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(onnxDir, 'tokenizer_config.json'), 'utf8')));
    const session = await ort.InferenceSession.create(onnx, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
    return async (texts) => {
      const encs = texts.map((t) => tokenizer.encode(t).ids.slice(0, 256));
      const s = Math.max(...encs.map((e) => e.length));
      const b = texts.length;
      const ids = new BigInt64Array(b * s);
      const mask = new BigInt64Array(b * s);
      encs.forEach((e, i) => {
        e.forEach((id, j) => {
          ids[i * s + j] = BigInt(id);
          mask[i * s + j] = 1n;
        });
      });
      const out = await session.run({
        input_ids: new ort.Tensor('int64', ids, [b, s]),
        attention_mask: new ort.Tensor('int64', mask, [b, s]),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(b * s), [b, s]),
      });
      return meanNormalize(out.last_hidden_state.data, encs.map((e) => e.length), s);
    };
  }
  if (name === 'transformers.js') {
    const tjs = await import(pathToFileURL(peers.resolve('@huggingface/transformers')).href);
    tjs.env.allowRemoteModels = false;
    tjs.env.localModelPath = dirname(onnxDir);
    const extractor = await tjs.pipeline('feature-extraction', onnxDir.split('/').pop(), {
      dtype: 'fp32',
      device: 'cpu',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
    });
    return async (texts) => (await extractor(texts, { pooling: 'mean', normalize: true, truncation: true, max_length: 256 })).data;
  }
  throw new Error(`unknown engine ${name} (expected semroute, semroute-bf16, semroute-int8, ort or transformers.js)`);
}

function meanNormalize(hidden, lengths, s) {
  const h = hidden.length / (lengths.length * s);
  const out = new Float32Array(lengths.length * h);
  lengths.forEach((n, i) => {
    const row = out.subarray(i * h, (i + 1) * h);
    for (let t = 0; t < n; t++) for (let d = 0; d < h; d++) row[d] += hidden[(i * s + t) * h + d];
    let norm = 0;
    for (let d = 0; d < h; d++) norm += row[d] * row[d];
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < h; d++) row[d] /= norm;
  });
  return out;
}

// ------------------------------------------------------------------------------------ worker

async function worker(name) {
  const embed = await loadEngine(name);
  for (let i = 0; i < 20; i++) await embed([SHORT]);
  await embed(Array(8).fill(LONG));
  const loaded = rssMb('VmRSS');
  const probe = await embed([SHORT]);
  process.send({ ready: true, rssAfterLoadMb: loaded, probe: Array.from(probe.subarray(0, 384)) });
  process.on('message', async (task) => {
    if (task.kind === 'latency') {
      // Untimed first calls: the previous engine's turn left this process's threads asleep and
      // its weights out of cache, and on the VMs measured here a core idle for half a second runs
      // a single-thread pass at 7 ms, then 4 ms after about 60 ms of calls (the host's clock
      // ramping up: it needs no other process, BENCHMARKS.md "Stop 21"). So the warm-up is
      // `warmupMs` of calls (at least `warmup` calls), for every engine alike. The figures are
      // the steady state of a lone caller.
      const until = now() + (task.warmupMs ?? 0);
      for (let i = 0; i < task.warmup || now() < until; i++) await embed([SHORT]);
      const ms = [];
      for (let i = 0; i < task.n; i++) {
        const t = now();
        await embed([SHORT]);
        ms.push(now() - t);
      }
      process.send({ ms });
    } else if (task.kind === 'throughput') {
      const texts = Array(task.batch).fill(task.long ? LONG : SHORT);
      const t = now();
      const c = process.cpuUsage();
      for (let i = 0; i < task.n; i++) await embed(texts);
      const cpu = process.cpuUsage(c);
      process.send({ texts: task.n * task.batch, ms: now() - t, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (task.kind === 'peak') {
      await embed(Array(32).fill(HUGE));
      process.send({ rssPeakMb: rssMb('VmHWM') });
    } else if (task.kind === 'exit') {
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------------------------ parent

function ask(child, task) {
  return new Promise((res, rej) => {
    const onMsg = (m) => {
      child.off('exit', onExit);
      res(m);
    };
    const onExit = (code) => rej(new Error(`worker exited with code ${code} during ${JSON.stringify(task)}`));
    child.once('message', onMsg);
    child.once('exit', onExit);
    if (task) child.send(task);
  });
}

async function parent() {
  const engines = args.engines.split(',');
  const rounds = Number(args.rounds);
  const started = now();
  const loadStart = loadavg();
  const workers = {};
  for (const name of engines) {
    // One at a time, so loads do not compete.
    const child = fork(fileURLToPath(import.meta.url), ['--worker', name, '--model', model, '--threads', String(threads)], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    const ready = await ask(child);
    workers[name] = { child, rssAfterLoadMb: ready.rssAfterLoadMb, probe: ready.probe, lat: [], tp: {} };
    console.error(`${name}: loaded, RSS ${ready.rssAfterLoadMb.toFixed(0)} MB`);
  }
  // Same weights, same answer: every engine's vector for SHORT must match semroute's.
  const ref = workers[engines[0]].probe;
  for (const name of engines) {
    const cos = workers[name].probe.reduce((s, x, i) => s + x * ref[i], 0);
    workers[name].cosineToFirst = cos;
    if (cos < 0.999) throw new Error(`${name}'s embedding differs from ${engines[0]}'s (cosine ${cos.toFixed(5)}): not the same model`);
  }

  const plan = [
    { key: 'short_b1', kind: 'throughput', batch: 1, n: 30 },
    { key: 'short_b8', kind: 'throughput', batch: 8, n: 6 },
    { key: 'short_b32', kind: 'throughput', batch: 32, n: 3 },
    { key: 'long_b1', kind: 'throughput', batch: 1, long: true, n: 6 },
    { key: 'long_b8', kind: 'throughput', batch: 8, long: true, n: 2 },
  ];
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round as well.
    const order = engines.map((_, i) => engines[(i + r) % engines.length]);
    for (const name of order) {
      const w = workers[name];
      // Let the previous engine's threads go idle first: ONNX Runtime's pool keeps spinning for
      // a while after its last run, which would otherwise land on the next engine's first timings.
      await new Promise((r) => setTimeout(r, 500));
      w.lat.push(...(await ask(w.child, { kind: 'latency', n: 200, warmup: 5, warmupMs: warmupMs })).ms);
      for (const p of plan) {
        const res = await ask(w.child, p);
        const acc = w.tp[p.key] ?? { texts: 0, ms: 0, cpuMs: 0 };
        w.tp[p.key] = acc;
        acc.texts += res.texts;
        acc.ms += res.ms;
        acc.cpuMs += res.cpuMs;
      }
    }
    console.error(`round ${r + 1}/${rounds} done (${((now() - started) / 1000).toFixed(0)} s)`);
  }
  for (const name of engines) {
    workers[name].rssPeakMb = (await ask(workers[name].child, { kind: 'peak' })).rssPeakMb;
    workers[name].child.send({ kind: 'exit' });
  }

  const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))];
  const r1 = (x) => Math.round(x * 10) / 10;
  const results = {};
  for (const name of engines) {
    const w = workers[name];
    const lat = [...w.lat].sort((a, b) => a - b);
    results[name] = {
      short_p50_ms: Math.round(pct(lat, 0.5) * 100) / 100,
      short_p99_ms: Math.round(pct(lat, 0.99) * 100) / 100,
      ...Object.fromEntries(Object.entries(w.tp).map(([k, v]) => [`${k}_texts_per_s`, r1((v.texts * 1000) / v.ms)])),
      // Texts per CPU-second of the engine's process (all its threads): robust to other load on a
      // shared machine, and it charges spin-waiting to whoever spins.
      ...Object.fromEntries(Object.entries(w.tp).map(([k, v]) => [`${k}_texts_per_cpu_s`, r1((v.texts * 1000) / v.cpuMs)])),
      rss_after_load_mb: Math.round(w.rssAfterLoadMb),
      rss_peak_32x256_mb: Math.round(w.rssPeakMb),
      cosine_to_semroute: Math.round(w.cosineToFirst * 1e6) / 1e6,
    };
  }
  const ratios = {};
  for (const own of engines.filter((e) => e.startsWith('semroute'))) {
    const base = results[own];
    for (const name of engines.filter((e) => !e.startsWith('semroute'))) {
      const p = results[name];
      ratios[`${own}_vs_${name}`] = Object.fromEntries(
        Object.keys(base)
          .filter((k) => k.endsWith('texts_per_s') || k.endsWith('texts_per_cpu_s') || k.startsWith('short_p'))
          // > 1 means semroute is better (faster or more texts/s).
          .map((k) => [k, Math.round((k.endsWith('_ms') ? p[k] / base[k] : base[k] / p[k]) * 100) / 100]),
      );
    }
  }
  const report = {
    date: new Date().toISOString(),
    // Load average before and after: other work on the machine makes every figure noisier.
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_start: loadStart, loadavg_end: loadavg() },
    model,
    threads,
    rounds,
    latency_warmup_ms: warmupMs,
    wall_s: Math.round((now() - started) / 100) / 10,
    results,
    ratios,
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  const svgPath = args.out.replace(/\.json$/, '.svg');
  writeFileSync(svgPath, chart(results, engines));
  console.table(results);
  console.log(JSON.stringify(ratios, null, 2));
  console.log(`wrote ${args.out} and ${svgPath}`);
}

/** A grouped bar chart: texts/s per workload, one colour per engine. */
function chart(results, engines) {
  const metrics = [
    ['short_b1_texts_per_s', 'short b1'],
    ['short_b8_texts_per_s', 'short b8'],
    ['short_b32_texts_per_s', 'short b32'],
    ['long_b1_texts_per_s', '196-tok b1'],
    ['long_b8_texts_per_s', '196-tok b8'],
  ];
  const colours = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];
  const W = 760, H = 360, left = 60, bottom = 300, top = 40;
  const max = Math.max(...engines.flatMap((e) => metrics.map(([k]) => results[e][k])));
  const group = (W - left - 20) / metrics.length;
  const bar = (group - 20) / engines.length;
  const y = (v) => bottom - ((bottom - top) * v) / max;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">\n`;
  s += `<rect width="${W}" height="${H}" fill="white"/>\n`;
  s += `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">all-MiniLM-L6-v2, texts/s (higher is better), ${threads} threads each</text>\n`;
  s += `<line x1="${left}" y1="${bottom}" x2="${W - 10}" y2="${bottom}" stroke="black"/>\n`;
  metrics.forEach(([k, label], g) => {
    const x0 = left + g * group + 10;
    engines.forEach((e, i) => {
      const v = results[e][k];
      s += `<rect x="${x0 + i * bar}" y="${y(v)}" width="${bar - 2}" height="${bottom - y(v)}" fill="${colours[i % colours.length]}"/>\n`;
      s += `<text x="${x0 + i * bar + bar / 2}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${Math.round(v)}</text>\n`;
    });
    s += `<text x="${x0 + group / 2 - 10}" y="${bottom + 15}" text-anchor="middle">${label}</text>\n`;
  });
  engines.forEach((e, i) => {
    const r = results[e];
    s += `<rect x="${left + i * 240}" y="${bottom + 30}" width="12" height="12" fill="${colours[i % colours.length]}"/>`;
    s += `<text x="${left + i * 240 + 16}" y="${bottom + 40}">${e}: p50 ${r.short_p50_ms} ms, peak ${r.rss_peak_32x256_mb} MB</text>\n`;
  });
  return `${s}</svg>\n`;
}
