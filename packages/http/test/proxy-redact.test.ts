// Provider API keys never leave the proxy through upstream error text: a mock upstream that quotes
// the Authorization header it received in its 5xx / 4xx answers, and a logger that keeps every line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '@semroute/router';
import { createProxy, type ProxyLogger } from '../src/index.js';
import { redactSecrets } from '../src/proxy.js';
import { proxyConfig, WordsEmbedder, type Behaviour } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

const KEYS = { TEST_CODER_KEY: 'sk-coder-SECRET-0001', WRITER_BACKEND_API_KEY: 'sk-writer-SECRET-0002', HELPER_BACKEND_API_KEY: 'hk/helper+SECRET=0003' };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

function capturingLogger(): { logger: ProxyLogger; text: () => string } {
  const lines: string[] = [];
  const keep = (obj: object, msg?: string) => void lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  return { logger: { info: keep, warn: keep, error: keep }, text: () => lines.join('\n') };
}

async function call(b: { coder: Behaviour; writer: Behaviour; helper: Behaviour }) {
  const config = proxyConfig(mock.url, b);
  const router = await createRouter({ config, embedder: new WordsEmbedder() });
  const { logger, text } = capturingLogger();
  const proxy = createProxy({ router, config, env: KEYS, processMetrics: false, logger });
  const before = mock.seen.length;
  const res = await proxy.fetch(
    new Request('http://x/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: 'python code' }] }) }),
  );
  const body = await res.text();
  const seen = mock.seen.slice(before);
  await proxy.close();
  await router.close();
  return { status: res.status, body, log: text(), seen };
}

const leaks = (s: string) => Object.values(KEYS).filter((k) => s.includes(k));

describe('upstream error text is redacted', () => {
  it('502 body and warn log hold no provider key when every upstream quotes its Authorization in a 5xx', async () => {
    const { status, body, log, seen } = await call({ coder: 'echo', writer: 'echotext', helper: 'echo' });
    // The upstreams really were sent the keys and really echoed them.
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${KEYS.TEST_CODER_KEY}`, `Bearer ${KEYS.WRITER_BACKEND_API_KEY}`, `Bearer ${KEYS.HELPER_BACKEND_API_KEY}`]);
    expect(status).toBe(502);
    expect(body).toMatch(/coder \(coder-backend\): HTTP 500 bad credentials: Bearer \[REDACTED\] was rejected/);
    expect(body).toMatch(/writer \(writer-backend\): HTTP 503 upstream overloaded; request had authorization=Bearer \[REDACTED\]/);
    expect(leaks(body)).toEqual([]);
    expect(log).toMatch(/every candidate failed/);
    expect(log).toMatch(/\[REDACTED\]/);
    expect(leaks(log)).toEqual([]);
  });

  it('a 4xx body relayed to the client holds no provider key', async () => {
    const { status, body, log } = await call({ coder: 'echo401', writer: 'ok', helper: 'ok' });
    expect(status).toBe(401);
    expect(JSON.parse(body).error.message).toBe('bad credentials: Bearer [REDACTED] was rejected');
    expect(leaks(body)).toEqual([]);
    expect(leaks(log)).toEqual([]);
  });

  it('redactSecrets cuts configured keys anywhere and any Bearer token', () => {
    expect(redactSecrets('key=abc123XYZ; again abc123XYZ', ['abc123XYZ'])).toBe('key=[REDACTED]; again [REDACTED]');
    expect(redactSecrets('"authorization":"bearer some.jwt.token"', [])).toBe('"authorization":"bearer [REDACTED]"');
    expect(redactSecrets('nothing secret here', ['sk-x'])).toBe('nothing secret here');
  });
});
