#!/usr/bin/env node
// Load and fault test of `semroute serve` on loopback: N concurrent ext_proc streams (headers, then
// a BUFFERED chat body, as Envoy sends them) for D seconds against a child server process.
//   --mode steady   plain load
//   --mode fault    kill -9 the server a third of the way in and restart it
//   --mode reload   change the config file (file-watch reload) and send SIGHUP mid-run
// Prints JSON figures: throughput, p50/p99 added latency, outcomes, errors, RSS before/after.
// Needs the built CLI (pnpm build). Usage:
//   node scripts/load-extproc.mjs [--config F] [--concurrency 200] [--duration 60] [--mode steady]
//        [--message-timeout-ms 50] [--max-concurrent-routing N] [--hold-ms 0] [--stagger 1] [--out result.json]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/extproc/package.json'));
const grpc = require('@grpc/grpc-js');
const { loadExtProcDefinition, EXT_PROC_SERVICE } = await import(path.join(root, 'packages/extproc/dist/index.js'));

const args = parseArgs(process.argv.slice(2));
const concurrency = Number(args.concurrency ?? 200);
const durationS = Number(args.duration ?? 60);
const mode = args.mode ?? 'steady';
if (!['steady', 'fault', 'reload'].includes(mode)) throw new Error(`--mode: expected steady, fault or reload, got ${mode}`);
const timeoutMs = Number(args['message-timeout-ms'] ?? 50);
const maxConcurrentRouting = args['max-concurrent-routing'];
// Simulated upstream time: the stream stays open this long before the response headers arrive, as a
// real ext_proc stream does while the LLM answers. 0 = closed loop at full speed (saturation).
const holdMs = Number(args['hold-ms'] ?? 0);
const stagger = (args.stagger ?? '1') !== '0';
const srcConfig = path.resolve(args.config ?? path.join(root, 'test/reference/seed-router-config.yaml'));
const prompts = JSON.parse(readFileSync(path.join(root, 'bench/data/vsr_domain_bench.json'), 'utf8')).map((r) => r.text);

// The config is copied so the reload run can edit it.
const dir = mkdtempSync(path.join(tmpdir(), 'semroute-load-'));
const config = path.join(dir, 'router.yaml');
copyFileSync(srcConfig, config);
const grpcPort = await freePort();
const httpPort = await freePort();

let child;
function startServer() {
  child = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/dist/bin.js'), 'serve', '--config', config, '--host', '127.0.0.1', '--grpc-port', String(grpcPort), '--http-port', String(httpPort), '--message-timeout-ms', String(timeoutMs), '--log-level', 'error', ...(maxConcurrentRouting ? ['--max-concurrent-routing', maxConcurrentRouting] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return child;
}

async function waitReady(ms = 60_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status === 200) return Date.now() - t0;
    } catch {}
    await sleep(50);
  }
  throw new Error('server not ready in time');
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

