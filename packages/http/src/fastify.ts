// Fastify plugin: the proxy's routes inside the plugin's scope, reading the raw body itself so that
// the body limit and malformed JSON answer OpenAI-style errors.
import type { NodeHandler } from './node.js';

/** The subset of a Fastify instance the plugin uses (no dependency on fastify's types). */
interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, fn: (req: unknown, payload: unknown, done: (err: Error | null, body?: unknown) => void) => void): void;
  route(opts: { method: string | string[]; url: string; handler: (request: { raw: unknown }, reply: { raw: unknown; hijack(): void }) => void }): unknown;
}

/** `fastify.register(proxy.fastify)`; accepts Fastify's `prefix` option like any plugin. */
export function fastifyPlugin(node: NodeHandler): (instance: unknown) => Promise<void> {
  return async (instance) => {
    const f = instance as FastifyLike;
    // Leave the body stream unread: the proxy applies its own limit and JSON errors.
    f.removeAllContentTypeParsers();
    f.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const handler = (request: { raw: unknown }, reply: { raw: unknown; hijack(): void }) => {
      reply.hijack();
      node(request.raw as Parameters<NodeHandler>[0], reply.raw as Parameters<NodeHandler>[1]);
    };
    f.route({ method: 'POST', url: '/v1/chat/completions', handler });
    for (const url of ['/v1/models', '/health', '/ready', '/metrics']) f.route({ method: 'GET', url, handler });
  };
}
