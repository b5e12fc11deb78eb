// Mock OpenAI-compatible upstreams on 127.0.0.1 for the proxy tests. The first path segment picks
// the behaviour: /ok, /fail (500), /slow (headers after `slowMs`), /stream (SSE), /hang (SSE that
// sends one chunk and then waits until the client goes away), /gated (SSE whose second chunk waits
// for `release()`), /echo (500) /echo401 (401) /echotext (503, plain text) quoting the Authorization header.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  path: string;
  model: string;
  authorization?: string;
  body: Record<string, unknown>;
}

export interface MockUpstream {
  url: string;
  seen: Seen[];
  /** Resolves when a /hang request's connection closes. */
  hangClosed: Promise<void>;
  /** Lets a /gated stream finish. */
  release(): void;
  close(): Promise<void>;
}

export const completion = (model: string, content: string) => ({
  id: 'chatcmpl-mock',
  object: 'chat.completion',
  created: 1700000000,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
});

const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

export async function startMockUpstream(slowMs = 5_000): Promise<MockUpstream> {
  const seen: Seen[] = [];
  let hangResolve!: () => void;
  const hangClosed = new Promise<void>((r) => (hangResolve = r));
  let releaseGate!: () => void;
  const gate = new Promise<void>((r) => (releaseGate = r));
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const kind = (req.url ?? '').split('/')[1] ?? '';
    const model = String(body.model);
    seen.push({ path: req.url ?? '', model, body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    switch (kind) {
      case 'ok':
        if (body.stream === true) {
          sse();
          res.write(chunk(model, { role: 'assistant', content: '' }));
          for (const w of ['hello', ' from', ` ${kind}`]) res.write(chunk(model, { content: w }));
          res.end(`${chunk(model, {}, 'stop')}data: [DONE]\n\n`);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(completion(model, `answer from ${model}`)));
        }
        return;
      case 'echo':
      case 'echo401':
        // A careless provider: its error quotes the Authorization header it received.
        res.writeHead(kind === 'echo' ? 500 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bad credentials: ${req.headers.authorization ?? '(none)'} was rejected`, type: 'server_error' } }));
        return;
      case 'echotext':
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(`upstream overloaded; request had authorization=${req.headers.authorization ?? ''}`);
        return;
      case 'fail':
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'mock upstream exploded', type: 'server_error' } }));
        return;
      case 'slow': {
        const t = setTimeout(() => {
          timers.delete(t);
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(completion(model, 'late')));
        }, slowMs);
        timers.add(t);
        return;
      }
      case 'hang':
        sse();
        res.write(chunk(model, { role: 'assistant', content: 'first' }));
        res.on('close', () => hangResolve());
        return;
      case 'gated':
        sse();
        res.write(chunk(model, { role: 'assistant', content: 'before' }));
        await gate;
        res.end(`${chunk(model, { content: ' after' })}${chunk(model, {}, 'stop')}data: [DONE]\n\n`);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    hangClosed,
    release: () => releaseGate(),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
