#!/usr/bin/env node
// Memory under hostile bursts (issue 9): starts `semroute serve` (seed config, real MiniLM) and
// measures its RSS before, at the peak of, 15 s after each burst (idle) and after 15 s more of light traffic:
//   partial  60 full-duplex streams each sending 7.9 MiB of a body and then stopping (held open)
//   large    10 concurrent BUFFERED 60 MB bodies (one gRPC message each)
//   idle     200 streams that send request headers and then nothing (closed by the idle deadline)
// Prints JSON (and writes it with --out). Needs the built CLI (pnpm build:ts). Usage:
//   node scripts/burst-extproc.mjs [--idle-timeout-ms 5000] [--partial-rounds 1] [--out result.json]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages/extproc/package.json'));
const grpc = require('@grpc/grpc-js');
const { loadExtProcDefinition, EXT_PROC_SERVICE } = await import(path.join(root, 'packages/extproc/dist/index.js'));

const args = parseArgs(process.argv.slice(2));
const idleTimeoutMs = Number(args['idle-timeout-ms'] ?? 5000);
const grpcPort = await freePort();
const httpPort = await freePort();
const child = spawn(
  process.execPath,
  [path.join(root, 'packages/cli/dist/bin.js'), 'serve', '--config', path.join(root, 'test/reference/seed-router-config.yaml'), '--grpc-port', String(grpcPort), '--http-port', String(httpPort), '--stream-idle-timeout-ms', String(idleTimeoutMs), '--log-level', 'error'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const rssMiB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024);

const t0 = Date.now();
while ((await fetch(`http://127.0.0.1:${httpPort}/ready`).then((r) => r.status).catch(() => 0)) !== 200) {
  if (Date.now() - t0 > 60_000) throw new Error('server not ready in 60 s');
  await sleep(100);
}

const def = loadExtProcDefinition();
const Client = grpc.makeGenericClientConstructor(def[EXT_PROC_SERVICE], 'ExternalProcessor');
const client = new Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 128 * 1024 * 1024 });
const hv = (key, v) => ({ key, raw_value: Buffer.from(v) });
const headers = { headers: [hv(':method', 'POST'), hv(':path', '/v1/chat/completions'), hv('content-type', 'application/json')] };

async function metric(name) {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

/** Samples RSS every 100 ms while `run` goes and after; returns before / peak / 15 s idle / after light traffic. */
async function measure(name, run) {
  await sleep(2000);
  const before = rssMiB();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 100);
  const detail = await run();
  await sleep(15_000);
  const after15s = rssMiB();
  // Then 15 s of light ordinary traffic (20 requests/s), as a live sidecar keeps serving: allocation
  // is what makes V8 collect the garbage the burst left.
  const tEnd = Date.now() + 15_000;
  while (Date.now() < tEnd) {
    await Promise.all([ordinary(), sleep(50)]);
  }
  clearInterval(sampler);
  return { burst: name, rssMiB: { before, peak, after15sIdle: after15s, afterTraffic: rssMiB() }, ...detail, bufferedBytesAfter: await metric('semroute_buffered_body_bytes'), streamsInFlightAfter: await metric('semroute_extproc_streams_in_flight') };
}

/** One ordinary BUFFERED chat request. */
function ordinary() {
  return new Promise((resolve) => {
    const call = client.Process();
    call.on('error', () => resolve());
    call.on('data', (r) => {
      if (r.request_headers) {
        call.write({ request_body: { body: Buffer.from(JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: 'write a python function' }] })), end_of_stream: true } });
      } else {
        call.end();
        resolve();
      }
    });
    call.write({ request_headers: { headers, end_of_stream: false } });
  });
}

const results = [];
for (let round = 0; round < Number(args['partial-rounds'] ?? 1); round++) results.push(
  await measure('partial: 60 full-duplex streams x 7.9 MiB held open, then cancelled', async () => {
    const calls = [];
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 60; i++) {
      const call = client.Process();
      call.on('error', () => {});
      call.on('data', () => {});
      call.write({ request_headers: { headers, end_of_stream: false }, protocol_config: { request_body_mode: 'FULL_DUPLEX_STREAMED', response_body_mode: 'NONE' } });
      for (let n = 0; n < Math.floor((7.9 * 1024 * 1024) / chunk.length); n++) call.write({ request_body: { body: chunk, end_of_stream: false } });
      calls.push(call);
    }
    await sleep(5000);
    const held = await metric('semroute_buffered_body_bytes');
    const budgetPasses = await metric('semroute_passthrough_total{reason="buffer_budget"}');
    for (const c of calls) c.cancel();
    return { bufferedBytesWhileHeld: held, bufferBudgetPassThroughs: budgetPasses };
  }),
);
results.push(
  await measure('large: 10 concurrent BUFFERED 60 MB bodies', async () => {
    const body = Buffer.alloc(60 * 1024 * 1024, 0x61);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Promise((resolve) => {
          const call = client.Process();
          call.on('error', (e) => resolve(`stream failed: ${e.code} ${grpc.status[e.code]}`));
          call.on('data', (r) => {
            if (r.request_headers) {
              call.write({ request_body: { body, end_of_stream: true } });
            } else {
              call.end();
              resolve('answered');
            }
          });
          call.write({ request_headers: { headers, end_of_stream: false } });
        }),
      ),
    );
    return { outcomes: [...new Set(outcomes)] };
  }),
);
results.push(
  await measure(`idle: 200 streams send headers then nothing (idle deadline ${idleTimeoutMs} ms)`, async () => {
    const ends = [];
    for (let i = 0; i < 200; i++) {
      const call = client.Process();
      call.on('data', () => {});
      ends.push(new Promise((resolve) => call.on('error', (e) => resolve(grpc.status[e.code])).on('end', () => resolve('OK'))));
      call.write({ request_headers: { headers, end_of_stream: false } });
    }
    const statuses = await Promise.all(ends);
    return { closedWith: [...new Set(statuses)], idleClosed: await metric('semroute_extproc_stream_limit_total{reason="idle_timeout"}') };
  }),
);

child.kill('SIGTERM');
client.close();
const result = { loadAverage: loadavg().map((x) => Math.round(x * 10) / 10), results };
console.log(JSON.stringify(result, null, 2));
if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);

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
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}