async function passthroughReasons() {
  try {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const out = {};
    for (const m of text.matchAll(/^semroute_passthrough_total\{reason="([^"]+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  } catch {
    return {};
  }
}

// ------------------------------------------------------------------ the Envoy-like client

const def = loadExtProcDefinition();
const Client = grpc.makeGenericClientConstructor(def[EXT_PROC_SERVICE], 'ExternalProcessor');
// Reconnect quickly after a server restart, as Envoy does (grpc-js defaults back off for up to 120 s).
const client = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure(), {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
});
const hv = (key, v) => ({ key, raw_value: Buffer.from(v) });

/** One request: resolves to { outcome: routed|passed, bodyMs, totalMs } or throws on a stream failure. */
function oneRequest(n, hold = holdMs) {
  return new Promise((resolve, reject) => {
    const call = client.Process();
    const t0 = performance.now();
    let tBody = 0;
    let step = 0;
    let held;
    let dead = false;
    let timer = setTimeout(() => fail(new Error('no answer within 5 s')), 5000);
    const fail = (e) => {
      if (dead) return;
      dead = true;
      clearTimeout(timer);
      call.cancel();
      reject(e);
    };
    call.on('error', (e) => fail(e));
    call.on('data', (r) => {
      if (step === 0) {
        if (!r.request_headers) return fail(new Error(`protocol: expected request_headers answer, got ${r.response}`));
        step = 1;
        tBody = performance.now();
        const model = n % 10 === 0 ? 'gpt-4o' : 'MoM'; // 10% explicit models
        call.write({ request_body: { body: Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: prompts[n % prompts.length] }] })), end_of_stream: true } });
      } else if (step === 1) {
        step = 2;
        const t1 = performance.now();
        const cr = r.request_body?.response;
        if (!cr) return fail(new Error(`protocol: expected request_body answer, got ${r.response}`));
        const routed = (cr.header_mutation?.set_headers ?? []).some((h) => h.header.key === 'x-selected-model');
        if (routed && !cr.body_mutation?.body) return fail(new Error('protocol: routed without a body mutation'));
        const result = { outcome: routed ? 'routed' : n % 10 === 0 ? 'explicit' : 'passed', bodyMs: t1 - tBody, totalMs: t1 - t0 };
        if (hold === 0) {
          clearTimeout(timer);
          call.end();
          return resolve(result);
        }
        clearTimeout(timer);
        setTimeout(() => {
          if (dead) return;
          result.tResp = performance.now();
          timer = setTimeout(() => fail(new Error('no response_headers answer within 5 s')), 5000);
          call.write({ response_headers: { headers: { headers: [hv(':status', '200'), hv('content-type', 'application/json')] } } });
        }, hold);
        held = result;
      } else if (step === 2) {
        step = 3;
        clearTimeout(timer);
        const res = held;
        if (!r.response_headers) return fail(new Error(`protocol: expected response_headers answer, got ${r.response}`));
        const tagged = (r.response_headers.response?.header_mutation?.set_headers ?? []).some((h) => h.header.key === 'x-selected-model');
        if (tagged !== (res.outcome === 'routed')) return fail(new Error('protocol: response selection headers do not match the routing'));
        res.respMs = performance.now() - res.tResp;
        call.end();
        resolve(res);
      }
    });
    call.write({ request_headers: { headers: { headers: [hv(':method', 'POST'), hv(':path', '/v1/chat/completions'), hv('content-type', 'application/json'), hv('x-request-id', `load-${n}`)] } } });
  });
}

// ------------------------------------------------------------------ run

startServer();
const readyMs = await waitReady();
const pid0 = child.pid;
// Warm-up: a few seconds of light load so the JIT and allocator settle before RSS is read.
for (let i = 0; i < 200; i++) await oneRequest(i, 0).catch(() => {});
const rssBefore = rssKb(pid0);

const stats = { routed: 0, passed: 0, explicit: 0, failOpen: 0, errors: 0, errorSamples: [] };
const bodyMs = [];
const totalMs = [];
const respMs = [];
let faultWindow = false;
const events = [];
let n = 0;
const tStart = performance.now();
const deadline = tStart + durationS * 1000;
let reasonsBeforeKill = {};

async function worker() {
  // With a hold, start each worker at a random point of one hold period: started together, the 200
  // workers would come back in synchronised waves of 200 requests every ~2 s instead of a steady
  // ~100 requests/s (what `--stagger 0` reproduces).
  if (holdMs > 0 && stagger) await sleep(Math.random() * holdMs);
  while (performance.now() < deadline) {
    const i = n++;
    try {
      const r = await oneRequest(i);
      stats[r.outcome]++;
      bodyMs.push(r.bodyMs);
      totalMs.push(r.totalMs);
      if (r.respMs !== undefined) respMs.push(r.respMs);
    } catch (e) {
      // While the server is down the gateway's failOpen lets the request through unrouted.
      if (faultWindow) stats.failOpen++;
      else {
        stats.errors++;
        if (stats.errorSamples.length < 5) stats.errorSamples.push(String(e.message ?? e));
      }
      if (faultWindow) await sleep(5); // as a real client would not spin on a refused connection
    }
  }
}

async function disturb() {
  if (mode === 'fault') {
    await sleep((durationS * 1000) / 3);
    reasonsBeforeKill = await passthroughReasons();
    faultWindow = true;
    const tKill = performance.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    startServer();
    const ms = await waitReady();
    await sleep(500); // streams opened just before the restart settle
    faultWindow = false;
    events.push({ event: 'kill -9 + restart', atS: round((tKill - tStart) / 1000), downMs: Math.round(performance.now() - tKill), restartReadyMs: ms });
  } else if (mode === 'reload') {
    await sleep((durationS * 1000) / 3);
    appendFileSync(config, '\n# load test edit\n');
    writeFileSync(config, readFileSync(config, 'utf8').replace('routing:\n', 'routing:\n  auto_model_names: [MoM, auto, smart]\n'));
    events.push({ event: 'config file changed', atS: round((performance.now() - tStart) / 1000) });
    await sleep((durationS * 1000) / 3);
    child.kill('SIGHUP');
    events.push({ event: 'SIGHUP', atS: round((performance.now() - tStart) / 1000) });
  }
}

