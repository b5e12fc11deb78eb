// One Redis connection tuned for a router on the request path: commands fail fast instead of
// queueing while Redis is down, a command timeout bounds a slow Redis, and it reconnects by itself.
import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** Per-command timeout, ms: a slow Redis costs at most this on the request path. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts, ms. */
  maxReconnectDelayMs?: number;
  onError?: (kind: string, err: unknown) => void;
  /** Error kind reported for connection errors, e.g. `cache_redis` or `state_redis`. */
  errorKind: string;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 250;

/** Opens a connection (in the background; commands before it is ready fail fast and are reported). */
export function openRedis(opts: RedisConnectionOptions): Redis {
  const onError = opts.onError ?? (() => {});
  const client = new Redis(opts.url, {
    // Without the offline queue a command issued while disconnected rejects at once, so the
    // caller treats it as a miss / falls back instead of waiting for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), opts.maxReconnectDelayMs ?? 1000),
    lazyConnect: false,
  });
  // Without a listener ioredis would crash the process on a connection error; report it instead.
  client.on('error', (err: unknown) => onError(opts.errorKind, err));
  return client;
}

/** Resolves when the connection is ready or `timeoutMs` passed (false); never rejects. */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

/** Closes without waiting for a server that may be gone. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

/** Redis URL with any password masked, for error messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
