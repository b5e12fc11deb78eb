// node:http adapter (also Express and Connect middleware): read the body within the limit, answer
// the proxy's routes, relay streamed answers with backpressure, abort upstream on client disconnect.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { badRequest, tooLarge, ProxyError } from './errors.js';
import { bearerMatches, unauthorized } from './auth.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import type { ProxyCore } from './proxy.js';

/** `(req, res, next?)`: answers the proxy's paths; other paths go to `next` (Express) or get a 404. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export function nodeHandler(core: ProxyCore): NodeHandler {
  return (req, res, next) => {
    const abort = new AbortController();
    // 'close' before the response finished means the client went away: stop the upstream call.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    answer(core, req, abort.signal, next === undefined)
      .then((reply) => (reply ? send(res, reply) : next?.()))
      .catch((err: unknown) => {
        if (!res.headersSent) return send(res, errorReply(err));
        res.destroy();
      })
      .catch(() => res.destroy());
  };
}

/** The reply for a request, or undefined when the path is not the proxy's and `next` should see it. */
async function answer(core: ProxyCore, req: IncomingMessage, signal: AbortSignal, own404: boolean): Promise<Reply | undefined> {
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (API_PATHS.has(path) && !bearerMatches(core.apiToken, req.headers.authorization)) {
    core.metrics.unauthorized.inc();
    return errorReply(unauthorized(path), { 'www-authenticate': 'Bearer realm="semroute"' });
  }
  if (path === '/v1/chat/completions' || path === '/chat/completions') {
    if (method !== 'POST') return methodNotAllowed(method, path);
    const body = await requestBody(req, core.maxBodyBytes);
    return core.chat(body, lowerHeaders(req.headers), signal);
  }
  if (method === 'GET' || method === 'HEAD') {
    if (path === '/v1/models' || path === '/models') return core.models();
    if (path === '/health') return jsonReply(200, { status: 'ok' });
    if (path === '/ready') return core.ready ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'loading' });
    if (path === '/metrics') return core.metricsReply();
  }
  return own404 ? errorReply(new ProxyError(404, 'invalid_request_error', `no route for ${method} ${path}`, 'not_found')) : undefined;
}

/** Paths that need the API token when one is set (the probes stay open). */
const API_PATHS = new Set(['/v1/chat/completions', '/chat/completions', '/v1/models', '/models']);

/** The parsed JSON body; a framework's already parsed body (express.json()) is used as is. */
async function requestBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const pre = (req as { body?: unknown }).body;
  if (pre !== undefined && !Buffer.isBuffer(pre) && typeof pre !== 'string') return pre;
  let bytes: Buffer;
  if (pre !== undefined) bytes = Buffer.isBuffer(pre) ? pre : Buffer.from(pre);
  else {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
    bytes = Buffer.concat(chunks);
  }
  if (bytes.length > limit) throw tooLarge(limit);
  return parseJson(bytes.toString('utf8'));
}

/** JSON.parse with a 400 that says where the body is malformed. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw badRequest('the request body is empty; expected a JSON chat completion request');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function methodNotAllowed(method: string, path: string): Reply {
  return errorReply(new ProxyError(405, 'invalid_request_error', `${method} is not allowed on ${path}; use POST`, 'method_not_allowed'), { allow: 'POST' });
}

function lowerHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  if (reply.status === 413) reply.headers.connection = 'close'; // the rest of the body is not read
  res.writeHead(reply.status, reply.headers);
  if (reply.body instanceof Uint8Array) {
    res.end(reply.body);
    return;
  }
  res.flushHeaders();
  try {
    await pipeline(reply.body, res);
  } catch {
    // The client left or the upstream broke off mid-answer: the response is cut, nothing to answer.
    res.destroy();
  }
}
