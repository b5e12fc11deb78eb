// Applies validated outcomes to the learning state, one call at a time so their order is kept.
// With a backend that can be down (Redis), outcomes that cannot reach it are kept in a bounded local
// queue and replayed in order when it is back; when the queue is full the call fails with
// StateUnavailableError and nothing of it is kept. A write that was sent but never confirmed is
// reported (`unconfirmed`), not replayed: it may have been applied, and replaying would count it twice.
// On close (a config reload), what is still queued is handed to the newest open recorder on the same
// backend (the new router's), which checks it against its own config; only what no recorder takes
// is lost, and reported.
import type { OutcomeReceipt, OutcomeStats } from '../api.js';
import type { Outcome } from '../selection/types.js';
import type { DurableStateStore, LearningStateStore } from '../state/types.js';
import { StateUnavailableError } from '../errors.js';
import { StateWriteError } from '../state/write-error.js';

export const DEFAULT_OUTCOME_QUEUE_SIZE = 10_000;

export interface OutcomeRecorderOptions {
  /** Applies one outcome (the decision's selector) to a state store. */
  apply: (o: Outcome, state: LearningStateStore) => Promise<void>;
  state: LearningStateStore;
  queueSize?: number;
  onError?: (kind: string, err: unknown) => void;
  /** Whether an outcome handed over from another recorder is valid here (this router's config); default: all. */
  accepts?: (o: Outcome) => boolean;
}

/** Open recorders by backend (`DurableStateStore.backendId`), oldest first: where a closing one hands its queue. */
const openRecorders = new Map<string, Set<OutcomeRecorder>>();

/** True for stores that say whether their backend is reachable and offer a strict (throwing) view. */
export function isDurable(s: LearningStateStore): s is DurableStateStore {
  const d = s as Partial<DurableStateStore>;
  return typeof d.isAvailable === 'function' && typeof d.onAvailable === 'function' && d.strict !== undefined;
}

export class OutcomeRecorder {
  private readonly queue: Outcome[] = [];
  private head = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly capacity: number;
  private readonly durable: DurableStateStore | undefined;
  private readonly unsubscribe: () => void;
  private readonly counts = { replayed: 0, unconfirmed: 0, rejected: 0, failed: 0 };
  /** The replay loop now running, if any: while it runs, new outcomes queue behind it. */
  private draining: Promise<void> | undefined;

  constructor(private readonly opts: OutcomeRecorderOptions) {
    this.capacity = opts.queueSize ?? DEFAULT_OUTCOME_QUEUE_SIZE;
    this.durable = isDurable(opts.state) ? opts.state : undefined;
    this.unsubscribe = this.durable?.onAvailable(() => void this.startDrain()) ?? (() => {});
    const id = this.durable?.backendId;
    if (id !== undefined) {
      const set = openRecorders.get(id) ?? new Set<OutcomeRecorder>();
      openRecorders.set(id, set);
      set.add(this);
    }
  }

  /** Applies (or queues) a validated batch in order; see `OutcomeReceipt`. */
  record(list: Outcome[]): Promise<OutcomeReceipt> {
    return this.serial(() => this.recordNow(list));
  }

  stats(): OutcomeStats {
    return { queued: this.pending, queueCapacity: this.capacity, ...this.counts };
  }

  /**
   * Replays what it can, hands what is still queued to the newest open recorder on the same backend
   * (after a reload: the new router's), then stops listening. Returns how many outcomes were lost
   * (neither persisted nor handed over); they stay counted in `stats().queued`.
   */
  async close(): Promise<number> {
    this.unregister();
    this.unsubscribe();
    await this.tail;
    await this.startDrain();
    const successor = this.successor();
    if (this.pending > 0 && successor) {
      const waiting = this.queue.slice(this.head);
      this.queue.splice(this.head, successor.adopt(waiting));
    }
    const lost = this.pending;
    if (lost > 0) this.opts.onError?.('outcomes_lost', new Error(`${lost} queued outcomes were not persisted before close`));
    return lost;
  }

  private unregister(): void {
    const id = this.durable?.backendId;
    if (id === undefined) return;
    const set = openRecorders.get(id);
    set?.delete(this);
    if (set?.size === 0) openRecorders.delete(id);
  }

  private successor(): OutcomeRecorder | undefined {
    const id = this.durable?.backendId;
    const set = id === undefined ? undefined : openRecorders.get(id);
    return set ? [...set].at(-1) : undefined;
  }

