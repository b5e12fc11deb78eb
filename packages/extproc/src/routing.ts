// One routing answer for a complete request body: parse, route with a deadline (the router answers
// from the decision's semantic cache or hands a ticket to store the answer), and say what to tell
// the gateway. Never throws: every failure is a pass-through.
import type { Logger } from 'pino';
import { lastUserText, MAX_SESSION_ID_LENGTH, parseChatBody, type CacheTicket, type CachedResponse, type ChatCompletionRequest, type ChatRequestProblem, type RouteDecision, type Router } from '@semroute/router';
import { replaceTopLevelString } from './model-rewrite.js';
import { completionToSse } from './sse.js';
import type { Metrics } from './metrics.js';
import type { Lease, RouterHolder } from './router-holder.js';
import type { SidecarOptions } from './options.js';
import { inSpan } from './tracing.js';
import { Admission, DeadlineExceeded } from './admission.js';

/** Why a request went through untouched; each is a label of the passthrough metric. */
export type PassReason =
  | ChatRequestProblem
  | 'body_too_large'
  | 'buffer_budget'
  | 'rewrite_failed'
  | 'explicit_model'
  | 'streamed_mode'
  | 'not_ready'
  | 'timeout'
  | 'route_error'
  | 'not_chat';

/** What the request needs, from the gateway's headers. */
export interface RequestInfo {
  requestId?: string;
  /** Lower-cased headers, secrets removed. */
  headers: Record<string, string>;
}

export type RoutingOutcome =
  | { kind: 'pass'; reason: PassReason; detail: string }
  | {
      kind: 'route';
      decision: RouteDecision;
      /** The rewritten body (model = provider model id). */
      body: Buffer;
      /** Headers to set on the upstream request. */
      headers: Record<string, string>;
      /** Present when the decision caches responses: stores the upstream's answer. */
      ticket?: CacheTicket;
    }
  | { kind: 'hit'; decision: RouteDecision; status: number; body: Buffer; headers: Record<string, string> };

/** Headers never handed to the router or a log line. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-goog-api-key']);

/** Lower-cased headers without credentials. */
export function safeHeaders(all: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !SECRET_HEADERS.has(k)));
}

/** Headers that tell the client (and the gateway's routes) what was chosen. */
export function selectionHeaders(d: RouteDecision): Record<string, string> {
  return {
    'x-selected-model': d.selectedModel,
    'x-semroute-decision': d.decision ?? '',
    'x-semroute-confidence': d.confidence.toFixed(3),
  };
}

class Timeout extends Error {}

/** `/v1/route` could not be answered within the deadline (queued too long, or routing too slow). */
export class RoutingOverloaded extends Error {
  readonly code = 'OVERLOADED';
  constructor(message: string) {
    super(message);
    this.name = 'RoutingOverloaded';
  }
}

/**
 * Time kept back from the deadline for writing the answer after a cache lookup: a fifth of the
 * message timeout (10 ms of the default 50), at least 2 ms. A skipped lookup ends on a timer, and
 * on a loaded machine a timer fires late by a few milliseconds: with a 2 ms margin the answer then
 * missed the deadline and the request passed through unrouted.
 */
const cacheAnswerMarginMs = (messageTimeoutMs: number): number => Math.max(2, messageTimeoutMs / 5);

export class RoutingService {
  private readonly admission: Admission;

  constructor(
    private readonly holder: RouterHolder,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly options: SidecarOptions,
  ) {
    this.admission = new Admission(options.maxConcurrentRouting);
  }

