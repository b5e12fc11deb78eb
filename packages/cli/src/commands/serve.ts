// `semroute serve`: the Envoy ExtProc sidecar (gRPC) and HTTP API, with config hot reload on SIGHUP
// and on file change, and graceful shutdown on SIGTERM / SIGINT.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createRouter, loadConfig, loadEmbedder, resolveModelPath, type LoadedConfig, type Router, type TextEmbedder } from '@semroute/router';
import { SemrouteServer, createLogger, DEFAULT_OPTIONS, type Logger } from '@semroute/extproc';
import { trimNativeHeap } from '@semroute/embed';
import { processIo, reportError, type Io } from '../io.js';
import { defaultConfigPath, defaultModelDir } from '../paths.js';
import type { RouterDeps } from '../router-factory.js';

export interface ServeOptions {
  config?: string;
  host: string;
  grpcPort: number;
  httpPort: number;
  messageTimeoutMs: number;
  maxBodyBytes: number;
  maxConcurrentRouting: number;
  maxBufferedBytes?: number;
  maxStreams?: number;
  streamIdleTimeoutMs?: number;
  /** PEM files: the gRPC listener speaks TLS (else `server.tls` in the config, else plaintext). */
  tlsCert?: string;
  tlsKey?: string;
  logPrompts?: boolean;
  logLevel: string;
  /** Reload when the config file changes (default on; --no-watch turns it off). */
  watch: boolean;
}

export interface ServeDeps extends RouterDeps {
  logger?: Logger;
  /** Quiet period after the last file event before reloading. */
  debounceMs?: number;
}

export interface RunningServe {
  server: SemrouteServer;
  configPath: string;
  /** Stops watching and shuts the server down gracefully. */
  stop(): Promise<void>;
}

export function registerServe(program: Command, io: Io = processIo, deps: ServeDeps = {}): void {
  program
    .command('serve')
    .description('run the Envoy ExtProc sidecar (gRPC) and the HTTP API')
    .option('-c, --config <file>', 'router config (YAML); default: the bundled seed config')
    .option('--host <addr>', 'address both listeners bind to (0.0.0.0: every interface, e.g. a sidecar reached from another pod)', DEFAULT_OPTIONS.host)
    .option('--grpc-port <n>', 'ExtProc gRPC port (0 = any free port)', (v) => parsePort(v, '--grpc-port'), DEFAULT_OPTIONS.grpcPort)
    .option('--http-port <n>', 'HTTP API port (0 = any free port)', (v) => parsePort(v, '--http-port'), DEFAULT_OPTIONS.httpPort)
    .option('--message-timeout-ms <n>', 'deadline for each routing answer; slower requests continue untouched', (v) => parsePositive(v, '--message-timeout-ms'), DEFAULT_OPTIONS.messageTimeoutMs)
    .option('--max-body-bytes <n>', 'request bodies above this continue untouched', (v) => parsePositive(v, '--max-body-bytes'), DEFAULT_OPTIONS.maxBodyBytes)
    .option('--max-concurrent-routing <n>', 'requests inside the router at once; others wait within the deadline', (v) => parsePositive(v, '--max-concurrent-routing'), DEFAULT_OPTIONS.maxConcurrentRouting)
    .option('--max-buffered-bytes <n>', 'request body bytes held by all streams together; a body over it continues untouched', (v) => parsePositive(v, '--max-buffered-bytes'), DEFAULT_OPTIONS.maxBufferedBytes)
    .option('--max-streams <n>', 'open ext_proc streams at once; more are refused (the gateway fails open)', (v) => parsePositive(v, '--max-streams'), DEFAULT_OPTIONS.maxStreams)
    .option('--stream-idle-timeout-ms <n>', 'close an ext_proc stream with no message for this long', (v) => parsePositive(v, '--stream-idle-timeout-ms'), DEFAULT_OPTIONS.streamIdleTimeoutMs)
    .option('--tls-cert <file>', 'PEM certificate chain: serve gRPC over TLS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--log-prompts', 'include the prompt text in decision log lines')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--no-watch', 'do not reload when the config file changes (SIGHUP still reloads)')
    .action(async (opts: ServeOptions) => {
      process.exitCode = await runServe(opts, io, deps);
    });
}

/** Runs until SIGTERM / SIGINT; returns the exit code. */
export async function runServe(opts: ServeOptions, io: Io, deps: ServeDeps = {}): Promise<number> {
  let running: RunningServe | undefined;
  try {
    running = await startServe(opts, deps);
    await running.server.loaded;
  } catch (err) {
    await running?.stop().catch(() => {});
    return reportError(err, io, Boolean(process.env.SEMROUTE_DEBUG));
  }
  const server = running.server;
  const onHup = () => void server.reload();
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.off('SIGHUP', onHup);
  await running.stop();
  return 0;
}

