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
   * up. Several at once let the embedder coalesce their prompts into one forward pass.
   */
  maxConcurrentRouting: number;
  /**
   * Request body bytes held by all streams together (full-duplex buffering and bodies being routed).
   * A body that would go over it continues untouched (`buffer_budget`), so memory stays bounded.
   */
  maxBufferedBytes: number;
}

export interface ServerOptions extends SidecarOptions {
  /** Address both listeners bind to; loopback by default (a sidecar in the same pod or host). */
  host: string;
  /** 0 picks a free port. */
  grpcPort: number;
  httpPort: number;
  /** How long a replaced router may keep serving in-flight requests before it is closed anyway. */
  drainTimeoutMs: number;
  /** Grace period for open streams and HTTP requests on shutdown. */
  shutdownTimeoutMs: number;
  /** An ext_proc stream with no message for this long is closed (the gateway fails open). */
  streamIdleTimeoutMs: number;
  /** Open ext_proc streams at once; more are refused with RESOURCE_EXHAUSTED (the gateway fails open). */
  maxStreams: number;
  /** When set, every `/v1/*` HTTP endpoint needs `Authorization: Bearer <token>`. */
  apiToken?: string | undefined;
  /** PEM certificate chain and private key: the gRPC listener speaks TLS instead of plaintext. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** How often to check whether a burst of buffered bodies is over, to return its memory (see heap-trim.ts). */
  heapTrimEveryMs: number;
}

export const DEFAULT_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  grpcPort: 50051,
  httpPort: 8080,
  messageTimeoutMs: 50,
  maxBodyBytes: 8 * 1024 * 1024,
  logPrompts: false,
  sessionHeader: 'x-session-id',
  maxConcurrentRouting: 4,
  maxBufferedBytes: 64 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
  // Envoy's own stream_idle_timeout default: long enough for an LLM answering slowly.
  streamIdleTimeoutMs: 300_000,
  maxStreams: 4096,
  heapTrimEveryMs: 5_000,
};

/** Headroom over the body limit for one gRPC message (the ProcessingRequest envelope and headers). */
export const GRPC_MESSAGE_HEADROOM_BYTES = 1024 * 1024;

/** Checks option values; throws a RangeError naming the bad one. */
export function resolveOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  const o = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  for (const k of ['grpcPort', 'httpPort'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || o[k] > 65535) throw new RangeError(`${k}: expected a port 0-65535, got ${o[k]}`);
  }
  const positive = ['messageTimeoutMs', 'maxBodyBytes', 'drainTimeoutMs', 'shutdownTimeoutMs', 'maxConcurrentRouting', 'maxBufferedBytes', 'streamIdleTimeoutMs', 'maxStreams', 'heapTrimEveryMs'] as const;
  for (const k of positive) {
    if (!Number.isFinite(o[k]) || o[k] <= 0) throw new RangeError(`${k}: expected a positive number, got ${o[k]}`);
  }
  for (const k of ['maxConcurrentRouting', 'maxStreams'] as const) {
    if (!Number.isInteger(o[k])) throw new RangeError(`${k}: expected a whole number, got ${o[k]}`);
  }
  if (o.apiToken !== undefined && o.apiToken.length === 0) throw new RangeError('apiToken: expected a non-empty token or none');
  if (o.tls && (o.tls.cert.length === 0 || o.tls.key.length === 0)) throw new RangeError('tls: the certificate and the key must both be non-empty PEM');
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
