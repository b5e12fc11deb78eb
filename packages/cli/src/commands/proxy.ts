// `semroute proxy`: the OpenAI-compatible routing gateway. Routes auto model names, forwards to the
// chosen model's provider with failover, relays streams; graceful shutdown on SIGTERM / SIGINT.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createRouter, loadConfig, type Router } from '@semroute/router';
import { createLogger, type Logger } from '@semroute/extproc';
import { createProxy, type SemrouteProxy } from '@semroute/http';
import { processIo, reportError, type Io } from '../io.js';
import { defaultConfigPath, defaultModelDir } from '../paths.js';
import type { RouterDeps } from '../router-factory.js';
import { apiToken } from './serve.js';

export interface ProxyCommandOptions {
  config?: string;
  modelDir?: string;
  host: string;
  port: number;
  maxBodyBytes: number;
  maxAttempts: number;
  attemptTimeoutMs: number;
  idleTimeoutMs: number;
  logLevel: string;
}

export interface RunningProxy {
  url: string;
  proxy: SemrouteProxy;
  /** Resolves once the router is loaded (rejects when it cannot be). */
  loaded: Promise<Router>;
  stop(): Promise<void>;
}

export function registerProxy(program: Command, io: Io = processIo, deps: RouterDeps & { logger?: Logger } = {}): void {
  program
    .command('proxy')
    .description('run an OpenAI-compatible routing gateway: POST /v1/chat/completions, GET /v1/models, /health, /ready, /metrics')
    .option('-c, --config <file>', 'router config (YAML); providers.models[].backend_refs say where each model is served')
    .option('--model-dir <dir>', 'embedding model directory when the config has no embedding.model_path (default $SEMROUTE_MODEL_DIR, ./models/all-MiniLM-L6-v2)')
    .option('--host <addr>', 'address to bind (0.0.0.0: every interface; set SEMROUTE_API_TOKEN or server.api_token then)', '127.0.0.1')
    .option('-p, --port <n>', 'port (0 = any free port)', (v) => integer(v, '--port', 0, 65535), 4000)
    .option('--max-body-bytes <n>', 'larger request bodies answer 413', (v) => integer(v, '--max-body-bytes', 1), 8 * 1024 * 1024)
    .option('--max-attempts <n>', 'upstream calls per request, failovers included', (v) => integer(v, '--max-attempts', 1, 20), 3)
    .option('--attempt-timeout-ms <n>', 'wait this long for an upstream to answer before trying the next candidate', (v) => integer(v, '--attempt-timeout-ms', 1), 30_000)
    .option('--idle-timeout-ms <n>', 'longest silence between two chunks of an upstream answer', (v) => integer(v, '--idle-timeout-ms', 1), 120_000)
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (opts: ProxyCommandOptions) => {
      process.exitCode = await runProxy(opts, io, deps);
    });
}

/** Runs until SIGTERM / SIGINT; returns the exit code. */
export async function runProxy(opts: ProxyCommandOptions, io: Io, deps: RouterDeps & { logger?: Logger } = {}): Promise<number> {
  let running: RunningProxy | undefined;
  try {
    running = await startProxy(opts, deps);
    await running.loaded;
  } catch (err) {
    await running?.stop().catch(() => {});
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  }
  io.err(`semroute proxy listening on ${running.url} (OpenAI base URL ${running.url}/v1)`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await running.stop();
  return 0;
}

/** Loads the config, starts listening at once (`/ready` says 503 until the model is loaded). */
export async function startProxy(opts: ProxyCommandOptions, deps: RouterDeps & { logger?: Logger } = {}): Promise<RunningProxy> {
  const env = deps.env ?? process.env;
  const log = deps.logger ?? createLogger(opts.logLevel);
  const loadedConfig = await loadConfig(path.resolve(opts.config ?? defaultConfigPath), { env });
  for (const w of loadedConfig.warnings) log.warn({ path: w.path, message: w.message }, 'config warning');
  const modelDir = opts.modelDir ? path.resolve(opts.modelDir) : defaultModelDir(env);
  const token = apiToken(env, loadedConfig);
  const loaded = createRouter({
    config: loadedConfig,
    ...(deps.embedder ? { embedder: deps.embedder } : {}),
    ...(modelDir ? { defaultModelDir: modelDir } : {}),
    onError: (kind, err) => log.warn({ kind, err: (err as Error)?.message }, 'router error'),
  });
  loaded.catch(() => {}); // reported by the caller
  const proxy = createProxy({
    router: loaded,
    config: loadedConfig,
    env,
    maxBodyBytes: opts.maxBodyBytes,
    maxAttempts: opts.maxAttempts,
    attemptTimeoutMs: opts.attemptTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    logger: log,
    ...(token ? { apiToken: token } : {}),
  });
  const server = http.createServer(proxy.node);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log.info({ url, config: loadedConfig.source, apiToken: Boolean(token) }, 'proxy listening');
  return {
    url,
    proxy,
    loaded,
    stop: async () => {
      // Stop accepting, let in-flight answers finish for up to 10 s, then cut them.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(timer);
      await proxy.close();
      await (await loaded.catch(() => undefined))?.close();
    },
  };
}

function integer(v: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}
