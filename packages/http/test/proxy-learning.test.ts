// The proxy's outcomes teach a learning selector: with `elo`, a model whose upstream keeps failing
// loses its preference to the candidate that served the failovers, through the proxy alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Outcome } from '@semroute/router';
import { createProxy } from '../src/index.js';
import { proxyConfig, WordsEmbedder } from './fixtures.js';
import { startMockUpstream, type MockUpstream } from './upstream-mock.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

describe('proxy outcomes feed the learning selectors', () => {
  it('elo: the failing upstream loses the decision to the model that served its failovers', async () => {
    const config = proxyConfig(mock.url, { coder: 'fail', writer: 'ok', helper: 'ok' });
    const decision = config.routing.decisions[0]!;
    Object.assign(decision, {
      modelRefs: [{ model: 'coder' }, { model: 'writer' }],
      algorithm: { type: 'elo', elo: { k_factor: 64, rating_weight: 1, fit_weight: 0.2 } },
    });
    const router = await createRouter({ config, embedder: new WordsEmbedder() });
    const outcomes: Outcome[] = [];
    const record = router.recordOutcome.bind(router);
    router.recordOutcome = async (o) => {
      await record(o);
      outcomes.push(o);
    };
    const proxy = createProxy({ router, config, env: {}, processMetrics: false });
    const ask = async () => {
      const res = await proxy.fetch(
        new Request('http://x/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: 'python code function' }] }) }),
      );
      await res.text(); // the success outcome is recorded when the relayed body ends
      return { status: res.status, model: res.headers.get('x-selected-model'), reason: res.headers.get('x-semroute-reason'), attempts: res.headers.get('x-semroute-attempts') };
    };
    try {
      // Before any traffic the prompt's fit picks coder, whose upstream fails: writer serves it.
      const routed = await router.route({ model: 'MoM', messages: [{ role: 'user', content: 'python code function' }] });
      expect(routed.selectedModel).toBe('coder');
      const first = await ask();
      expect(first).toMatchObject({ status: 200, model: 'writer', reason: 'failover', attempts: '2' });
      let learnt: Awaited<ReturnType<typeof ask>> | undefined;
      for (let i = 0; i < 12; i++) {
        const n = outcomes.length;
        const r = await ask();
        expect(r.status).toBe(200);
        for (let w = 0; w < 100 && outcomes.length < n + Number(r.attempts); w++) await new Promise((res) => setTimeout(res, 10));
        if (r.attempts === '1') {
          learnt = r;
          break;
        }
      }
      // Now writer is the decision's first choice: no failover, no call to coder's upstream.
      expect(learnt).toMatchObject({ model: 'writer', attempts: '1' });
      expect(learnt!.reason).not.toBe('failover');
      expect((await router.route({ model: 'MoM', messages: [{ role: 'user', content: 'python code function' }] })).selectedModel).toBe('writer');
      expect(outcomes.filter((o) => o.model === 'coder').every((o) => !o.success)).toBe(true);
    } finally {
      await proxy.close();
      await router.close();
    }
  });
});
