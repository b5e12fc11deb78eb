#!/usr/bin/env node
// Load benchmark of `semroute proxy`, loopback only: N concurrent SSE streams for a fixed time,
// (1) straight to a mock upstream, (2) through the proxy with a concrete model (forwarding only),
// (3) through the proxy with `MoM` (routed: one embedding per request). Prints and writes errors,
// TTFT and total latency p50/p99, the proxy's overhead over the direct call, throughput and RSS.
//
//   node scripts/bench-proxy.mjs [--concurrency 200] [--duration 60] [--chunks 20] [--chunk-ms 10]
//                                [--model-dir models/all-MiniLM-L6-v2] [--out reports/proxy-load.json]
// Needs `pnpm run build` (the CLI's dist and the addon) and the model.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Agent, request } = createRequire(path.join(root, 'packages/http/package.json'))('undici');

function args() {
  const a = { concurrency: 200, duration: 60, chunks: 20, chunkMs: 10, modelDir: path.join(root, 'models/all-MiniLM-L6-v2'), out: path.join(root, 'reports/proxy-load.json'), upstream: undefined };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i];
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${k} expects a positive number, got ${v}`);
      return n;
    };
    if (k === '--concurrency') a.concurrency = num();
    else if (k === '--duration') a.duration = num();
    else if (k === '--chunks') a.chunks = num();
    else if (k === '--chunk-ms') a.chunkMs = Number(v);
    else if (k === '--model-dir') a.modelDir = path.resolve(v);
    else if (k === '--out') a.out = path.resolve(v);
    else if (k === '--upstream') a.upstream = num(); // internal: run as the mock upstream child
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

/** The mock upstream (child process): an OpenAI-style SSE stream of `chunks` chunks, `chunkMs` apart. */
function runUpstream(a) {
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const model = JSON.parse(body).model;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }));
    for (let i = 0; i < a.chunks; i++) {
      if (a.chunkMs > 0) await new Promise((r) => setTimeout(r, a.chunkMs));
      if (res.destroyed) return;
      res.write(chunk({ content: ` tok${i}` }));
    }
    res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
}

function startChild(cmd, argv, pattern, env = process.env) {
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start: ${out}`)), 300_000);
    const on = (b) => {
      out += b;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m[1] });
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}: ${out}`)));
  });
}

async function rssMiB(pid) {
  const s = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmRSS:\s+(\d+) kB/.exec(s);
  return m ? Number(m[1]) / 1024 : undefined;
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const r1 = (x) => Math.round(x * 10) / 10;

/** `concurrency` workers, each streaming one request after another until the time is up. */
async function load(name, url, model, a, pid) {
  const dispatcher = new Agent({ connections: a.concurrency, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Write me a Python function to compute fibonacci numbers using memoization' }] });
  const ttft = [];
  const total = [];
  const errors = {};
  let rssMax = 0;
  const sampler = pid
    ? setInterval(async () => {
        const r = await rssMiB(pid);
        if (r && r > rssMax) rssMax = r;
      }, 500)
    : undefined;
  const end = performance.now() + a.duration * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await request(url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body });
        let first;
        let text = '';
        for await (const c of res.body) {
          first ??= performance.now();
          text += c;
        }
        const t1 = performance.now();
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
        if (!text.includes('data: [DONE]')) throw new Error('stream ended without [DONE]');
        ttft.push(first - t0);
        total.push(t1 - t0);
      } catch (err) {
        const k = err.message.slice(0, 80);
        errors[k] = (errors[k] ?? 0) + 1;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: a.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  if (sampler) clearInterval(sampler);
  await dispatcher.close();
  ttft.sort((x, y) => x - y);
  total.sort((x, y) => x - y);
  const result = {
    name,
    model,
    streams: total.length,
    errors: Object.values(errors).reduce((s, n) => s + n, 0),
    errorKinds: errors,
    streamsPerSecond: r1(total.length / seconds),
    ttftMs: { p50: r1(pct(ttft, 50)), p99: r1(pct(ttft, 99)) },
    totalMs: { p50: r1(pct(total, 50)), p99: r1(pct(total, 99)) },
    ...(pid ? { proxyRssMiB: { max: r1(rssMax), end: r1((await rssMiB(pid)) ?? NaN) } } : {}),
  };
  console.log(JSON.stringify(result));
  return result;
}

async function main() {
  const a = args();
  if (a.upstream) return runUpstream(a);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'semroute-bench-proxy-'));
  const children = [];
  try {
    const up = await startChild(process.execPath, [fileURLToPath(import.meta.url), '--upstream', '1', '--chunks', String(a.chunks), '--chunk-ms', String(a.chunkMs)], /PORT (\d+)/);
    children.push(up.child);
    const upstream = `http://127.0.0.1:${up.match}`;
    const seed = await readFile(path.join(root, 'test/reference/seed-router-config.yaml'), 'utf8');
    // The seed's cards and providers, every backend on the mock; routing on the cards alone (the task
    // library's start-up embedding is not what this measures).
    const config = seed
      .replace(/endpoint: host\.docker\.internal:11434\n(\s+)protocol: http/, `base_url: ${upstream}/v1`)
      .replace('https://api.openai.com/v1', `${upstream}/v1`)
      .replace('https://generativelanguage.googleapis.com/v1beta/openai', `${upstream}/v1`)
      .replace(/^routing:\n/m, 'routing:\n  task_library: { enabled: false }\n');
    await writeFile(path.join(tmp, 'router.yaml'), config);
    const proxy = await startChild(
      process.execPath,
      [path.join(root, 'packages/cli/dist/bin.js'), 'proxy', '--config', path.join(tmp, 'router.yaml'), '--port', '0', '--model-dir', a.modelDir, '--log-level', 'warn'],
      /listening on (http:\/\/\S+) /,
    );
    children.push(proxy.child);
    const pid = proxy.child.pid;
    const rssIdle = await rssMiB(pid);
    console.log(`concurrency ${a.concurrency}, ${a.duration} s per phase, upstream stream ${a.chunks} chunks x ${a.chunkMs} ms; ${os.cpus().length} CPUs, load ${os.loadavg().map(r1).join(' ')}`);
    const direct = await load('direct', `${upstream}/v1/chat/completions`, 'gpt-4o', a);
    const forwarded = await load('proxy, concrete model', `${proxy.match}/v1/chat/completions`, 'gpt-4o', a, pid);
    const routed = await load('proxy, MoM (routed)', `${proxy.match}/v1/chat/completions`, 'MoM', a, pid);
    const overhead = (r) => ({
      ttftP50Ms: r1(r.ttftMs.p50 - direct.ttftMs.p50),
      ttftP99Ms: r1(r.ttftMs.p99 - direct.ttftMs.p99),
      totalP50Ms: r1(r.totalMs.p50 - direct.totalMs.p50),
      totalP99Ms: r1(r.totalMs.p99 - direct.totalMs.p99),
    });
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavgAtStart: os.loadavg().map(r1), node: process.version },
      settings: { concurrency: a.concurrency, durationSeconds: a.duration, chunks: a.chunks, chunkMs: a.chunkMs },
      proxyRssIdleMiB: r1(rssIdle ?? NaN),
      phases: [direct, forwarded, routed],
      overhead: { concrete: overhead(forwarded), routed: overhead(routed) },
    };
    console.log(JSON.stringify({ overhead: report.overhead, proxyRssIdleMiB: report.proxyRssIdleMiB }));
    await mkdir(path.dirname(a.out), { recursive: true });
    await writeFile(a.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`report: ${a.out}`);
    if (report.phases.some((p) => p.errors > 0)) process.exitCode = 1;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench-proxy: ${err.message}`);
  process.exitCode = 2;
});
