// One ext_proc stream = one HTTP request/response through the gateway. Messages are handled in
// order; each handler returns the ProcessingResponses to send (possibly none, possibly several in
// full-duplex mode, where the headers answer waits for the whole body).
import type { Logger } from 'pino';
import type { CachedResponse } from '@semroute/router';
import type { BodySendMode, CommonResponse, HttpBody, HttpHeaders, ProcessingRequest, ProcessingResponse } from './proto.js';
import { continueResponse, headerRecord, immediate, requestHeadersAnswer, setHeaders, steeringHeaders, streamedChunks } from './messages.js';
import { safeHeaders, type RoutingOutcome, type RoutingService } from './routing.js';
import { sseToCompletion } from './sse.js';
import type { Metrics } from './metrics.js';
import type { RouterHolder } from './router-holder.js';
import type { SidecarOptions } from './options.js';
import { Reservation, type ByteBudget } from './byte-budget.js';

export interface ExchangeDeps {
  routing: RoutingService;
  holder: RouterHolder;
  metrics: Metrics;
  log: Logger;
  options: SidecarOptions;
  /** Request body bytes all streams may hold at once. */
  budget: ByteBudget;
}

type RequestBodyState = 'idle' | 'buffering' | 'forwarding' | 'done';

export class Exchange {
  private requestMode: BodySendMode | undefined;
  private responseMode: BodySendMode | undefined;
  private info = { requestId: undefined as string | undefined, headers: {} as Record<string, string> };
  private method = '';
  private path = '';
  /** Full-duplex: the request headers answer is held back until the body is routed. */
  private headersPending = false;
  private bodyState: RequestBodyState = 'idle';
  private chunks: Buffer[] = [];
  private size = 0;
  private routed: Extract<RoutingOutcome, { kind: 'route' }> | undefined;
  private capture: { chunks: Buffer[]; size: number; sse: boolean; overflow: boolean } | undefined;
  private streamedNoticeLogged = false;
  /** Client-sent headers that could steer the route; every request headers answer removes them. */
  private steering: string[] = [];
  /** This stream's share of the server's body byte budget. */
  private readonly held: Reservation;

  constructor(private readonly deps: ExchangeDeps) {
    this.held = new Reservation(deps.budget);
  }

  /**
   * Full-duplex: the request headers answer, if it is still held (the body never completed), with the
   * client's steering headers removed; called before the stream is closed (idle deadline) so that no
   * forged `x-selected-model` reaches the gateway's route match. Empty when nothing is held.
   */
  releaseHeldHeaders(): ProcessingResponse[] {
    if (!this.headersPending) return [];
    this.headersPending = false;
    this.bodyState = 'done';
    return [{ request_headers: { response: requestHeadersAnswer(this.steering) } }];
  }

  /** The stream ended: drop whatever it still holds. Safe to call more than once. */
  dispose(): void {
    this.chunks = [];
    this.capture = undefined;
    this.held.release();
  }

  /** Handles one message from the gateway; resolves to the responses to write, in order. */
  async handle(msg: ProcessingRequest): Promise<ProcessingResponse[]> {
    if (msg.protocol_config) {
      this.requestMode = msg.protocol_config.request_body_mode ?? this.requestMode;
      this.responseMode = msg.protocol_config.response_body_mode ?? this.responseMode;
    }
    const out = await this.dispatch(msg);
    // Observability mode: the gateway ignores answers, so none are sent.
    return msg.observability_mode ? [] : out;
  }

  private async dispatch(msg: ProcessingRequest): Promise<ProcessingResponse[]> {
    if (msg.request_headers) return this.onRequestHeaders(msg.request_headers);
    if (msg.request_body) return this.onRequestBody(msg.request_body);
    if (msg.request_trailers) return this.onRequestTrailers();
    if (msg.response_headers) return this.onResponseHeaders(msg.response_headers);
    if (msg.response_body) return this.onResponseBody(msg.response_body);
    if (msg.response_trailers) return [{ response_trailers: {} }];
    this.deps.log.warn({ requestId: this.info.requestId }, 'ext_proc message with no known field ignored');
    return [];
  }

  // ---------------------------------------------------------------- request

  private onRequestHeaders(h: HttpHeaders): ProcessingResponse[] {
    const all = headerRecord(h.headers?.headers);
    this.method = all[':method'] ?? '';
    this.path = (all[':path'] ?? '').split('?')[0] ?? '';
    this.steering = steeringHeaders(h.headers?.headers);
    this.info = { requestId: all['x-request-id'], headers: safeHeaders(all) };
    if (this.method === 'GET' && /\/v1\/models\/?$/.test(this.path)) {
      const models = this.modelsResponse();
      if (models) return [{ immediate_response: models }];
    }
    if (!h.end_of_stream && this.requestMode === 'FULL_DUPLEX_STREAMED') {
      this.headersPending = true;
      this.bodyState = 'buffering';
      return [];
    }
    this.bodyState = h.end_of_stream ? 'done' : 'buffering';
    return [{ request_headers: { response: requestHeadersAnswer(this.steering) } }];
  }

