// Fetch API adapter (Request -> Response): Hono, Bun, Deno, Cloudflare-style servers.
import { ProxyError, tooLarge } from './errors.js';
import { bearerMatches, unauthorized } from './auth.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import { methodNotAllowed, parseJson } from './node.js';
import type { ProxyCore } from './proxy.js';

/** `(request) => Response` for the proxy's paths; others answer an OpenAI-style 404. */
export function fetchHandler(core: ProxyCore): (request: Request) => Promise<Response> {
  return async (request) => {
    let reply: Reply;
    try {
      reply = await answer(core, request);
    } catch (err) {
      reply = errorReply(err);
    }
    return toResponse(reply);
  };
}

async function answer(core: ProxyCore, request: Request): Promise<Reply> {
  const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
  const method = request.method;
  if ((path.endsWith('/chat/completions') || path.endsWith('/models')) && !bearerMatches(core.apiToken, request.headers.get('authorization'))) {
    core.metrics.unauthorized.inc();
    return errorReply(unauthorized(path), { 'www-authenticate': 'Bearer realm="semroute"' });
  }
  if (path.endsWith('/chat/completions')) {
    if (method !== 'POST') return methodNotAllowed(method, path);
    const text = await readText(request, core.maxBodyBytes);
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    return core.chat(parseJson(text), headers, request.signal);
  }
  if (method === 'GET' || method === 'HEAD') {
    if (path.endsWith('/models')) return core.models();
    if (path.endsWith('/health')) return jsonReply(200, { status: 'ok' });
    if (path.endsWith('/ready')) return core.ready ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'loading' });
    if (path.endsWith('/metrics')) return core.metricsReply();
  }
  return errorReply(new ProxyError(404, 'invalid_request_error', `no route for ${method} ${path}`, 'not_found'));
}

async function readText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toResponse(reply: Reply): Response {
  if (reply.body instanceof Uint8Array) return new Response(reply.body, { status: reply.status, headers: reply.headers });
  const it = reply.body[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, { status: reply.status, headers: reply.headers });
}
