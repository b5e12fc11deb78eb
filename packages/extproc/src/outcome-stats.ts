// The live router's outcome queue on /metrics (queued, capacity, and replayed / unconfirmed /
// rejected / failed counted across reloads), and a log line when a replay has emptied the queue.
import type { Logger } from 'pino';
import type { OutcomeStats, Router } from '@semroute/router';
import type { Metrics } from './metrics.js';

const COUNTED = ['replayed', 'unconfirmed', 'rejected', 'failed'] as const;
const NONE: OutcomeStats = { queued: 0, queueCapacity: 0, replayed: 0, unconfirmed: 0, rejected: 0, failed: 0 };

export class OutcomeStatsWatcher {
  /** The stats last seen per router: counters grow by the difference (a new router starts from 0). */
  private readonly seen = new WeakMap<Router, OutcomeStats>();
  /** Replayed count at the last "replay finished" line, per router. */
  private readonly reported = new WeakMap<Router, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /**
   * Takes `router`'s stats into the metrics (`current`: it is the live router, whose queue the
   * gauges show) and logs a replay that has finished since the last look.
   */
  sync(router: Router, current: boolean): OutcomeStats {
    const now = router.outcomeStats();
    const before = this.seen.get(router) ?? NONE;
    for (const k of COUNTED) {
      const d = now[k] - before[k];
      if (d > 0) this.metrics.outcomes.inc({ result: k }, d);
    }
    this.seen.set(router, now);
    if (current) {
      this.metrics.outcomesQueued.set(now.queued);
      this.metrics.outcomeQueueCapacity.set(now.queueCapacity);
    }
    const last = this.reported.get(router) ?? 0;
    if (now.queued === 0 && now.replayed > last) {
      const replayed = now.replayed - last;
      this.reported.set(router, now.replayed);
      this.log.info({ replayed, replayedTotal: now.replayed, unconfirmedTotal: now.unconfirmed, failedTotal: now.failed }, `outcome replay finished: ${replayed} queued outcomes replayed to the learning state`);
    }
    return now;
  }
}
