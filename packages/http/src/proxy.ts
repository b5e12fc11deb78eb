// The proxy core: route a chat request, answer from the semantic cache or forward it to the chosen
// model's provider, fail over to the decision's next candidate before the first byte, relay the
// answer (SSE chunk by chunk) and feed the outcome back to the learning selectors.
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { parseChatRequest, type CacheTicket, type ChatCompletionRequest, type LoadedConfig, type RouteDecision, type Router, type RouterConfig } from '@semroute/router';
import { completionToSse, sseToCompletion } from '@semroute/extproc/sse';
import { ProxyError, badRequest } from './errors.js';
import { createProxyMetrics, type ProxyMetrics } from './metrics.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import { resolveUpstreams, type Upstream } from './upstreams.js';

/** pino-compatible logger; the proxy never passes headers or keys to it. */
export interface ProxyLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProxyOptions {
  /** The router (or a promise of it: `/ready` answers 503 until it resolves). */
  router: Router | Promise<Router>;
  /** The config the router was built from: its `providers` say where each model is served. */
  config: LoadedConfig | RouterConfig;
  /** Where API keys are read (`api_key_env`, else `<BACKEND_NAME>_API_KEY`); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Request bodies above this answer 413; default 8 MiB. */
  maxBodyBytes?: number;
  /** Upstream calls per request, failovers included; default 3. */
  maxAttempts?: number;
  /** Time allowed for an upstream's response headers before the next candidate is tried; default 30 s. */
  attemptTimeoutMs?: number;
  /** Longest silence between two body chunks of an upstream answer; default 120 s. */
  idleTimeoutMs?: number;
  /** Header carrying the sticky-session key for session_aware selection; default `x-session-id`. */
  sessionHeader?: string;
  /** undici dispatcher for upstream calls; default a keep-alive Agent owned (and closed) by the proxy. */
  dispatcher?: Dispatcher;
  logger?: ProxyLogger;
  /** Process metrics (RSS, GC, event loop) in `/metrics`; default true. */
  processMetrics?: boolean;
  /**
   * When set, chat completions and the model list need `Authorization: Bearer <token>` (401 otherwise);
   * `/health`, `/ready`, `/metrics` stay open. The client's Authorization never reaches an upstream.
   */
  apiToken?: string;
}

/** One failed upstream call, as the 502/504 body names it. */
interface Failure {
  upstream: string;
  model: string;
  kind: 'timeout' | 'connect_error' | 'status';
  detail: string;
}

/** Headers never handed to the router or a log line. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-goog-api-key']);
const RETRY_STATUS = (s: number) => s >= 500 || s === 429;
const MiB = 1024 * 1024;

class AttemptTimeout extends Error {}

/** The framework-independent proxy; `createProxy` wraps it in adapters. */
export class ProxyCore {
  readonly metrics: ProxyMetrics;
  readonly maxBodyBytes: number;
  /** The bearer token API paths require (undefined: open). */
  readonly apiToken: string | undefined;
  private readonly upstreams: Map<string, Upstream[]>;
  private readonly byProviderId = new Map<string, Upstream[]>();
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;
  private readonly sessionHeader: string;
  private readonly log: ProxyLogger | undefined;
  /** Every configured provider API key, longest first: cut out of upstream text before it is logged or returned. */
  private readonly secrets: string[];
  private router: Router | undefined;
  private readonly routerReady: Promise<Router>;

