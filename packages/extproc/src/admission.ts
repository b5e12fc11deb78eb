// Bounded concurrency for routing: at most `limit` requests inside the router at once, the rest wait.
// A waiter whose deadline passes leaves the queue without ever running, so work that can no longer
// be answered in time never piles up behind an overloaded embedder. The deadline is checked against
// the clock when a slot frees up, not only by the abort timer: under load the event loop runs timers
// late, and a slot granted to an expired waiter is work thrown away. While more wait than can run,
// the newest goes first (adaptive LIFO): under FIFO every request of a backlog reaches the router
// just before its deadline and misses it; under LIFO the ones served still have their time. (Also
// shedding waiters with less time left than an average call was measured: it shed too much, since
// the average includes event-loop lag, and routed half as many; not used.)

/** The waiter's deadline had passed when its turn came; it never ran. */
export class DeadlineExceeded extends Error {
  constructor(readonly lateByMs: number) {
    super(`deadline passed ${lateByMs.toFixed(1)} ms before a routing slot was free`);
    this.name = 'DeadlineExceeded';
  }
}

interface Waiter {
  grant: () => void;
  expire: (lateByMs: number) => void;
  deadline: number;
}

export class Admission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Waiters dropped because their deadline passed in the queue (never ran). */
  shed = 0;

  constructor(
    private readonly limit: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Resolves to a release function once a slot is free; rejects with the signal's reason if it
   * aborts first, or with DeadlineExceeded if `deadline` (on the `now` clock) has passed by then.
   */
  acquire(signal: AbortSignal, deadline = Number.POSITIVE_INFINITY): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const late = this.now() - deadline;
    if (late >= 0) {
      this.shed++;
      return Promise.reject(new DeadlineExceeded(late));
    }
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve(this.releaser());
    }

    return new Promise((resolve, reject) => {
      const entry: Waiter = {
        deadline,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.running++;
          resolve(this.releaser());
        },
        expire: (lateByMs) => {
          signal.removeEventListener('abort', onAbort);
          reject(new DeadlineExceeded(lateByMs));
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  get queued(): number {
    return this.waiting.length;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      const t = this.now();
      // Drop every expired waiter, then grant the oldest, or the newest under backlog.
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const w = this.waiting[i]!;
        if (t < w.deadline) continue;
        this.waiting.splice(i, 1);
        this.shed++;
        w.expire(t - w.deadline);
      }
      const backlog = this.waiting.length > this.limit;
      const next = backlog ? this.waiting.pop() : this.waiting.shift();
      next?.grant();
    };
  }
}