  /**
   * Takes over outcomes another recorder could not persist, oldest first, as far as its config
   * accepts them and its queue has room; they go before anything queued here (they are older) unless
   * a replay is running. Returns how many of the leading outcomes it took (the rest stay with the
   * caller); an outcome its config rejects is dropped, counted as taken and reported.
   */
  adopt(list: readonly Outcome[]): number {
    const room = Math.max(0, this.capacity - this.pending);
    const take = list.slice(0, room);
    const valid = take.filter((o) => this.opts.accepts?.(o) ?? true);
    if (valid.length < take.length) {
      this.counts.failed += take.length - valid.length;
      this.opts.onError?.('outcome_replay', new Error(`${take.length - valid.length} handed-over outcomes do not fit the new config (decision or model gone): dropped`));
    }
    // A replay in progress reads the head of the queue: put them behind it then, else in front (older).
    if (this.draining) this.queue.push(...valid);
    else this.queue.splice(this.head, 0, ...valid);
    if (valid.length > 0 && this.durable?.isAvailable()) void this.startDrain();
    return take.length;
  }

  private get pending(): number {
    return this.queue.length - this.head;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private async recordNow(list: Outcome[]): Promise<OutcomeReceipt> {
    const receipt: OutcomeReceipt = { recorded: list.length, persisted: true, queued: 0, unconfirmed: 0 };
    const d = this.durable;
    if (!d) {
      for (const o of list) await this.opts.apply(o, this.opts.state);
      return receipt;
    }
    if (this.pending > 0 || this.draining || !d.isAvailable()) {
      // Queued outcomes go first: new ones wait behind them, so the order is kept.
      if (this.pending + list.length > this.capacity) {
        this.counts.rejected += list.length;
        throw new StateUnavailableError(
          `learning state unavailable and the outcome queue is full (${this.pending} of ${this.capacity}): none of ${list.length} outcomes recorded`,
        );
      }
      for (const o of list) this.queue.push(o);
      if (d.isAvailable()) void this.startDrain();
      else this.opts.onError?.('state_write', new StateWriteError(`learning state unavailable: ${list.length} outcomes queued (${this.pending} waiting)`, false));
      return { ...receipt, persisted: false, queued: list.length };
    }
    for (const [i, o] of list.entries()) {
      if (receipt.queued > 0) {
        this.enqueue(o, i, list.length);
        receipt.queued++;
        continue;
      }
      try {
        await this.opts.apply(o, d.strict);
      } catch (err) {
        if (!(err instanceof StateWriteError)) throw err;
        if (!err.sent) {
          this.opts.onError?.('state_write', err);
          this.enqueue(o, i, list.length);
          receipt.queued++;
        } else {
          receipt.unconfirmed++;
          this.counts.unconfirmed++;
          this.opts.onError?.('outcome_unconfirmed', err);
        }
      }
    }
    receipt.persisted = receipt.queued === 0 && receipt.unconfirmed === 0;
    return receipt;
  }

  private enqueue(o: Outcome, index: number, total: number): void {
    if (this.pending >= this.capacity) {
      this.counts.rejected += total - index;
      throw new StateUnavailableError(
        `learning state became unavailable and the outcome queue is full (${this.capacity}): outcomes ${index} to ${total - 1} of the batch were not recorded (the first ${index} were)`,
        index,
      );
    }
    this.queue.push(o);
  }

  /** Starts the replay loop unless it runs already; resolves when it stops. */
  private startDrain(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Replays queued outcomes in order until the queue is empty or the backend is gone again. */
  private async drain(): Promise<void> {
    const d = this.durable;
    if (!d) return;
    while (this.pending > 0 && d.isAvailable()) {
      const o = this.queue[this.head]!;
      try {
        await this.opts.apply(o, d.strict);
        this.counts.replayed++;
      } catch (err) {
        if (err instanceof StateWriteError && !err.sent) {
          // Down again: keep it at the head for the next 'ready'; if that came already, retry shortly.
          if (d.isAvailable()) setTimeout(() => void this.startDrain(), 100).unref();
          return;
        }
        if (err instanceof StateWriteError) this.counts.unconfirmed++;
        else this.counts.failed++;
        this.opts.onError?.('outcome_replay', err);
      }
      this.head++;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
    }
  }
}
