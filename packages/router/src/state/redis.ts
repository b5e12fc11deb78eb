// Learning state in Redis, shared by router replicas. Every mutation is one atomic Redis command
// or MULTI block, so concurrent replicas lose nothing. A local mirror of the last values read or
// written answers when Redis is down or slow (errors go to onError), and it reconnects by itself.
// Reads never wait on a Redis known to be down or paused, and a request's reads are bounded by its
// deadline (`withReadDeadline`).
import type { Redis } from 'ioredis';
import type { DeadlineBoundReads, DurableStateStore, LearningStateStore } from './types.js';
import { closeRedis, openRedis, redactUrl, whenReady } from '../redis/connection.js';
import { StateWriteError } from './write-error.js';

export interface RedisStateStoreOptions {
  url: string;
  /** Prepended to every key; default `semroute:`. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
  /** How long `createRedisStateStore` waits for a first connection before going on without it. */
  connectWaitMs?: number;
  onError?: (kind: string, err: unknown) => void;
  /** Clock for the mirror's string TTLs, ms since epoch. */
  now?: () => number;
  /** Most session strings the local mirror keeps (oldest dropped first); default 10,000. */
  mirrorMaxStrings?: number;
}

/** When a request's reads must have answered: a `performance.now()` time and/or an abort signal. */
interface ReadBound {
  deadlineAt: number;
  signal?: AbortSignal;
}

const LATE = Symbol('late');

type Mirrored =
  | { kind: 'hash'; fields: Map<string, number> }
  | { kind: 'list'; values: number[] }
  | { kind: 'string'; value: string | undefined; expiresAt: number | undefined };

/**
 * A `LearningStateStore` on Redis hashes, lists and strings under `<prefix>state:<key>`. Its own
 * writes absorb a failure (reported, mirror updated); its `strict` view throws `StateWriteError`
 * instead, which the router's outcome queue uses to keep and replay what did not reach Redis.
 */
