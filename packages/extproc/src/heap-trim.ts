// Gives freed body memory back to the operating system after a burst. The C allocator keeps the
// pages of freed buffers resident: 60 streams holding 60 MiB of bodies left the sidecar about
// 90 MiB above its baseline, with V8's heap and external memory back where they started. Once a
// burst is over (at least TRIM_AFTER_BYTES of body bytes were held and less than that is held
// now), the injected trim (glibc's malloc_trim through the native addon) runs at each of the next
// TRIM_ROUNDS checks: buffers are freed when V8 collects them, which may be a while after the
// burst. Measured in RELIABILITY.md.

import type { ByteBudget } from './byte-budget.js';

/** Body bytes held at once that make a burst (and the level under which it is over). */
export const TRIM_AFTER_BYTES = 1024 * 1024;
/** Checks after a burst at which the heap is trimmed (a minute at the default 5 s). */
export const TRIM_ROUNDS = 12;

export class HeapTrimmer {
  private peak = 0;
  private rounds = 0;
  private readonly timer: NodeJS.Timeout;

  /**
   * @param trim releases free native heap memory; true when some was released
   * @param onTrim called after each trim with its result (metrics)
   */
  constructor(
    private readonly budget: ByteBudget,
    private readonly trim: () => boolean,
    everyMs: number,
    private readonly onTrim: (released: boolean) => void = () => {},
  ) {
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  /** Call on every change of the budget's bytes in use. */
  observe(used: number): void {
    if (used > this.peak) this.peak = used;
  }

  /** One periodic check; true when it trimmed. */
  check(): boolean {
    if (this.budget.inUse >= TRIM_AFTER_BYTES) return false; // a burst is going on
    if (this.peak >= TRIM_AFTER_BYTES) this.rounds = TRIM_ROUNDS; // one just ended
    this.peak = this.budget.inUse;
    if (this.rounds === 0) return false;
    this.rounds--;
    this.onTrim(this.trim());
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
