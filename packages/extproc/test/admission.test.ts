// Overload: routing slower than arrivals sheds the excess as pass-throughs within the deadline,
// and work that timed out while waiting never reaches the router.
import { describe, expect, it } from 'vitest';
import { Admission, DeadlineExceeded } from '../src/admission.js';
import { FakeRouter } from './fake-router.js';
import { chatHeaders } from './envoy-client.js';
import { chatBody, startHarness } from './helpers.js';

describe('Admission', () => {
  it('runs at most `limit` at once, FIFO, and drops waiters whose signal aborts', async () => {
    const a = new Admission(1);
    const order: number[] = [];
    const r1 = await a.acquire(new AbortController().signal);
    const gone = new AbortController();
    const p2 = a.acquire(gone.signal);
    const p3 = a.acquire(new AbortController().signal).then((rel) => {
      order.push(3);
      return rel;
    });
    expect(a.queued).toBe(2);
    gone.abort(new Error('late'));
    await expect(p2).rejects.toThrow('late');
    expect(a.queued).toBe(1);
    r1();
    (await p3)();
    expect(order).toEqual([3]);
    expect(a.queued).toBe(0);
  });

  it('sheds waiters whose deadline passed before a slot freed, even when no timer has fired yet', async () => {
    let t = 0;
    const a = new Admission(1, () => t);
    const signal = new AbortController().signal;
    const r1 = await a.acquire(signal, 50);
    const stale = a.acquire(signal, 40);
    const fresh = a.acquire(signal, 100);
    t = 45; // the first waiter's deadline passed while r1 ran; its abort timer has not run
    r1();
    await expect(stale).rejects.toBeInstanceOf(DeadlineExceeded);
    const r3 = await fresh;
    expect(a.shed).toBe(1);
    r3();
    // Arriving already late: rejected at once, no slot taken.
    await expect(a.acquire(signal, 10)).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(a.shed).toBe(2);
    expect(a.queued).toBe(0);
  });
});

describe('Admission under backlog', () => {
  it('grants the newest waiter while more wait than can run (adaptive LIFO), the oldest otherwise', async () => {
    const a = new Admission(1, () => 0);
    const signal = new AbortController().signal;
    const order: string[] = [];
    let release = await a.acquire(signal, 1000);
    const waiters = ['w1', 'w2', 'w3'].map((name) =>
      a.acquire(signal, 1000).then((rel) => {
        order.push(name);
        return rel;
      }),
    );
    // 3 waiting for 1 slot: backlog, the newest (w3) goes first.
    release();
    release = await waiters[2]!;
    // 2 waiting: still a backlog, newest again (w2).
    release();
    release = await waiters[1]!;
    // 1 waiting: no backlog, FIFO.
    release();
    (await waiters[0]!)();
    expect(order).toEqual(['w3', 'w2', 'w1']);
  });
});

describe('sidecar under overload', () => {
  it('answers every request within the deadline and never queues stale work', async () => {
    const router = new FakeRouter();
    router.delayMs = 40;
    const h = await startHarness([router], { messageTimeoutMs: 60, maxConcurrentRouting: 1 });
    try {
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: 12 }, () => h.client.buffered(chatHeaders(), chatBody('python code please'))));
      const elapsed = performance.now() - t0;
      const routed = results.filter((r) => r[1]!.request_body!.response!.header_mutation).length;
      expect(routed).toBeGreaterThanOrEqual(1);
      expect(routed).toBeLessThan(12);
      expect(elapsed).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 100));
      // Only requests admitted before their deadline ever reached the router.
      expect(router.routed.length).toBeLessThanOrEqual(routed + 1);
    } finally {
      await h.stop();
    }
  });
});