  constructor(options: ProxyOptions) {
    const config = 'configDir' in options.config ? options.config.config : options.config;
    this.log = options.logger;
    this.upstreams = resolveUpstreams(config, options.env ?? process.env, (msg) => this.log?.warn({}, msg));
    for (const list of this.upstreams.values()) {
      for (const u of list) this.byProviderId.set(u.providerModelId, [...(this.byProviderId.get(u.providerModelId) ?? []), u]);
    }
    const keys = new Set([...this.upstreams.values()].flat().flatMap((u) => (u.apiKey ? [u.apiKey] : [])));
    this.secrets = [...keys].sort((a, b) => b.length - a.length);
    this.maxBodyBytes = positive(options.maxBodyBytes, 8 * MiB, 'maxBodyBytes');
    if (options.apiToken !== undefined && options.apiToken.length === 0) throw new RangeError('apiToken must be a non-empty string or left out');
    this.apiToken = options.apiToken;
    this.maxAttempts = positive(options.maxAttempts, 3, 'maxAttempts');
    this.attemptTimeoutMs = positive(options.attemptTimeoutMs, 30_000, 'attemptTimeoutMs');
    const idle = positive(options.idleTimeoutMs, 120_000, 'idleTimeoutMs');
    this.sessionHeader = (options.sessionHeader ?? 'x-session-id').toLowerCase();
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, bodyTimeout: idle, headersTimeout: 0, connections: null });
    this.metrics = createProxyMetrics(options.processMetrics ?? true);
    this.routerReady = Promise.resolve(options.router).then((r) => (this.router = r));
    this.routerReady.catch((err: unknown) => this.log?.error({ err: (err as Error).message }, 'router failed to load'));
  }

  /** True once the router is loaded. */
  get ready(): boolean {
    return this.router !== undefined;
  }

  /** `GET /v1/models`: auto names, cards and provider models in OpenAI's list format. */
  models(): Reply {
    if (!this.router) return errorReply(notReady());
    const data = this.router.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.kind === 'auto' ? 'semroute' : 'provider' }));
    return jsonReply(200, { object: 'list', data });
  }

  /** `GET /metrics`. */
  async metricsReply(): Promise<Reply> {
    const text = await this.metrics.registry.metrics();
    return { status: 200, headers: { 'content-type': this.metrics.registry.contentType }, body: new TextEncoder().encode(text) };
  }

  /** `POST /v1/chat/completions` with an already parsed body; never throws. */
  async chat(body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<Reply> {
    this.metrics.inflight.inc();
    let reply: Reply;
    try {
      reply = await this.chatOrThrow(body, headers, signal);
    } catch (err) {
      if (!(err instanceof ProxyError)) this.log?.error({ err: (err as Error)?.message }, 'unexpected proxy error');
      reply = errorReply(err);
    }
    this.metrics.requests.inc({ status: String(reply.status) });
    if (reply.body instanceof Uint8Array) this.metrics.inflight.dec();
    else reply.body = onFinish(reply.body, () => this.metrics.inflight.dec());
    return reply;
  }

  /** Closes the upstream connection pool it owns (not the router: that belongs to the caller). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async chatOrThrow(body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<Reply> {
    const request = checkBody(body);
    if (!this.router) throw notReady();
    const router = this.router;
    const safe = Object.fromEntries(Object.entries(headers).filter(([k]) => !SECRET_HEADERS.has(k)));
    const requestId = headers['x-request-id'];
    const sessionId = headers[this.sessionHeader];
    const t0 = performance.now();
    let decision: RouteDecision;
    try {
      // `cache: true`: for a decision with a cache plugin the router answers from the cache or hands a ticket.
      decision = await router.route(request, { headers: safe, signal, cache: true, ...(requestId ? { requestId } : {}), ...(sessionId ? { sessionId } : {}) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'INVALID_REQUEST') throw badRequest((err as Error).message, 'messages');
      if (code === 'ABORTED') throw new ProxyError(499, 'invalid_request_error', 'the client closed the request', 'client_closed');
      throw new ProxyError(500, 'server_error', `routing failed: ${code ?? 'error'}: ${(err as Error).message}`, 'routing_failed', null, { cause: err });
    }
    const cached = decision.cache;
    if (cached) this.metrics.cache.inc({ result: cached.result === 'hit' ? 'hit' : 'miss' });
    if (cached?.result === 'hit') {
      this.metrics.routing.observe((performance.now() - t0) / 1000);
      const stream = request.stream === true;
      const h = { ...selectionHeaders(decision, cached.response.model || decision.selectedModel), 'x-semroute-reason': 'cache_hit', 'x-semroute-cache': 'hit' };
      if (!stream) return jsonReply(200, cached.response.body, h);
      return { status: 200, headers: { ...h, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: new TextEncoder().encode(completionToSse(cached.response.body)) };
    }
    const ticket = cached?.result === 'miss' ? cached.ticket : undefined;
    this.metrics.routing.observe((performance.now() - t0) / 1000);
    const candidates = this.candidates(decision, request.model);
    if (candidates.length === 0) {
      if (decision.reasonCode === 'explicit_model') {
        throw new ProxyError(404, 'invalid_request_error', `The model \`${request.model}\` does not exist or has no backend_refs in the semroute config`, 'model_not_found', 'model');
      }
      throw new ProxyError(502, 'upstream_error', `no backend_refs configured for ${decision.selectedModel} or any other candidate of decision ${decision.decision ?? '(none)'}`, 'no_upstream');
    }
    return this.forward(request, decision, candidates, headers, signal, ticket);
  }

  /** Upstreams to try in order: the selected model's, then the decision's other candidates by score. */
  private candidates(decision: RouteDecision, requested: string | undefined): Upstream[] {
    if (decision.reasonCode === 'explicit_model') {
      return this.upstreams.get(decision.selectedModel) ?? (requested ? this.byProviderId.get(requested) : undefined) ?? [];
    }
    const others = Object.entries(decision.scores)
      .filter(([m]) => m !== decision.selectedModel)
      .sort((a, b) => b[1] - a[1])
      .map(([m]) => m);
    return [decision.selectedModel, ...others].flatMap((m) => this.upstreams.get(m) ?? []);
  }

  private async forward(
    request: ChatCompletionRequest,
    decision: RouteDecision,
    candidates: Upstream[],
    clientHeaders: Record<string, string>,
    signal: AbortSignal,
    ticket: CacheTicket | undefined,
  ): Promise<Reply> {
    const failures: Failure[] = [];
    const stream = request.stream === true;
    for (const up of candidates.slice(0, this.maxAttempts)) {
      if (signal.aborted) throw clientClosed();
      const body = JSON.stringify({ ...request, model: up.providerModelId });
      const started = performance.now();
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(new AttemptTimeout()), this.attemptTimeoutMs);
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(up.url, {
          method: 'POST',
          dispatcher: this.dispatcher,
          headers: upstreamHeaders(up, stream, clientHeaders['x-request-id']),
          body,
          signal: AbortSignal.any([signal, timer.signal]),
        });
      } catch (err) {
        if (signal.aborted) throw clientClosed();
        const kind = timer.signal.aborted ? 'timeout' : 'connect_error';
        const detail = kind === 'timeout' ? `no response within ${this.attemptTimeoutMs} ms` : redactSecrets(errorText(err), this.secrets);
        failures.push({ upstream: up.name, model: up.model, kind, detail });
        this.attempted(up, kind, decision, false);
        continue;
      } finally {
        clearTimeout(timeout);
      }
      if (RETRY_STATUS(res.statusCode)) {
        const text = await res.body.text().catch(() => '');
        // Upstream text can echo the request's Authorization (a key): redacted before a log line or the 502 sees it.
        failures.push({ upstream: up.name, model: up.model, kind: 'status', detail: `HTTP ${res.statusCode} ${upstreamMessage(text, this.secrets)}`.trim() });
        this.attempted(up, res.statusCode === 429 ? 'status_429' : 'status_5xx', decision, false);
        continue;
      }
      const headers: Record<string, string> = {
        ...selectionHeaders(decision, up.model),
        'x-semroute-upstream': up.name,
        'x-semroute-attempts': String(failures.length + 1),
        'content-type': headerText(res.headers['content-type']) ?? 'application/json',
      };
      if (stream) headers['cache-control'] = 'no-cache';
      if (res.statusCode >= 400) {
        // The provider refused the request itself (bad parameters, auth): the next model would too.
        this.metrics.attempts.inc({ model: up.model, result: 'status_4xx' });
        this.log?.warn({ requestId: clientHeaders['x-request-id'], upstream: up.name, status: res.statusCode }, 'upstream refused the request');
        // An error body is small and may echo the key (e.g. a 401 quoting the Authorization header): read and redacted.
        const text = await res.body.text().catch(() => '');
        return { status: res.statusCode, headers, body: new TextEncoder().encode(redactSecrets(text, this.secrets)) };
      }
      if (failures.length > 0) this.log?.warn({ requestId: clientHeaders['x-request-id'], failures, servedBy: up.name }, 'failed over');
      return { status: res.statusCode, headers, body: this.relay(res.body, up, decision, started, signal, request.stream === true, ticket) };
    }
    const allTimeouts = failures.every((f) => f.kind === 'timeout');
    const what = failures.map((f) => `${f.model} (${f.upstream}): ${f.detail}`).join('; ');
    this.log?.warn({ requestId: clientHeaders['x-request-id'], failures }, 'every candidate failed');
    throw allTimeouts
      ? new ProxyError(504, 'upstream_error', `every candidate timed out: ${what}`, 'upstream_timeout')
      : new ProxyError(502, 'upstream_error', `every candidate failed: ${what}`, 'upstream_error');
  }

  /** Relays the upstream body chunk by chunk; at its end records the outcome and fills the cache. */
  private async *relay(
    body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown },
    up: Upstream,
    decision: RouteDecision,
    started: number,
    signal: AbortSignal,
    stream: boolean,
    ticket: CacheTicket | undefined,
  ): AsyncGenerator<Uint8Array> {
    let first: number | undefined;
    let chunks = 0;
    const kept: Uint8Array[] | undefined = ticket ? [] : undefined;
    let done = false;
    try {
      for await (const chunk of body) {
        if (first === undefined) {
          first = performance.now();
          this.metrics.ttft.observe({ model: up.model }, (first - started) / 1000);
        }
        chunks++;
        kept?.push(chunk);
        yield chunk;
      }
      done = true;
    } catch (err) {
      if (!signal.aborted) {
        this.log?.warn({ upstream: up.name, err: redactSecrets(errorText(err), this.secrets) }, 'upstream answer broke off');
        this.attempted(up, 'broken', decision, false);
      }
      throw err;
    } finally {
      if (!done) body.destroy();
    }
    const end = performance.now();
    const ttftMs = (first ?? end) - started;
    this.attempted(up, 'ok', decision, true, ttftMs, chunks > 1 && first !== undefined ? (end - first) / (chunks - 1) : undefined);
    if (ticket && kept) void this.store(ticket, kept, up, stream);
  }

  /** Stores a complete upstream answer with the routing's cache ticket. */
  private async store(ticket: CacheTicket, kept: Uint8Array[], up: Upstream, stream: boolean): Promise<void> {
    const text = Buffer.concat(kept).toString('utf8');
    let completion: unknown;
    try {
      completion = stream ? sseToCompletion(text) : JSON.parse(text);
    } catch {
      completion = undefined;
    }
    if (completion === undefined || completion === null) return;
    try {
      await ticket.store({ body: completion, model: up.model, createdAt: Date.now() });
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, 'cache store failed');
    }
  }

  /** Counts an upstream call and, for routed requests, tells the learning selectors how it went. */
  private attempted(up: Upstream, result: string, decision: RouteDecision, success: boolean, ttftMs?: number, tpotMs?: number): void {
    this.metrics.attempts.inc({ model: up.model, result });
    if (!decision.decision || !this.router) return;
    this.router
      .recordOutcome({
        decision: decision.decision,
        model: up.model,
        success,
        ...(ttftMs !== undefined ? { ttftMs } : {}),
        ...(tpotMs !== undefined ? { tpotMs } : {}),
      })
      .catch((err: unknown) => this.log?.warn({ err: (err as Error).message }, 'recordOutcome failed'));
  }
}