  /** Decides what to do with a complete request body, within the message deadline. */
  async answer(body: Buffer, info: RequestInfo): Promise<RoutingOutcome> {
    const start = performance.now();
    const parsed = parseChatBody(body);
    if (!parsed.ok) return this.pass(info, parsed.issue.reason, parsed.issue.message, start);
    const request = parsed.request;
    const lease = this.holder.acquire();
    if (!lease) return this.pass(info, 'not_ready', 'the router is still loading', start);
    if (!lease.router.isAutoModel(request.model)) {
      lease.release();
      return this.pass(info, 'explicit_model', `model ${JSON.stringify(request.model ?? null)} is not an auto name`, start, request.model);
    }
    try {
      const outcome = await this.admitted(start, lease, (signal, deadlineAt) => this.decide(lease.router, request, parsed.text, info, signal, deadlineAt));
      this.logOutcome(outcome, request, info, start);
      if (outcome.kind === 'pass') return this.pass(info, outcome.reason, outcome.detail, start, request.model);
      return outcome;
    } catch (err) {
      if (err instanceof Timeout) {
        return this.pass(info, 'timeout', `no answer within ${this.options.messageTimeoutMs} ms (${this.admission.queued} waiting)`, start, request.model);
      }
      if (err instanceof DeadlineExceeded) {
        return this.pass(info, 'timeout', `shed: ${err.message} (${this.admission.queued} waiting)`, start, request.model);
      }
      const code = (err as { code?: string }).code ?? 'unknown';
      this.metrics.errors.inc({ kind: `route_${code.toLowerCase()}` });
      return this.pass(info, 'route_error', `${code}: ${(err as Error).message}`, start, request.model);
    }
  }

  /**
   * `/v1/route`: the same admission queue and deadline as an ext_proc body, so HTTP callers cannot
   * crowd out the gateway's requests. Throws RoutingOverloaded when the deadline passes first.
   */
  async routeRequest(request: ChatCompletionRequest, info: RequestInfo): Promise<RouteDecision> {
    const start = performance.now();
    const lease = this.holder.acquire();
    if (!lease) throw Object.assign(new Error('the router is still loading'), { code: 'NOT_READY' });
    const sessionId = this.sessionOf(info);
    try {
      return await this.admitted(start, lease, (signal) =>
        lease.router.route(request, {
          ...(info.requestId ? { requestId: info.requestId } : {}),
          ...(sessionId ? { sessionId } : {}),
          headers: info.headers,
          signal,
        }),
      );
    } catch (err) {
      if (err instanceof Timeout || err instanceof DeadlineExceeded) {
        this.metrics.errors.inc({ kind: 'http_route_overloaded' });
        const why = err instanceof DeadlineExceeded ? err.message : `no answer within ${this.options.messageTimeoutMs} ms`;
        throw new RoutingOverloaded(`routing is overloaded: ${why} (${this.admission.queued} waiting)`);
      }
      throw err;
    }
  }

  /**
   * The session header's value, or undefined when it is absent or longer than an outcome's session id
   * may be (`MAX_SESSION_ID_LENGTH`): such a request routes without a session, with a log line.
   */
  private sessionOf(info: RequestInfo): string | undefined {
    const id = info.headers[this.options.sessionHeader];
    if (!id) return undefined;
    if (id.length <= MAX_SESSION_ID_LENGTH) return id;
    this.metrics.errors.inc({ kind: 'session_id_too_long' });
    this.log.warn(
      { requestId: info.requestId, header: this.options.sessionHeader, length: id.length },
      `session id ignored: ${id.length} characters, over the ${MAX_SESSION_ID_LENGTH} an outcome may carry`,
    );
    return undefined;
  }

