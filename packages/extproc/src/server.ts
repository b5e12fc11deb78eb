// The sidecar process: gRPC ext_proc + HTTP API around one live router, with reload and shutdown.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import type { Router } from '@semroute/router';
import { createGrpcSidecar, bindGrpc, type GrpcSidecar } from './grpc-server.js';
import { createHttpApi } from './http-api.js';
import { createMetrics, type Metrics } from './metrics.js';
import { RouterHolder } from './router-holder.js';
import { OutcomeStatsWatcher } from './outcome-stats.js';
import { RoutingService } from './routing.js';
import { GRPC_MESSAGE_HEADROOM_BYTES, resolveOptions, type ServerOptions } from './options.js';
import { ByteBudget } from './byte-budget.js';
import { HeapTrimmer } from './heap-trim.js';
import { EXT_PROC_SERVICE } from './proto.js';

export interface SemrouteServerDeps {
  /** Builds a router from the current config; called at start and on every reload. */
  loadRouter(onError: (kind: string, err: unknown) => void): Promise<Router>;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * Returns free native heap memory to the OS (`trimNativeHeap` of `@semroute/embed`); run after a
   * burst of buffered bodies is over. Absent: memory freed after a burst may stay resident.
   */
  trimNativeHeap?: () => boolean;
}

export type ReloadResult = { ok: true } | { ok: false; error: unknown };

export class SemrouteServer {
  readonly options: ServerOptions;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Settles when the first router is loaded (rejects with the load error). */
  readonly loaded: Promise<void>;
  private readonly holder: RouterHolder;
  private grpc!: GrpcSidecar;
  private http!: http.Server;
  private ports = { grpc: 0, http: 0 };
  private reloading: Promise<ReloadResult> | undefined;
  private reloadAgain = false;
  private closing: Promise<void> | undefined;
  private readonly auth: { token: string | undefined };
  private readonly outcomeStats: OutcomeStatsWatcher;
  private outcomeTimer: NodeJS.Timeout | undefined;
  private trimmer: HeapTrimmer | undefined;

  private constructor(private readonly deps: SemrouteServerDeps, options: Partial<ServerOptions>) {
    this.options = resolveOptions(options);
    this.auth = { token: this.options.apiToken };
    this.metrics = deps.metrics ?? createMetrics();
    this.log = deps.logger ?? createLogger();
    this.holder = new RouterHolder(
      this.options.drainTimeoutMs,
      (err) => this.countError('router_close', err),
      (router) => this.countLostOutcomes(router),
    );
    this.outcomeStats = new OutcomeStatsWatcher(this.metrics, this.log);
    this.metrics.beforeCollect.run = () => this.syncOutcomeStats();
    let resolveLoaded!: () => void;
    let rejectLoaded!: (e: unknown) => void;
    this.loaded = new Promise((res, rej) => {
      resolveLoaded = res;
      rejectLoaded = rej;
    });
    this.loaded.catch(() => {});
    this.firstLoad = { resolve: resolveLoaded, reject: rejectLoaded };
  }

  private readonly firstLoad: { resolve: () => void; reject: (e: unknown) => void };

  /** Binds both listeners, then loads the router in the background (`loaded` says when; `/ready` too). */
  static async start(deps: SemrouteServerDeps, options: Partial<ServerOptions> = {}): Promise<SemrouteServer> {
    const s = new SemrouteServer(deps, options);
    await s.listen();
    void s.loadFirst();
    return s;
  }

  get grpcPort(): number {
    return this.ports.grpc;
  }

  get httpPort(): number {
    return this.ports.http;
  }

  get ready(): boolean {
    return this.holder.ready;
  }

  /** Replaces the bearer token the HTTP API's /v1 endpoints require (undefined: open), e.g. after a config reload. */
  setApiToken(token: string | undefined): void {
    if (token !== undefined && token.length === 0) throw new RangeError('apiToken: expected a non-empty token or none');
    this.auth.token = token;
  }

