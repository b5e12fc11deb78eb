// `semroute serve` in process: the real router (fake embedder) behind the sidecar, config reload on
// file change (accepted and rejected) and on SIGHUP, shutdown on SIGTERM.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../packages/extproc/src/index.js';
import { runServe, startServe, type ServeOptions } from '../packages/cli/src/commands/serve.js';
import { EnvoyLikeClient, chatHeaders, setHeadersOf } from '../packages/extproc/test/envoy-client.js';
import { FakeEmbedder } from '../packages/router/test/routing-helpers.js';

const SEED = readFileSync(path.resolve(__dirname, 'reference/seed-router-config.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'semroute-serve-'));
const configPath = path.join(dir, 'router.yaml');

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(c, _e, cb) {
      lines.push(JSON.parse(c.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

const opts = (extra: Partial<ServeOptions> = {}): ServeOptions => ({
  config: configPath,
  host: '127.0.0.1',
  grpcPort: 0,
  httpPort: 0,
  messageTimeoutMs: 2000,
  maxBodyBytes: 1 << 20,
  maxConcurrentRouting: 4,
  logLevel: 'info',
  watch: true,
  ...extra,
});

const body = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'write a python function that parses JSON and fix the bug' }] });

async function until(cond: () => boolean, ms = 5000) {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}

async function selected(client: EnvoyLikeClient, model: string) {
  const [, r] = await client.buffered(chatHeaders(), body(model));
  return setHeadersOf(r!.request_body!.response!.header_mutation)['x-selected-model']?.value;
}

afterAll(() => {
  writeFileSync(configPath, SEED);
});

describe('semroute serve', () => {
  it('routes the seed config; reloads on a valid file change and rejects an invalid one', async () => {
    writeFileSync(configPath, SEED);
    const log = capture();
    const running = await startServe(opts(), { embedder: new FakeEmbedder(), logger: log.logger, debounceMs: 50 });
    const client = new EnvoyLikeClient(`127.0.0.1:${running.server.grpcPort}`);
    try {
      await running.server.loaded;
      expect(['qwen-coder', 'gpt-4o', 'gemini-flash']).toContain(await selected(client, 'MoM'));
      expect(await selected(client, 'smart')).toBeUndefined(); // not an auto name yet: passed through

      writeFileSync(configPath, SEED.replace('routing:\n', 'routing:\n  auto_model_names: [MoM, smart]\n'));
      await until(() => log.lines.some((l) => l.msg === 'config reloaded'));
      expect(['qwen-coder', 'gpt-4o', 'gemini-flash']).toContain(await selected(client, 'smart'));

      writeFileSync(configPath, SEED.replace('type: multi_factor\n', 'type: no_such_selector\n'));
      await until(() => log.lines.some((l) => l.msg === 'config reload rejected; the previous config keeps serving'));
      const rejected = log.lines.find((l) => l.msg === 'config reload rejected; the previous config keeps serving')!;
      expect(JSON.stringify(rejected.err)).toContain('routing.decisions[0].algorithm');
      expect(['qwen-coder', 'gpt-4o', 'gemini-flash']).toContain(await selected(client, 'smart')); // old config still serving
      const ready = await fetch(`http://127.0.0.1:${running.server.httpPort}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      client.close();
      await running.stop();
    }
  });

  it('reloads on SIGHUP and shuts down gracefully on SIGTERM', async () => {
    writeFileSync(configPath, SEED);
    const log = capture();
    const io = { out: () => {}, err: (t: string) => log.lines.push({ stderr: t }) };
    const done = runServe(opts({ watch: false }), io, { embedder: new FakeEmbedder(), logger: log.logger });
    await until(() => log.lines.some((l) => l.msg === 'router loaded: ready'));
    process.emit('SIGHUP');
    await until(() => log.lines.some((l) => l.msg === 'config reloaded'));
    process.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(log.lines.some((l) => l.msg === 'shut down')).toBe(true);
  });

  it('exits 1 with the config errors when the first config is invalid', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'routing:\n  decisions: 7\n');
    const errs: string[] = [];
    const code = await runServe(opts({ config: bad, watch: false }), { out: () => {}, err: (t) => errs.push(t) }, { embedder: new FakeEmbedder(), logger: capture().logger });
    expect(code).toBe(1);
    expect(errs.join('\n')).toMatch(/invalid config[\s\S]*routing\.decisions/);
  });
});