  /**
   * Runs `fn` inside an admission slot, racing the message deadline; the lease is released when `fn`
   * settles (even after the deadline answered). Rejects with Timeout or DeadlineExceeded.
   */
  private async admitted<T>(start: number, lease: Lease, fn: (signal: AbortSignal, deadlineAt: number) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    // The timer may fire late on a busy event loop; the admission queue also checks the clock.
    const deadlineAt = start + this.options.messageTimeoutMs;
    const timer = setTimeout(() => abort.abort(new Timeout()), Math.max(0, deadlineAt - performance.now()));
    const deadline = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }));
    deadline.catch(() => {});
    const work = (async () => {
      const release = await this.admission.acquire(abort.signal, deadlineAt);
      this.metrics.inflightRouting.inc();
      try {
        return await fn(abort.signal, deadlineAt);
      } finally {
        this.metrics.inflightRouting.dec();
        release();
      }
    })().finally(() => lease.release());
    work.catch(() => {}); // a failure after the deadline has already been answered
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async decide(
    router: Router,
    request: ChatCompletionRequest,
    text: string,
    info: RequestInfo,
    signal: AbortSignal,
    deadlineAt: number,
  ): Promise<RoutingOutcome> {
    const sessionId = this.sessionOf(info);
    return inSpan('semroute.extproc.route', { 'semroute.request_id': info.requestId ?? '', 'semroute.original_model': request.model ?? '' }, async (span) => {
      const decision = await router.route(request, {
        ...(info.requestId ? { requestId: info.requestId } : {}),
        ...(sessionId ? { sessionId } : {}),
        headers: info.headers,
        signal,
        // The router looks the decision's cache up within what is left of the message deadline, never
        // more: a slow cache backend costs the cache, not the routing.
        cache: true,
        cacheDeadline: deadlineAt - cacheAnswerMarginMs(this.options.messageTimeoutMs),
      });
      span.setAttributes({
        'semroute.selected_model': decision.selectedModel,
        'semroute.decision': decision.decision ?? '',
        'semroute.confidence': decision.confidence,
      });
      const cached = decision.cache;
      if (cached) {
        this.metrics.cache.inc({ result: cached.result });
        span.setAttribute('semroute.cache', cached.result);
        if (cached.result === 'hit') return cacheHit(decision, cached.response, request.stream === true);
      }
      const ticket = cached?.result === 'miss' ? cached.ticket : undefined;
      const rewritten = replaceTopLevelString(text, 'model', decision.providerModelId);
      if (rewritten === undefined) {
        // Never route half-rewritten: without a body that says the chosen model everywhere, the request goes through as sent.
        return { kind: 'pass', reason: 'rewrite_failed', detail: 'the body\'s top-level "model" could not be rewritten in every occurrence' };
      }
      return {
        kind: 'route',
        decision,
        body: Buffer.from(rewritten, 'utf8'),
        headers: selectionHeaders(decision),
        ...(ticket ? { ticket } : {}),
      };
    });
  }

  private pass(info: RequestInfo, reason: PassReason, detail: string, start: number, model?: string): RoutingOutcome {
    const ms = performance.now() - start;
    this.metrics.passthrough.inc({ reason });
    this.metrics.routingLatency.observe({ outcome: 'pass' }, ms / 1000);
    const line = { requestId: info.requestId, originalModel: model, outcome: 'pass', reason, detail, routingLatencyMs: round(ms) };
    if (reason === 'timeout' || reason === 'route_error') this.log.warn(line, 'request continued without routing');
    else this.log.info(line, 'request continued without routing');
    return { kind: 'pass', reason, detail };
  }

  private logOutcome(o: RoutingOutcome, request: ChatCompletionRequest, info: RequestInfo, start: number): void {
    if (o.kind === 'pass') return;
    const ms = performance.now() - start;
    const d = o.decision;
    this.metrics.routingLatency.observe({ outcome: o.kind }, ms / 1000);
    this.metrics.decisions.inc({ decision: d.decision ?? '(none)', reason: o.kind === 'hit' ? 'cache_hit' : d.reasonCode });
    this.metrics.selectedModels.inc({ model: d.selectedModel });
    this.log.info(
      {
        requestId: info.requestId,
        originalModel: request.model,
        selectedModel: d.selectedModel,
        providerModelId: d.providerModelId,
        decision: d.decision,
        algorithm: d.algorithm,
        confidence: round(d.confidence),
        reasonCode: o.kind === 'hit' ? 'cache_hit' : d.reasonCode,
        routingLatencyMs: round(ms),
        outcome: o.kind,
        ...(this.options.logPrompts ? { prompt: lastUserText(request) } : {}),
      },
      'routed',
    );
  }
}

/** The cached completion as the client asked for it: JSON, or an SSE stream for `stream: true`. */
function cacheHit(decision: RouteDecision, cached: CachedResponse, stream: boolean): RoutingOutcome {
  const headers: Record<string, string> = {
    ...selectionHeaders({ ...decision, selectedModel: cached.model || decision.selectedModel }),
    'x-semroute-cache': 'hit',
    'content-type': stream ? 'text/event-stream' : 'application/json',
  };
  if (stream) headers['cache-control'] = 'no-cache';
  const body = Buffer.from(stream ? completionToSse(cached.body) : JSON.stringify(cached.body), 'utf8');
  return { kind: 'hit', decision, status: 200, body, headers };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