/** Starts the server for `opts.config` (or the bundled default) and the config file watcher. */
export async function startServe(opts: ServeOptions, deps: ServeDeps = {}): Promise<RunningServe> {
  const env = deps.env ?? process.env;
  const configPath = path.resolve(opts.config ?? defaultConfigPath);
  const log = deps.logger ?? createLogger(opts.logLevel);
  let lastText: string | undefined;
  // One model for the life of the process while the config's embedding section stays the same:
  // a reload then only re-embeds the cards, and no second copy of the weights is ever resident.
  let shared: { key: string; embedder: TextEmbedder } | undefined;
  const embedderFor = async (loaded: LoadedConfig): Promise<TextEmbedder> => {
    if (deps.embedder) return deps.embedder;
    const e = loaded.config.embedding;
    const key = JSON.stringify([resolveModelPath(e.model_path, loaded.configDir, defaultModelDir(env)), e.layer, e.dim, e.max_batch]);
    if (shared?.key !== key) shared = { key, embedder: await loadEmbedder(loaded, defaultModelDir(env)) };
    return shared.embedder;
  };

  // The listeners' settings come from the config at start: the token and TLS are known before binding.
  const first = await loadConfig(configPath, { env });
  const tls = await readTls(opts, first);
  let server: SemrouteServer | undefined;
  const loadRouter = async (onError: (kind: string, err: unknown) => void): Promise<Router> => {
    const text = await readFile(configPath, 'utf8').catch(() => undefined);
    const loaded = await loadConfig(configPath, { env });
    for (const w of loaded.warnings) log.warn({ path: w.path, message: w.message }, 'config warning');
    const router = await createRouter({ config: loaded, onError, embedder: await embedderFor(loaded) });
    lastText = text;
    // A reload may change the token; TLS and the bind address need a restart.
    server?.setApiToken(apiToken(env, loaded));
    return router;
  };

  server = await SemrouteServer.start(
    { loadRouter, logger: log, trimNativeHeap },
    {
      host: opts.host,
      grpcPort: opts.grpcPort,
      httpPort: opts.httpPort,
      messageTimeoutMs: opts.messageTimeoutMs,
      maxBodyBytes: opts.maxBodyBytes,
      maxConcurrentRouting: opts.maxConcurrentRouting,
      maxBufferedBytes: opts.maxBufferedBytes,
      maxStreams: opts.maxStreams,
      streamIdleTimeoutMs: opts.streamIdleTimeoutMs,
      apiToken: apiToken(env, first),
      tls,
      logPrompts: Boolean(opts.logPrompts),
    },
  );
  const running = server;
  log.info({ config: configPath }, 'config');

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (opts.watch) {
    // Watch the directory: editors and ConfigMap updates replace the file, which ends a file watch.
    const base = path.basename(configPath);
    const onEvent = (_e: string, name: string | Buffer | null) => {
      if (name !== null && name.toString() !== base) return;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const text = await readFile(configPath, 'utf8').catch(() => undefined);
        if (text === undefined || text === lastText) return; // deleted mid-write, or touched without change
        log.info({ config: configPath }, 'config file changed: reloading');
        await running.reload();
      }, deps.debounceMs ?? 300);
    };
    try {
      watcher = watch(path.dirname(configPath), onEvent);
      watcher.on('error', (err) => log.warn({ err: err.message }, 'config watch failed; SIGHUP still reloads'));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot watch the config file; SIGHUP still reloads');
    }
  }

  return {
    server: running,
    configPath,
    stop: async () => {
      clearTimeout(timer);
      watcher?.close();
      await running.close();
    },
  };
}

/** `SEMROUTE_API_TOKEN`, else the config's `server.api_token` (`${ENV}` already expanded), else none. */
export function apiToken(env: Record<string, string | undefined>, loaded: LoadedConfig): string | undefined {
  const fromEnv = env.SEMROUTE_API_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return loaded.config.server?.api_token;
}

/** The gRPC TLS certificate and key: flags first, then the config's `server.tls` (relative to the config file). */
async function readTls(opts: ServeOptions, loaded: LoadedConfig): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new InvalidArgumentError('--tls-cert and --tls-key go together: give both or neither');
  const files = opts.tlsCert && opts.tlsKey
    ? { cert: path.resolve(opts.tlsCert), key: path.resolve(opts.tlsKey), where: '--tls-cert / --tls-key' }
    : loaded.config.server?.tls
      ? { cert: path.resolve(loaded.configDir, loaded.config.server.tls.cert_file), key: path.resolve(loaded.configDir, loaded.config.server.tls.key_file), where: 'server.tls' }
      : undefined;
  if (!files) return undefined;
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new Error(`${files.where}: cannot read the TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return { cert: await read(files.cert, 'certificate'), key: await read(files.key, 'private key') };
}

function parsePort(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${flag} expects a port 0-65535, got "${v}"`);
  return n;
}

function parsePositive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, got "${v}"`);
  return n;
}