  private async onRequestBody(b: HttpBody): Promise<ProcessingResponse[]> {
    const chunk = Buffer.from(b.body ?? new Uint8Array());
    const eos = b.end_of_stream === true;
    const fullDuplex = this.requestMode === 'FULL_DUPLEX_STREAMED' || this.headersPending;
    if (!fullDuplex) return this.onPerChunkBody(chunk, eos);

    if (this.bodyState === 'forwarding' || this.bodyState === 'done') {
      return streamedChunks(chunk, eos).map((m) => ({ request_body: { response: { body_mutation: m } } }));
    }
    this.size += chunk.length;
    if (this.size > this.deps.options.maxBodyBytes) {
      this.chunks.push(chunk);
      return this.startForwarding(eos, 'body_too_large', `body over the ${this.deps.options.maxBodyBytes} byte limit`);
    }
    if (!this.held.grow(chunk.length)) {
      this.chunks.push(chunk);
      return this.startForwarding(eos, 'buffer_budget', `the server already holds ${this.deps.budget.inUse} of its ${this.deps.budget.limit} body bytes`);
    }
    this.chunks.push(chunk);
    if (!eos) return [];
    return this.finishFullDuplex(true);
  }

  /** BUFFERED (one chunk, end_of_stream) and STREAMED / BUFFERED_PARTIAL (one answer per chunk). */
  private async onPerChunkBody(chunk: Buffer, eos: boolean): Promise<ProcessingResponse[]> {
    if (!eos || this.bodyState === 'forwarding') {
      // Headers are already answered: the route cannot change any more, so every chunk continues.
      if (this.bodyState !== 'forwarding') {
        this.bodyState = 'forwarding';
        const partial = this.requestMode === 'BUFFERED_PARTIAL';
        this.note(partial ? 'body_too_large' : 'streamed_mode', partial ? 'the gateway sent a partial body' : 'body streamed chunk by chunk: routing needs buffered or full-duplex mode');
      }
      return [{ request_body: { response: continueResponse() } }];
    }
    this.bodyState = 'done';
    if (chunk.length > this.deps.options.maxBodyBytes) {
      this.note('body_too_large', `body of ${chunk.length} bytes is over the ${this.deps.options.maxBodyBytes} byte limit`);
      return [{ request_body: { response: continueResponse() } }];
    }
    if (!this.held.grow(chunk.length)) {
      this.note('buffer_budget', `the server already holds ${this.deps.budget.inUse} of its ${this.deps.budget.limit} body bytes`);
      return [{ request_body: { response: continueResponse() } }];
    }
    let outcome: RoutingOutcome;
    try {
      outcome = await this.deps.routing.answer(chunk, this.info);
    } finally {
      this.held.release();
    }
    if (outcome.kind === 'hit') return [{ immediate_response: immediate(outcome.status, outcome.body, outcome.headers, 'semroute_cache_hit') }];
    if (outcome.kind === 'pass') return [{ request_body: { response: continueResponse() } }];
    this.routed = outcome;
    const response: CommonResponse = {
      status: 'CONTINUE',
      // Header mutations in a body answer apply in BUFFERED mode; content-length must match the new body.
      header_mutation: setHeaders({ ...outcome.headers, 'content-length': String(outcome.body.length) }),
      body_mutation: { body: outcome.body },
      clear_route_cache: true,
    };
    return [{ request_body: { response } }];
  }

  /** Full-duplex: the body is complete (or trailers came): route, then answer headers and body in order. */
  private async finishFullDuplex(endOfStream: boolean): Promise<ProcessingResponse[]> {
    this.bodyState = 'done';
    const body = Buffer.concat(this.chunks);
    this.chunks = [];
    let outcome: RoutingOutcome;
    try {
      outcome = await this.deps.routing.answer(body, this.info);
    } finally {
      this.held.release();
    }
    if (outcome.kind === 'hit') return [{ immediate_response: immediate(outcome.status, outcome.body, outcome.headers, 'semroute_cache_hit') }];
    const out: ProcessingResponse[] = [];
    const newBody = outcome.kind === 'route' ? outcome.body : body;
    if (this.headersPending) {
      this.headersPending = false;
      const set = outcome.kind === 'route' ? { ...outcome.headers, 'content-length': String(newBody.length) } : undefined;
      out.push({ request_headers: { response: requestHeadersAnswer(this.steering, set) } });
    }
    if (outcome.kind === 'route') this.routed = outcome;
    for (const m of streamedChunks(newBody, endOfStream)) out.push({ request_body: { response: { body_mutation: m } } });
    return out;
  }

  /** Full-duplex body that will not be routed: release the headers and everything held, then echo chunks as they come. */
  private startForwarding(eos: boolean, reason: 'body_too_large' | 'buffer_budget', detail: string): ProcessingResponse[] {
    this.note(reason, detail);
    this.bodyState = eos ? 'done' : 'forwarding';
    const out: ProcessingResponse[] = [];
    if (this.headersPending) {
      this.headersPending = false;
      out.push({ request_headers: { response: requestHeadersAnswer(this.steering) } });
    }
    const held = Buffer.concat(this.chunks);
    this.chunks = [];
    this.held.release();
    for (const m of streamedChunks(held, eos)) out.push({ request_body: { response: { body_mutation: m } } });
    return out;
  }