// RSS every 10 s, to tell warm-up growth from a leak.
const rssSamples = [];
const sampler = setInterval(() => {
  try {
    rssSamples.push([Math.round((performance.now() - tStart) / 1000), round(rssKb(child.pid) / 1024)]);
  } catch {}
}, 10_000);
await Promise.all([...Array.from({ length: concurrency }, worker), disturb()]);
clearInterval(sampler);
const elapsed = (performance.now() - tStart) / 1000;
const rssAfter = rssKb(child.pid);
const reasons = await passthroughReasons();
const serverSide = await serverFigures();
const reloads = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text().then((t) => [...t.matchAll(/^semroute_config_reloads_total\{result="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`));
child.kill('SIGTERM');
const exitCode = await new Promise((r) => child.once('exit', (c) => r(c)));
client.close();

const done = stats.routed + stats.passed + stats.explicit;
const result = {
  mode,
  concurrency,
  durationS: round(elapsed),
  messageTimeoutMs: timeoutMs,
  maxConcurrentRouting: maxConcurrentRouting ? Number(maxConcurrentRouting) : 'default',
  config: path.basename(srcConfig),
  firstReadyMs: readyMs,
  requests: done + stats.failOpen + stats.errors,
  throughputRps: round(done / elapsed),
  // Auto-model requests only (explicit-model ones never need routing).
  routedPerS: round(stats.routed / elapsed),
  shedPerS: round((mode === 'fault' ? 0 : (reasons.timeout ?? 0)) / elapsed),
  autoRoutedShare: round(stats.routed / Math.max(1, stats.routed + stats.passed)),
  outcomes: { routed: stats.routed, passedThrough: stats.passed, explicitModel: stats.explicit, failOpenWhileDown: stats.failOpen },
  passthroughReasons: mode === 'fault' ? { beforeKill: reasonsBeforeKill, afterRestart: reasons } : reasons,
  errors: stats.errors,
  errorSamples: stats.errorSamples,
  holdMs,
  staggeredStart: holdMs > 0 && stagger,
  addedLatencyMs: { requestBodyPhase: pct(bodyMs), requestHeadersAndBody: pct(totalMs), ...(respMs.length ? { responseHeadersPhase: pct(respMs) } : {}) },
  serverSide,
  rssMiB: { before: round(rssBefore / 1024), after: round(rssAfter / 1024), samples: rssSamples, note: mode === 'fault' ? 'after = the restarted process' : undefined },
  events,
  configReloads: reloads,
  serverExitCodeOnSigterm: exitCode,
};
console.log(JSON.stringify(result, null, 2));
if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
process.exit(stats.errors === 0 ? 0 : 1);

// ------------------------------------------------------------------ helpers

/** The server's own view: routing latency quantiles, as histogram bucket upper bounds. */
async function serverFigures() {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const buckets = new Map();
  for (const m of text.matchAll(/^semroute_routing_latency_seconds_bucket\{le="([^"]+)",outcome="[^"]+"\} (\d+)/gm)) {
    buckets.set(m[1], (buckets.get(m[1]) ?? 0) + Number(m[2]));
  }
  const total = buckets.get('+Inf') ?? 0;
  const q = (p) => {
    for (const [le, c] of [...buckets.entries()].filter(([le]) => le !== '+Inf').sort((a, b) => Number(a[0]) - Number(b[0]))) {
      if (c >= p * total) return `<= ${Number(le) * 1000} ms`;
    }
    return '> 500 ms';
  };
  return { routingLatency: { answers: total, p50: q(0.5), p99: q(0.99) } };
}

function pct(xs) {
  if (xs.length === 0) return {};
  const s = Float64Array.from(xs).sort();
  const q = (p) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))]);
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: round(s[s.length - 1]) };
}

function round(x) {
  return Math.round(x * 100) / 100;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    out[a.slice(2)] = argv[i + 1];
    i++;
  }
  return out;
}
