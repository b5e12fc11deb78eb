// The live router and its replacement on reload: requests lease the router they started with, and
// an old router is closed only once its last lease is returned (or a drain timeout passes).
import type { Router } from '@semroute/router';

interface Slot {
  router: Router;
  leases: number;
  retired: boolean;
  drained?: () => void;
}

export interface Lease {
  readonly router: Router;
  release(): void;
}

export class RouterHolder {
  private current: Slot | undefined;
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly drainTimeoutMs: number,
    private readonly onCloseError: (err: unknown) => void,
    /** Called once a retired router is closed (e.g. to count the outcomes it could not persist). */
    private readonly onClosed: (router: Router) => void = () => {},
  ) {}

  get ready(): boolean {
    return this.current !== undefined;
  }

  /** The current router, for a look that needs no lease (stats). */
  get router(): Router | undefined {
    return this.current?.router;
  }

  /** Leases the current router (undefined before the first load or after shutdown). Release exactly once. */
  acquire(): Lease | undefined {
    const slot = this.current;
    if (!slot) return undefined;
    slot.leases++;
    let released = false;
    return {
      router: slot.router,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        if (slot.retired && slot.leases === 0) slot.drained?.();
      },
    };
  }

  /** Makes `router` current; the previous one is closed once drained. */
  swap(router: Router | undefined): void {
    const old = this.current;
    this.current = router ? { router, leases: 0, retired: false } : undefined;
    if (old) this.retire(old);
  }

  /** Resolves when every retired router is closed. */
  async settled(): Promise<void> {
    await Promise.all([...this.retiring]);
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    const done = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const close = () => {
        if (timer) clearTimeout(timer);
        slot.drained = undefined;
        slot.router
          .close()
          .then(() => {
            try {
              this.onClosed(slot.router);
            } catch (err) {
              this.onCloseError(err);
            }
          }, this.onCloseError)
          .finally(resolve);
      };
      if (slot.leases === 0) return close();
      slot.drained = close;
      timer = setTimeout(close, this.drainTimeoutMs);
      timer.unref();
    });
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }
}