  private async onRequestTrailers(): Promise<ProcessingResponse[]> {
    if (this.bodyState === 'buffering' && (this.requestMode === 'FULL_DUPLEX_STREAMED' || this.headersPending)) {
      // Trailers end the body in full-duplex mode: route what we have, then answer the trailers.
      return [...(await this.finishFullDuplex(false)), { request_trailers: {} }];
    }
    return [{ request_trailers: {} }];
  }

  // ---------------------------------------------------------------- response

  private onResponseHeaders(h: HttpHeaders): ProcessingResponse[] {
    if (!this.routed) return [{ response_headers: { response: continueResponse() } }];
    const response: CommonResponse = { status: 'CONTINUE', header_mutation: setHeaders(this.routed.headers) };
    const out: ProcessingResponse = { response_headers: { response } };
    const all = headerRecord(h.headers?.headers);
    const type = all['content-type'] ?? '';
    const cacheable = this.routed.ticket && all[':status'] === '200' && !h.end_of_stream && /json|event-stream/.test(type);
    if (cacheable) {
      const sse = type.includes('event-stream');
      this.capture = { chunks: [], size: 0, sse, overflow: false };
      // Ask for the body only when this answer will be cached; streamed answers keep streaming to the client.
      if (this.responseMode !== 'FULL_DUPLEX_STREAMED') out.mode_override = { response_body_mode: sse ? 'STREAMED' : 'BUFFERED' };
    }
    return [out];
  }

  private onResponseBody(b: HttpBody): ProcessingResponse[] {
    const chunk = Buffer.from(b.body ?? new Uint8Array());
    const eos = b.end_of_stream === true;
    const c = this.capture;
    if (c && !c.overflow) {
      c.size += chunk.length;
      // Not cached when over the body limit or the server's byte budget: the answer still goes through.
      if (c.size > this.deps.options.maxBodyBytes || !this.held.grow(chunk.length)) {
        c.overflow = true;
        c.chunks = [];
        this.held.release();
      } else c.chunks.push(chunk);
      if (eos && !c.overflow) {
        this.storeResponse(Buffer.concat(c.chunks), c.sse);
        c.chunks = [];
        this.held.release();
      }
    }
    if (this.responseMode === 'FULL_DUPLEX_STREAMED') {
      return streamedChunks(chunk, eos).map((m) => ({ response_body: { response: { body_mutation: m } } }));
    }
    return [{ response_body: { response: continueResponse() } }];
  }

  /** Stores the upstream answer with the routing's cache ticket, in the background (never delays the client). */
  private storeResponse(body: Buffer, sse: boolean): void {
    const routed = this.routed;
    if (!routed?.ticket) return;
    let completion: unknown;
    try {
      completion = sse ? sseToCompletion(body.toString('utf8')) : JSON.parse(body.toString('utf8'));
    } catch {
      completion = undefined;
    }
    if (!completion) {
      this.deps.log.info({ requestId: this.info.requestId }, 'upstream answer not cached: not a readable completion');
      return;
    }
    const response: CachedResponse = { body: completion, model: routed.decision.selectedModel, createdAt: Date.now() };
    routed.ticket
      .store(response)
      .then(() => this.deps.metrics.cache.inc({ result: 'store' }))
      .catch((err: unknown) => {
        this.deps.metrics.errors.inc({ kind: 'cache_store' });
        this.deps.log.warn({ requestId: this.info.requestId, err: (err as Error).message }, 'cache store failed');
      });
  }

  // ---------------------------------------------------------------- helpers

  private modelsResponse() {
    const lease = this.deps.holder.acquire();
    if (!lease) return undefined; // not loaded yet: let the upstream answer
    try {
      const body = Buffer.from(JSON.stringify(modelList(lease.router.listModels())), 'utf8');
      return immediate(200, body, { 'content-type': 'application/json' }, 'semroute_models');
    } finally {
      lease.release();
    }
  }

  private note(reason: 'body_too_large' | 'buffer_budget' | 'streamed_mode', detail: string): void {
    if (reason === 'streamed_mode' && this.streamedNoticeLogged) return;
    this.streamedNoticeLogged = true;
    this.deps.metrics.passthrough.inc({ reason });
    this.deps.log.info({ requestId: this.info.requestId, outcome: 'pass', reason, detail }, 'request continued without routing');
  }
}

/** OpenAI's model list shape, with semroute's kind / description / provider id alongside. */
export function modelList(models: ReturnType<import('@semroute/router').Router['listModels']>) {
  return {
    object: 'list',
    data: models.map((m) => ({
      id: m.id,
      object: 'model',
      owned_by: 'semroute',
      kind: m.kind,
      ...(m.description ? { description: m.description } : {}),
      ...(m.providerModelId ? { provider_model_id: m.providerModelId } : {}),
    })),
  };
}