/** The shared chat request check (`parseChatRequest`), then what forwarding adds: at least one message, a boolean `stream`. */
function checkBody(body: unknown): ChatCompletionRequest {
  const parsed = parseChatRequest(body);
  if (!parsed.ok) throw badRequest(parsed.issue.message, parsed.issue.param);
  const request = parsed.request;
  if (request.messages.length === 0) throw badRequest('"messages" must not be empty', 'messages');
  if (request.stream !== undefined && typeof request.stream !== 'boolean') throw badRequest('"stream" must be a boolean', 'stream');
  return request;
}

/** Headers that tell the client which model served the request and why. */
export function selectionHeaders(d: RouteDecision, servedBy: string): Record<string, string> {
  return {
    'x-selected-model': servedBy,
    'x-semroute-decision': d.decision ?? '',
    'x-semroute-confidence': d.confidence.toFixed(3),
    'x-semroute-reason': servedBy === d.selectedModel ? d.reasonCode : 'failover',
  };
}

function upstreamHeaders(up: Upstream, stream: boolean, requestId: string | undefined): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    // Bodies are relayed and cached as they arrive: no compression to undo.
    'accept-encoding': 'identity',
    'user-agent': 'semroute-proxy',
    ...(up.apiKey ? { authorization: `Bearer ${up.apiKey}` } : {}),
    ...(requestId ? { 'x-request-id': requestId } : {}),
  };
}

/** Runs `fn` once when an async iterable ends, fails or is abandoned. */
async function* onFinish<T>(source: AsyncIterable<T>, fn: () => void): AsyncGenerator<T> {
  try {
    yield* source;
  } finally {
    fn();
  }
}

/** The `error.message` of an OpenAI-style error body, else the first 200 characters; secrets redacted before the cut. */
function upstreamMessage(text: string, secrets: readonly string[]): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string') return redactSecrets(m, secrets).slice(0, 200);
  } catch {
    // not JSON
  }
  return redactSecrets(text, secrets).slice(0, 200);
}

/**
 * `text` with every configured key (`secrets`) and every `Bearer <token>` replaced by `[REDACTED]`.
 * Upstream error text is not ours: a provider may quote the Authorization header it was sent.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[REDACTED]');
  return out.replace(/\b(Bearer)\s+(?!\[REDACTED\])[^\s"',;]+/gi, '$1 [REDACTED]');
}

function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const notReady = () => new ProxyError(503, 'server_error', 'the router is still loading', 'not_ready');
const clientClosed = () => new ProxyError(499, 'invalid_request_error', 'the client closed the request', 'client_closed');

function positive(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}
