// Coalesces concurrent embed calls into shared forward passes: while a pass runs, new calls queue;
// when it ends, everything queued (up to maxBatch texts) goes in the next pass, and each caller
// gets exactly its own rows back. An idle engine starts on the next turn of the event loop (so
// calls made in the same turn share a pass), or after maxWaitMs when that is set. A caller whose
// signal aborts while queued leaves the queue and never costs a forward pass.

/** What a pass returns: row-major `[texts, dim]` plus the indices of truncated texts. */
export interface PassResult {
  data: Float32Array;
  dim: number;
  truncated: number[];
}

/** How calls are coalesced. */
export interface CoalesceOptions {
  /** Most texts in one pass (a single call with more still runs, alone). */
  maxBatch: number;
  /** How long an idle engine waits for more calls before it starts (ms); 0 = next event-loop turn. */
  maxWaitMs: number;
}

interface Entry {
  texts: string[];
  resolve: (r: PassResult) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class Coalescer {
  readonly #run: (texts: string[]) => Promise<PassResult>;
  readonly #opts: CoalesceOptions;
  readonly #queue: Entry[] = [];
  #queuedTexts = 0;
  #busy = false;
  #timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  /** Passes run and callers served (for tests and metrics). */
  readonly stats = { passes: 0, calls: 0, aborted: 0 };

  constructor(run: (texts: string[]) => Promise<PassResult>, opts: CoalesceOptions) {
    if (!(Number.isInteger(opts.maxBatch) && opts.maxBatch >= 1)) throw new RangeError(`maxBatch must be a positive integer, got ${opts.maxBatch}`);
    if (!(Number.isFinite(opts.maxWaitMs) && opts.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be >= 0, got ${opts.maxWaitMs}`);
    this.#run = run;
    this.#opts = opts;
  }

  /** Queues `texts`; resolves with this call's rows only. */
  submit(texts: string[], signal?: AbortSignal): Promise<PassResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry: Entry = { texts, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        entry.onAbort = () => {
          const i = this.#queue.indexOf(entry);
          if (i < 0) return; // already in a pass: it completes normally
          this.#queue.splice(i, 1);
          this.#queuedTexts -= entry.texts.length;
          this.stats.aborted++;
          reject(signal.reason);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      this.#queuedTexts += texts.length;
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy) return; // the running pass flushes when it ends
    if (this.#queuedTexts >= this.#opts.maxBatch) {
      this.#clearTimer();
      void this.#flush();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer =
      this.#opts.maxWaitMs > 0
        ? setTimeout(() => {
            this.#timer = undefined;
            void this.#flush();
          }, this.#opts.maxWaitMs)
        : setImmediate(() => {
            this.#timer = undefined;
            void this.#flush();
          });
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as ReturnType<typeof setTimeout>);
    clearImmediate(this.#timer as ReturnType<typeof setImmediate>);
    this.#timer = undefined;
  }

  async #flush(): Promise<void> {
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch: Entry[] = [];
    let n = 0;
    while (this.#queue.length > 0 && (batch.length === 0 || n + this.#queue[0]!.texts.length <= this.#opts.maxBatch)) {
      const e = this.#queue.shift()!;
      if (e.signal && e.onAbort) e.signal.removeEventListener('abort', e.onAbort);
      batch.push(e);
      n += e.texts.length;
    }
    this.#queuedTexts -= n;
    try {
      await this.#pass(batch);
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) {
        // Callers queued during the pass have waited long enough: start at once.
        this.#clearTimer();
        void this.#flush();
      }
    }
  }

  async #pass(batch: Entry[]): Promise<void> {
    this.stats.passes++;
    this.stats.calls += batch.length;
    let result: PassResult;
    try {
      result = await this.#run(batch.length === 1 ? batch[0]!.texts : batch.flatMap((e) => e.texts));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One caller's bad input must not fail the others: rerun each alone, so each gets its own
      // result or its own error (with indices into its own texts).
      for (const e of batch) await this.#pass([e]);
      return;
    }
    let offset = 0;
    for (const e of batch) {
      const rows = e.texts.length;
      e.resolve({
        // A copy: a caller never holds a view of another caller's rows.
        data: batch.length === 1 ? result.data : result.data.slice(offset * result.dim, (offset + rows) * result.dim),
        dim: result.dim,
        truncated: result.truncated.filter((i) => i >= offset && i < offset + rows).map((i) => i - offset),
      });
      offset += rows;
    }
  }
}
