// @semroute/http public API: an OpenAI-compatible semantic routing proxy as a request handler for
// node:http, Express, Fastify and Hono (any Fetch API server).
import { ProxyCore, type ProxyOptions } from './proxy.js';
import { nodeHandler, type NodeHandler } from './node.js';
import { fetchHandler } from './web.js';
import { fastifyPlugin } from './fastify.js';
import type { ProxyMetrics } from './metrics.js';

export type { ProxyOptions, ProxyLogger } from './proxy.js';
export type { NodeHandler } from './node.js';
export type { Reply } from './reply.js';
export type { Upstream } from './upstreams.js';
export { ProxyError, type OpenAiErrorBody } from './errors.js';
export { resolveUpstreams, chatCompletionsUrl, defaultKeyEnv } from './upstreams.js';
export { selectionHeaders } from './proxy.js';

/** One proxy, three ways to mount it; all share the router, the connection pool and the metrics. */
export interface SemrouteProxy {
  /** node:http request listener, or Express / Connect middleware (other paths go to `next`). */
  readonly node: NodeHandler;
  /** Fetch API handler: `(Request) => Promise<Response>` (Hono, Bun, Deno). */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Fastify plugin: `app.register(proxy.fastify)`. */
  readonly fastify: (instance: unknown) => Promise<void>;
  readonly metrics: ProxyMetrics;
  /** True once the router is loaded. */
  readonly ready: boolean;
  /** Closes the upstream connection pool (the router belongs to the caller). */
  close(): Promise<void>;
}

/** Creates the proxy: `POST /v1/chat/completions`, `GET /v1/models`, `/health`, `/ready`, `/metrics`. */
export function createProxy(options: ProxyOptions): SemrouteProxy {
  const core = new ProxyCore(options);
  const node = nodeHandler(core);
  return {
    node,
    fetch: fetchHandler(core),
    fastify: fastifyPlugin(node),
    metrics: core.metrics,
    get ready() {
      return core.ready;
    },
    close: () => core.close(),
  };
}
