// The HTTP side (node:http): health, readiness, Prometheus metrics, and the router as a JSON API.
// With a token set, every /v1 endpoint needs `Authorization: Bearer <token>`; the probes stay open.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Logger } from 'pino';
import { OutcomeValidationError, StateUnavailableError, type ChatCompletionRequest, type RouteDecision, type Router } from '@semroute/router';
import { modelList } from './exchange.js';
import type { Metrics } from './metrics.js';
import type { RouterHolder } from './router-holder.js';
import { RoutingOverloaded, safeHeaders, type RoutingService } from './routing.js';
import { headerRecordFromNode } from './http-headers.js';
import { Reservation, type ByteBudget } from './byte-budget.js';

export interface HttpApiDeps {
  holder: RouterHolder;
  /** `/v1/route` goes through the same admission queue and deadline as ext_proc bodies. */
  routing: RoutingService;
  /** Request body bytes held by the whole server. */
  budget: ByteBudget;
  /** The bearer token /v1 endpoints require; undefined: open. Read per request (a reload may change it). */
  auth: { readonly token: string | undefined };
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  sessionHeader: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More fields for the error body (e.g. which outcome and field were bad). */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Creates the HTTP server (not listening yet). */
export function createHttpApi(deps: HttpApiDeps): http.Server {
  return http.createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', (err as Error).message);
      if (e.status >= 500) {
        deps.metrics.errors.inc({ kind: 'http_api' });
        deps.log.error({ err: e.message, path: req.url }, 'HTTP API request failed');
      }
      if (!res.headersSent) send(res, e.status, { error: { code: e.code, message: e.message, ...e.detail } });
      else res.destroy();
    });
  });
}

async function handle(deps: HttpApiDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  // The token is checked before the path is looked up: without it, nothing under /v1 (not even which
  // endpoints exist) is answered.
  if ((path === '/v1' || path?.startsWith('/v1/')) && !authorized(deps.auth.token, req.headers.authorization)) {
    deps.metrics.unauthorized.inc();
    res.setHeader('www-authenticate', 'Bearer realm="semroute"');
    throw new HttpError(401, 'unauthorized', `${path} needs an "Authorization: Bearer <token>" header with the server's API token`);
  }
  const route = ROUTES[path ?? ''];
  if (!route) throw new HttpError(404, 'not_found', `no endpoint ${path} (known: ${Object.keys(ROUTES).join(', ')})`);
  if (route.method !== method) {
    res.setHeader('allow', route.method);
    throw new HttpError(405, 'method_not_allowed', `${path} expects ${route.method}, got ${method}`);
  }
  await route.run(deps, req, res);
}

/** True when no token is set, or the header carries it (compared in constant time, over hashes so lengths do not leak). */
export function authorized(token: string | undefined, header: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256').update(m?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && m !== null;
}

type Handler = (deps: HttpApiDeps, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

const ROUTES: Record<string, { method: string; run: Handler }> = {
  '/health': { method: 'GET', run: async (_d, _q, res) => send(res, 200, { status: 'ok' }) },
  '/ready': {
    method: 'GET',
    run: async (d, _q, res) => (d.holder.ready ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: 'loading' })),
  },
  '/metrics': {
    method: 'GET',
    run: async (d, _q, res) => {
      const text = await d.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': d.metrics.registry.contentType });
      res.end(text);
    },
  },
  '/v1/models': {
    method: 'GET',
    run: (d, _q, res) => withRouter(d, async (r) => send(res, 200, modelList(r.listModels()))),
  },
  '/v1/route': {
    method: 'POST',
    run: async (d, req, res) => {
      const body = await readJson(req, d.maxBodyBytes, d.budget);
      const headers = safeHeaders(headerRecordFromNode(req.headers));
      if (!d.holder.ready) throw new HttpError(503, 'not_ready', 'the router is still loading');
      let decision: RouteDecision;
      try {
        decision = await d.routing.routeRequest(body as ChatCompletionRequest, { ...(headers['x-request-id'] ? { requestId: headers['x-request-id'] } : {}), headers });
      } catch (err) {
        if (err instanceof RoutingOverloaded) {
          res.setHeader('retry-after', '1');
          throw new HttpError(503, 'overloaded', err.message);
        }
        throw routerError(d, err);
      }
      send(res, 200, decision);
    },
  },
  '/v1/outcomes': {
    method: 'POST',
    run: async (d, req, res) => {
      const body = await readJson(req, d.maxBodyBytes, d.budget);
      // One outcome or a batch; the router validates the whole batch before applying any of it.
      const list: unknown[] = Array.isArray(body) ? body : [body];
      await withRouter(d, async (r) => send(res, 200, await r.recordOutcomes(list)));
    },
  },
};

/** Runs `fn` with a leased router; maps router errors to HTTP statuses. */
async function withRouter(d: HttpApiDeps, fn: (r: Router) => Promise<void>): Promise<void> {
  const lease = d.holder.acquire();
  if (!lease) throw new HttpError(503, 'not_ready', 'the router is still loading');
  try {
    await fn(lease.router);
  } catch (err) {
    throw routerError(d, err);
  } finally {
    lease.release();
  }
}

/** A router error as the HTTP error to answer (anything without a code is rethrown as is). */
function routerError(d: HttpApiDeps, err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof OutcomeValidationError) return new HttpError(400, 'invalid_outcome', err.message, { index: err.index, field: err.field });
  if (err instanceof StateUnavailableError) {
    return new HttpError(503, 'state_unavailable', err.message, { persisted: false, accepted: err.accepted });
  }
  const code = (err as { code?: string }).code;
  if (code === 'INVALID_REQUEST' || code === 'UNKNOWN_DECISION') return new HttpError(400, code.toLowerCase(), (err as Error).message);
  if (code === 'NOT_READY') return new HttpError(503, 'not_ready', (err as Error).message);
  if (code) {
    d.metrics.errors.inc({ kind: `route_${code.toLowerCase()}` });
    return new HttpError(500, code.toLowerCase(), (err as Error).message);
  }
  return err;
}

/** Reads and parses a JSON body within the per-request limit and (when given) the server's byte budget. */
async function readJson(req: http.IncomingMessage, limit: number, budget?: ByteBudget): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'body_too_large', `body of ${declared} bytes is over the ${limit} byte limit`);
  const held = budget ? new Reservation(budget) : undefined;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) throw new HttpError(413, 'body_too_large', `body over the ${limit} byte limit`);
      if (held && !held.grow((c as Buffer).length)) {
        throw new HttpError(503, 'overloaded', `the server already holds ${budget!.inUse} of its ${budget!.limit} request body bytes; retry later`);
      }
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') throw new HttpError(400, 'empty_body', 'expected a JSON body');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `body is not JSON: ${(err as Error).message}`);
    }
  } finally {
    held?.release();
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
