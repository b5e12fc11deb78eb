// One budget of request body bytes shared by every stream and HTTP request of a server: a body is
// held (buffered, parsed, routed) only while its bytes fit, so many large bodies at once cannot
// take memory without bound. A body that does not fit continues untouched.

export class ByteBudget {
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly onChange: (used: number) => void = () => {},
  ) {}

  /** Bytes reserved now. */
  get inUse(): number {
    return this.used;
  }

  /** Reserves `n` bytes; false (nothing reserved) when that would go over the limit. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    this.onChange(this.used);
    return true;
  }

  /** Returns bytes taken earlier. */
  give(n: number): void {
    if (n === 0) return;
    this.used = Math.max(0, this.used - n);
    this.onChange(this.used);
  }
}

/** One holder's share of a budget: released once, whatever path ends it. */
export class Reservation {
  private held = 0;

  constructor(private readonly budget: ByteBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** Adds `n` bytes to this reservation; false when the budget cannot take them. */
  grow(n: number): boolean {
    if (!this.budget.take(n)) return false;
    this.held += n;
    return true;
  }

  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}