  private async listen(): Promise<void> {
    const o = this.options;
    const routing = new RoutingService(this.holder, this.metrics, this.log, o);
    const budget = new ByteBudget(o.maxBufferedBytes, (used) => {
      this.metrics.bufferedBytes.set(used);
      this.trimmer?.observe(used);
    });
    const trim = this.deps.trimNativeHeap;
    if (trim) {
      this.trimmer = new HeapTrimmer(budget, trim, o.heapTrimEveryMs, (released) => this.metrics.heapTrims.inc({ released: String(released) }));
    }
    const exchangeDeps = { routing, holder: this.holder, metrics: this.metrics, log: this.log, options: o, budget };
    this.grpc = createGrpcSidecar(exchangeDeps, {
      maxMessageBytes: o.maxBodyBytes + GRPC_MESSAGE_HEADROOM_BYTES,
      maxStreams: o.maxStreams,
      idleTimeoutMs: o.streamIdleTimeoutMs,
    });
    this.http = createHttpApi({ holder: this.holder, routing, budget, auth: this.auth, metrics: this.metrics, log: this.log, maxBodyBytes: o.maxBodyBytes, sessionHeader: o.sessionHeader });
    this.ports.grpc = await bindGrpc(this.grpc.server, o.host, o.grpcPort, o.tls);
    try {
      await new Promise<void>((resolve, reject) => {
        this.http.once('error', reject);
        this.http.listen(o.httpPort, o.host, () => {
          this.http.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      this.grpc.server.forceShutdown();
      throw err;
    }
    this.ports.http = (this.http.address() as AddressInfo).port;
    // A replay runs in the router whenever Redis comes back: look at its figures every second.
    this.outcomeTimer = setInterval(() => this.syncOutcomeStats(), OUTCOME_STATS_EVERY_MS);
    this.outcomeTimer.unref();
    this.log.info({ grpcPort: this.ports.grpc, httpPort: this.ports.http, host: o.host, grpcTls: Boolean(o.tls), apiToken: Boolean(this.auth.token) }, 'semroute sidecar listening');
  }

  private async loadFirst(): Promise<void> {
    const t0 = performance.now();
    try {
      const router = await this.deps.loadRouter((kind, err) => this.countError(kind, err));
      if (this.closing) {
        await router.close();
        return;
      }
      this.holder.swap(router);
      this.setServing(true);
      this.log.info({ loadMs: Math.round(performance.now() - t0) }, 'router loaded: ready');
      this.firstLoad.resolve();
    } catch (err) {
      this.metrics.reloads.inc({ result: 'failed' });
      this.log.error({ err: describe(err) }, 'router failed to load');
      this.firstLoad.reject(err);
    }
  }

  /**
   * Builds a router from the current config and swaps it in. On failure (e.g. a config that fails
   * validation) the error is logged and the old router keeps serving. Concurrent calls coalesce.
   */
  reload(): Promise<ReloadResult> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<ReloadResult> => {
      let result: ReloadResult;
      do {
        this.reloadAgain = false;
        result = await this.reloadOnce();
      } while (this.reloadAgain && !this.closing);
      return result;
    };
    this.reloading = run().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    if (this.closing) return { ok: false, error: new Error('server is shutting down') };
    const t0 = performance.now();
    try {
      const router = await this.deps.loadRouter((kind, err) => this.countError(kind, err));
      if (this.closing) {
        await router.close();
        return { ok: false, error: new Error('server is shutting down') };
      }
      this.holder.swap(router);
      this.setServing(true);
      this.metrics.reloads.inc({ result: 'ok' });
      this.log.info({ loadMs: Math.round(performance.now() - t0) }, 'config reloaded');
      return { ok: true };
    } catch (err) {
      this.metrics.reloads.inc({ result: 'rejected' });
      this.log.error({ err: describe(err) }, 'config reload rejected; the previous config keeps serving');
      return { ok: false, error: err };
    }
  }

  /** Graceful shutdown: stop accepting, let open streams and requests finish (bounded), close the router. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const t = this.options.shutdownTimeoutMs;
    this.setServing(false);
    this.log.info('shutting down: draining open streams');
    await this.reloading?.catch(() => {});
    const grpcDone = new Promise<void>((resolve) => this.grpc.server.tryShutdown(() => resolve()));
    const httpDone = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    await Promise.race([Promise.all([grpcDone, this.grpc.drain(t), httpDone]), sleep(t)]);
    this.grpc.server.forceShutdown();
    this.http.closeAllConnections();
    this.holder.swap(undefined);
    await this.holder.settled();
    clearInterval(this.outcomeTimer);
    this.trimmer?.stop();
    this.log.info('shut down');
  }

  private setServing(on: boolean): void {
    const s = on ? 'SERVING' : 'NOT_SERVING';
    this.grpc.health.setStatus('', s);
    this.grpc.health.setStatus(EXT_PROC_SERVICE, s);
  }

  /**
   * A closed router's outcome queue: on a reload it was handed to the new router; what is left (on
   * shutdown, or what the new config rejects or has no room for) was acknowledged and never persisted.
   */
  private countLostOutcomes(router: Router): void {
    const lost = this.outcomeStats.sync(router, false).queued;
    if (lost <= 0) return;
    this.metrics.outcomesLost.inc(lost);
    this.log.error({ lost }, `${lost} acknowledged outcomes lost: queued while the learning state was unavailable and not persisted before the router closed`);
  }

  private syncOutcomeStats(): void {
    const router = this.holder.router;
    if (!router) return;
    try {
      this.outcomeStats.sync(router, true);
    } catch (err) {
      this.countError('outcome_stats', err);
    }
  }

  private countError(kind: string, err: unknown): void {
    this.metrics.errors.inc({ kind });
    this.log.warn({ kind, err: describe(err) }, 'non-fatal router error');
  }
}

/** An error as a log field: message, code and config issues when present. */
function describe(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; issues?: unknown };
  return { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.issues ? { issues: e.issues } : {}) };
}

/** How often the live router's outcome figures are read (metrics, the replay-finished log line). */
const OUTCOME_STATS_EVERY_MS = 1000;

const sleep = (ms: number) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    t.unref();
  });