export class RedisStateStore implements DurableStateStore, DeadlineBoundReads {
  readonly kind = 'redis';
  readonly strict: LearningStateStore;
  readonly backendId: string;
  private readonly prefix: string;
  private readonly onError: (kind: string, err: unknown) => void;
  private readonly now: () => number;
  private readonly mirror = new Map<string, Mirrored>();
  private readonly mirrorMaxStrings: number;
  private mirrorStrings = 0;
  /**
   * Set when a strict write was sent but not answered, or a read failed or missed its request's
   * deadline (a paused or overloaded Redis): until a PING answers again the store counts as
   * unavailable, so outcomes queue and reads answer from the mirror at once instead of each waiting
   * for a command timeout.
   */
  private suspect: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly client: Redis,
    opts: RedisStateStoreOptions,
  ) {
    this.prefix = `${opts.keyPrefix ?? 'semroute:'}state:`;
    this.backendId = `redis ${redactUrl(opts.url)} ${this.prefix}`;
    this.onError = opts.onError ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.mirrorMaxStrings = opts.mirrorMaxStrings ?? 10_000;
    this.strict = this.strictView();
  }

  /** Whether commands can be sent now (connected, ready, and not waiting for an unanswered write). */
  isAvailable(): boolean {
    return this.client.status === 'ready' && this.suspect === undefined;
  }

  onAvailable(listener: () => void): () => void {
    this.client.on('ready', listener);
    this.listeners.add(listener);
    return () => {
      this.client.off('ready', listener);
      this.listeners.delete(listener);
    };
  }

  /** Marks the store unavailable and PINGs every `everyMs` until Redis answers, then tells the listeners. */
  private probe(everyMs = 200): void {
    if (this.suspect) return;
    const tick = () => {
      this.client.ping().then(
        () => {
          this.suspect = undefined;
          for (const l of this.listeners) l();
        },
        () => {
          if (this.suspect) this.suspect = setTimeout(tick, everyMs).unref();
        },
      );
    };
    this.suspect = setTimeout(tick, everyMs).unref();
  }

  async getNumbers(key: string, fields: string[]): Promise<Record<string, number>> {
    return this.readNumbers(key, fields, undefined);
  }

  /**
   * A view for one request: its reads answer by `deadlineAt` (a `performance.now()` time) or when
   * `signal` aborts, whichever comes first. A read Redis has not answered by then answers from the
   * local mirror (empty, i.e. the selector's cold start, for keys this process has not seen), and the
   * store counts as unavailable until a PING answers, so the next reads do not wait either.
   * Writes are the store's own.
   */
  withReadDeadline(deadlineAt: number | undefined, signal?: AbortSignal): LearningStateStore {
    const bound: ReadBound = { deadlineAt: deadlineAt ?? Number.POSITIVE_INFINITY, ...(signal ? { signal } : {}) };
    return {
      kind: this.kind,
      getNumbers: (key, fields) => this.readNumbers(key, fields, bound),
      getSamples: (key) => this.readSamples(key, bound),
      getString: (key) => this.readString(key, bound),
      incrNumbers: (key, deltas) => this.incrNumbers(key, deltas),
      setNumbers: (key, values) => this.setNumbers(key, values),
      pushSample: (key, value, maxLen) => this.pushSample(key, value, maxLen),
      setString: (key, value, ttlMs) => this.setString(key, value, ttlMs),
      close: async () => {},
    };
  }

  /**
   * One read: from Redis while it is available, else (and when Redis fails or misses the bound) from
   * the mirror. Never waits on a Redis that is known to be down or paused.
   */
  private async read<T>(bound: ReadBound | undefined, send: () => Promise<T>, local: () => T): Promise<T> {
    if (!this.isAvailable()) {
      const why = this.suspect ? 'not answering (paused or overloaded)' : this.client.status;
      this.onError('state_read', new Error(`redis is ${why}: read answered from the local mirror`));
      return local();
    }
    const left = bound ? bound.deadlineAt - performance.now() : Number.POSITIVE_INFINITY;
    if (bound && (left <= 0 || bound.signal?.aborted)) return local();
    const sent = send();
    if (!Number.isFinite(left) && !bound?.signal) {
      try {
        return await sent;
      } catch (err) {
        this.readFailed(err);
        return local();
      }
    }
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      if (Number.isFinite(left)) timer = setTimeout(() => resolve(LATE), left);
      onAbort = () => resolve(LATE);
      bound?.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const first = await Promise.race([sent, late]);
      if (first !== LATE) return first as T;
      // Still unanswered at the request's deadline: a paused or overloaded Redis.
      sent.catch(() => {});
      this.onError('state_read', new Error(`redis did not answer a read within the request deadline (${Math.max(0, Math.round(left))} ms): answered from the local mirror`));
      this.probe();
      return local();
    } catch (err) {
      this.readFailed(err);
      return local();
    } finally {
      clearTimeout(timer);
      if (onAbort) bound?.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A failed read: reported, and the store is unavailable until a PING answers. */
  private readFailed(err: unknown): void {
    this.onError('state_read', err);
    this.probe();
  }

  private readNumbers(key: string, fields: string[], bound: ReadBound | undefined): Promise<Record<string, number>> {
    if (fields.length === 0) return Promise.resolve({});
    return this.read(
      bound,
      async () => {
        const raw = await this.client.hmget(this.k(key), ...fields);
        const out: Record<string, number> = Object.create(null);
        const hash = this.hash(key);
        fields.forEach((f, i) => {
          const v = raw[i];
          if (v === null || v === undefined) {
            hash.delete(f);
            return;
          }
          out[f] = Number(v);
          hash.set(f, out[f]);
        });
        return out;
      },
      () => {
        const out: Record<string, number> = Object.create(null);
        const m = this.mirror.get(key);
        if (m?.kind !== 'hash') return out;
        for (const f of fields) {
          const v = m.fields.get(f);
          if (v !== undefined) out[f] = v;
        }
        return out;
      },
    );
  }

  async incrNumbers(key: string, deltas: Record<string, number>): Promise<Record<string, number>> {
    checkNumbers(key, deltas);
    const entries = Object.entries(deltas);
    if (entries.length === 0) return {};
    const hash = this.hash(key);
    try {
      return await this.sendIncr(key, entries);
    } catch (err) {
      // Not replayed later: a timed-out MULTI may have been applied, and replaying it would count twice.
      this.onError('state_write', err);
      const out: Record<string, number> = Object.create(null);
      for (const [f, d] of entries) {
        out[f] = (hash.get(f) ?? 0) + d;
        hash.set(f, out[f]);
      }
      return out;
    }
  }

  async setNumbers(key: string, values: Record<string, number>): Promise<void> {
    checkNumbers(key, values);
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    const hash = this.hash(key);
    for (const [f, v] of entries) hash.set(f, v);
    try {
      await this.client.hset(this.k(key), values);
    } catch (err) {
      this.onError('state_write', err);
    }
  }

  async pushSample(key: string, value: number, maxLen: number): Promise<void> {
    if (!Number.isFinite(value)) throw new TypeError(`state key ${key}: sample must be a finite number, got ${value}`);
    if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`state key ${key}: maxLen must be an integer >= 1, got ${maxLen}`);
    const list = this.list(key);
    list.push(value);
    if (list.length > maxLen) list.splice(0, list.length - maxLen);
    try {
      await this.sendPush(key, value, maxLen);
    } catch (err) {
      this.onError('state_write', err);
    }
  }

  async getSamples(key: string): Promise<number[]> {
    return this.readSamples(key, undefined);
  }

  private readSamples(key: string, bound: ReadBound | undefined): Promise<number[]> {
    return this.read(
      bound,
      async () => {
        const values = (await this.client.lrange(this.k(key), 0, -1)).map(Number);
        this.dropMirrored(key);
        this.mirror.set(key, { kind: 'list', values: [...values] });
        return values;
      },
      () => {
        const m = this.mirror.get(key);
        return m?.kind === 'list' ? [...m.values] : [];
      },
    );
  }

  async getString(key: string): Promise<string | undefined> {
    return this.readString(key, undefined);
  }

  private readString(key: string, bound: ReadBound | undefined): Promise<string | undefined> {
    return this.read(
      bound,
      async () => {
        const [v, pttl] = unwrap(await this.client.multi().get(this.k(key)).pttl(this.k(key)).exec()) as [string | null, number];
        if (v === null) this.dropMirrored(key);
        else this.mirrorString(key, v, pttl > 0 ? this.now() + pttl : undefined);
        return v ?? undefined;
      },
      () => {
        const m = this.mirror.get(key);
        if (m?.kind !== 'string') return undefined;
        if (m.expiresAt !== undefined && this.now() >= m.expiresAt) return undefined;
        return m.value;
      },
    );
  }

  async setString(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs !== undefined && !(ttlMs > 0)) throw new RangeError(`state key ${key}: ttlMs must be > 0, got ${ttlMs}`);
    this.mirrorString(key, value, ttlMs === undefined ? undefined : this.now() + ttlMs);
    try {
      await this.sendSet(key, value, ttlMs);
    } catch (err) {
      this.onError('state_write', err);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.suspect);
    this.suspect = undefined;
    this.listeners.clear();
    this.mirror.clear();
    this.mirrorStrings = 0;
    await closeRedis(this.client);
  }

  private async sendIncr(key: string, entries: Array<[string, number]>): Promise<Record<string, number>> {
    const multi = this.client.multi();
    for (const [f, d] of entries) multi.hincrbyfloat(this.k(key), f, d);
    const results = unwrap(await multi.exec());
    const hash = this.hash(key);
    const out: Record<string, number> = Object.create(null);
    entries.forEach(([f], i) => {
      out[f] = Number(results[i]);
      hash.set(f, out[f]);
    });
    return out;
  }

  private async sendPush(key: string, value: number, maxLen: number): Promise<void> {
    await this.client.multi().rpush(this.k(key), String(value)).ltrim(this.k(key), -maxLen, -1).exec().then(unwrap);
  }

  private async sendSet(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    if (ttlMs === undefined) await this.client.set(this.k(key), value);
    else await this.client.set(this.k(key), value, 'PX', Math.ceil(ttlMs));
  }

  /** Reads as the store does; writes go to Redis or throw a `StateWriteError` saying whether they were sent. */
  private strictView(): LearningStateStore {
    const write = async <T>(what: string, key: string, send: () => Promise<T>): Promise<T> => {
      if (!this.isAvailable()) throw new StateWriteError(`state ${what} ${key}: redis is ${this.client.status}, not sent`, false);
      try {
        return await send();
      } catch (err) {
        const msg = (err as Error).message ?? '';
        // ioredis refuses a command it could not write (no offline queue): it never reached Redis.
        const sent = !/Stream isn't writeable|enableOfflineQueue/.test(msg);
        if (sent) this.probe();
        throw new StateWriteError(`state ${what} ${key}: ${msg}`, sent, { cause: err });
      }
    };
    return {
      kind: 'redis-strict',
      getNumbers: (key, fields) => this.getNumbers(key, fields),
      getSamples: (key) => this.getSamples(key),
      getString: (key) => this.getString(key),
      incrNumbers: async (key, deltas) => {
        checkNumbers(key, deltas);
        const entries = Object.entries(deltas);
        if (entries.length === 0) return {};
        return write('increment', key, () => this.sendIncr(key, entries));
      },
      setNumbers: async (key, values) => {
        checkNumbers(key, values);
        if (Object.keys(values).length === 0) return;
        await write('set', key, () => this.client.hset(this.k(key), values));
        const hash = this.hash(key);
        for (const [f, v] of Object.entries(values)) hash.set(f, v);
      },
      pushSample: async (key, value, maxLen) => {
        if (!Number.isFinite(value)) throw new TypeError(`state key ${key}: sample must be a finite number, got ${value}`);
        if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`state key ${key}: maxLen must be an integer >= 1, got ${maxLen}`);
        await write('push', key, () => this.sendPush(key, value, maxLen));
        const list = this.list(key);
        list.push(value);
        if (list.length > maxLen) list.splice(0, list.length - maxLen);
      },
      setString: async (key, value, ttlMs) => {
        if (ttlMs !== undefined && !(ttlMs > 0)) throw new RangeError(`state key ${key}: ttlMs must be > 0, got ${ttlMs}`);
        await write('set', key, () => this.sendSet(key, value, ttlMs));
        this.mirrorString(key, value, ttlMs === undefined ? undefined : this.now() + ttlMs);
      },
      close: async () => {},
    };
  }

  /**
   * Session strings are keyed by client session ids: the mirror keeps at most `mirrorMaxStrings` of
   * them, dropping the oldest, so client traffic cannot grow it without bound (Redis expires them by TTL).
   */
  private mirrorString(key: string, value: string, expiresAt: number | undefined): void {
    this.dropMirrored(key);
    this.mirror.set(key, { kind: 'string', value, expiresAt });
    this.mirrorStrings++;
    if (this.mirrorStrings <= this.mirrorMaxStrings) return;
    for (const [k, m] of this.mirror) {
      if (m.kind !== 'string') continue;
      this.mirror.delete(k);
      this.mirrorStrings--;
      break;
    }
  }

  private dropMirrored(key: string): void {
    const m = this.mirror.get(key);
    if (!m) return;
    this.mirror.delete(key);
    if (m.kind === 'string') this.mirrorStrings--;
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  private hash(key: string): Map<string, number> {
    const m = this.mirror.get(key);
    if (m?.kind === 'hash') return m.fields;
    this.dropMirrored(key);
    const fields = new Map<string, number>();
    this.mirror.set(key, { kind: 'hash', fields });
    return fields;
  }

  private list(key: string): number[] {
    const m = this.mirror.get(key);
    if (m?.kind === 'list') return m.values;
    this.dropMirrored(key);
    const values: number[] = [];
    this.mirror.set(key, { kind: 'list', values });
    return values;
  }
}

/** Results of a MULTI, throwing the first per-command error. */
function unwrap(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (!results) throw new Error('redis transaction aborted');
  return results.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

function checkNumbers(key: string, values: Record<string, number>): void {
  for (const [f, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) throw new TypeError(`state key ${key}: field ${f} must be a finite number, got ${v}`);
  }
}

/** Connects (waiting up to `connectWaitMs` for a first connection, then going on without) and returns the store. */
export async function createRedisStateStore(opts: RedisStateStoreOptions): Promise<RedisStateStore> {
  const client = openRedis({
    url: opts.url,
    ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
    errorKind: 'state_redis',
  });
  await whenReady(client, opts.connectWaitMs ?? 2000);
  return new RedisStateStore(client, opts);
}
