// Server options with their defaults; the CLI maps flags onto these.

export interface SidecarOptions {
  /** Longest a routing answer may take before the request continues untouched (Envoy's default message_timeout is 200 ms). */
  messageTimeoutMs: number;
  /** Request bodies above this are not parsed; they continue untouched. */
  maxBodyBytes: number;
  /** Log the prompt text in the decision line (off: prompts are user data). */
  logPrompts: boolean;
  /** Header carrying the sticky-session key for session_aware selection. */
  sessionHeader: string;
  /**
   * Requests inside the router at once; more wait their turn (within the deadline) instead of piling
   * up. Default 1: one embedding call already uses every core, so parallel calls only slow each other.
   */
  maxConcurrentRouting: number;
}

export interface ServerOptions extends SidecarOptions {
  host: string;
  /** 0 picks a free port. */
  grpcPort: number;
  httpPort: number;
  /** How long a replaced router may keep serving in-flight requests before it is closed anyway. */
  drainTimeoutMs: number;
  /** Grace period for open streams and HTTP requests on shutdown. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_OPTIONS: ServerOptions = {
  host: '0.0.0.0',
  grpcPort: 50051,
  httpPort: 8080,
  messageTimeoutMs: 50,
  maxBodyBytes: 8 * 1024 * 1024,
  logPrompts: false,
  sessionHeader: 'x-session-id',
  maxConcurrentRouting: 1,
  drainTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
};

/** Checks option values; throws a RangeError naming the bad one. */
export function resolveOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  const o = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  for (const k of ['grpcPort', 'httpPort'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || o[k] > 65535) throw new RangeError(`${k}: expected a port 0-65535, got ${o[k]}`);
  }
  for (const k of ['messageTimeoutMs', 'maxBodyBytes', 'drainTimeoutMs', 'shutdownTimeoutMs', 'maxConcurrentRouting'] as const) {
    if (!Number.isFinite(o[k]) || o[k] <= 0) throw new RangeError(`${k}: expected a positive number, got ${o[k]}`);
  }
  if (!Number.isInteger(o.maxConcurrentRouting)) throw new RangeError(`maxConcurrentRouting: expected a whole number, got ${o.maxConcurrentRouting}`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
