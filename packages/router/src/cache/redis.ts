// Redis cache backend. Redis 7.0 (Debian's) has no vector search, so vectors are stored in Redis
// (one hash of float32 blobs per partition) and searched exactly in a client-side index that each
// replica keeps in step through the partition's change log. Entries carry Redis TTLs.
import type { Redis } from 'ioredis';
import type { CachedResponse } from './types.js';
import type { CacheBackend, NearestHit, Partition, PutOptions } from './backend.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';
import { PUT_SCRIPT, TOUCH_SCRIPT } from './redis-scripts.js';
import { closeRedis } from '../redis/connection.js';

export interface RedisCacheBackendOptions {
  /** Prepended to every key; default `semroute:`. */
  keyPrefix?: string;
  /** Partitions whose index this replica keeps in memory (least recently used dropped). */
  maxMirroredPartitions?: number;
  onError?: (kind: string, err: unknown) => void;
  /** Options of the client-side indexes (HNSW threshold). */
  index?: VectorIndexOptions;
}

/** Candidates fetched per semantic lookup: the best ones may have expired or been evicted. */
const NEAREST_CANDIDATES = 4;
/** Change-log entries read per round trip while catching up. */
const LOG_PAGE = 5000;
/** Vectors read per HSCAN page during a full load (~1.5 MB at 384 dims). */
const SCAN_PAGE = 1000;

interface Mirror {
  index: VectorIndex | undefined;
  /** Sequence number of the last change applied. */
  seq: number;
  /** Stream id of the last change read. */
  cursor: string;
}

type ScriptClient = Redis & {
  semrouteCachePut(...args: Array<string | Buffer | number>): Promise<unknown>;
  semrouteCacheTouch(...args: string[]): Promise<unknown>;
};

/** Cache entries in Redis, shared by every replica. */
export class RedisCacheBackend implements CacheBackend {
  readonly kind = 'redis' as const;
  private readonly base: string;
  private readonly mirrors = new Map<string, Mirror>();
  /** Full loads in progress, one per partition. */
  private readonly loading = new Map<string, Promise<Mirror>>();
  private closed = false;
  private readonly maxMirrors: number;
  private readonly onError: (kind: string, err: unknown) => void;
  private readonly client: ScriptClient;
  private readonly indexOptions: VectorIndexOptions;

  constructor(client: Redis, opts: RedisCacheBackendOptions = {}) {
    this.base = `${opts.keyPrefix ?? 'semroute:'}cache:`;
    this.maxMirrors = opts.maxMirroredPartitions ?? 1024;
    this.onError = opts.onError ?? (() => {});
    this.indexOptions = { ...(opts.onError ? { onError: opts.onError } : {}), ...opts.index };
    client.defineCommand('semrouteCachePut', { numberOfKeys: 7, lua: PUT_SCRIPT });
    client.defineCommand('semrouteCacheTouch', { numberOfKeys: 2, lua: TOUCH_SCRIPT });
    this.client = client as ScriptClient;
  }

  async getExact(p: Partition, id: string, _now: number): Promise<CachedResponse | undefined> {
    const raw = await this.client.hgetall(this.entryKey(p, id));
    const response = parseEntry(raw);
    if (response) this.touch(p, id);
    return response;
  }

  async nearest(
    p: Partition,
    vector: Float32Array,
    minSimilarity: number,
    _now: number,
    accept: (storedPrompt: string) => boolean,
  ): Promise<NearestHit | undefined> {
    const mirror = await this.sync(p);
    if (!mirror.index || mirror.index.dim !== vector.length) return undefined;
    const candidates = mirror.index.search(vector, NEAREST_CANDIDATES, minSimilarity);
    if (candidates.length === 0) return undefined;
    const pipe = this.client.pipeline();
    for (const c of candidates) pipe.hgetall(this.entryKey(p, c.id));
    const results = (await pipe.exec()) ?? [];
    for (let i = 0; i < candidates.length; i++) {
      const [err, raw] = results[i] ?? [new Error('missing pipeline result'), null];
      if (err) throw err;
      const response = parseEntry(raw as Record<string, string>);
      if (!response) continue; // expired or evicted since the change log was read
      if (!accept((raw as Record<string, string>).p ?? '')) continue;
      this.touch(p, candidates[i]!.id);
      return { response, similarity: candidates[i]!.similarity };
    }
    return undefined;
  }

  async put(p: Partition, id: string, prompt: string, vector: Float32Array | undefined, response: CachedResponse, opts: PutOptions): Promise<void> {
    const pk = this.base + p.key;
    const blob = vector ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) : '';
    await this.client.semrouteCachePut(
      `${pk}:e:${id}`,
      `${pk}:vec`,
      `${pk}:exp`,
      `${pk}:log`,
      `${pk}:seq`,
      `${this.base}${p.decision}:lru`,
      `${this.base}${p.decision}:tick`,
      id,
      JSON.stringify(response.body),
      response.model,
      String(response.createdAt),
      blob,
      String(opts.ttlMs),
      String(opts.now),
      String(opts.maxEntries),
      p.key,
      this.base,
      // A replica further behind than the log reloads the partition, so the log need not hold it all.
      String(Math.max(1000, Math.ceil(opts.maxEntries / 4))),
      prompt,
    );
  }

  async whenIndexed(): Promise<void> {
    await Promise.all([...this.mirrors.values()].map((m) => m.index?.whenIndexed()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const m of this.mirrors.values()) m.index?.dispose();
    this.mirrors.clear();
    await closeRedis(this.client);
  }

  /**
   * This replica's index of a partition, up to date with Redis: the changes since last time, or a
   * full load. A full load runs on its own (not tied to the lookup that started it), so a lookup
   * whose deadline passes leaves it to finish for the next ones.
   */
  private async sync(p: Partition): Promise<Mirror> {
    const mirror = this.mirrors.get(p.key);
    if (!mirror) return this.loadOnce(p);
    // Most recently used partitions stay at the end of the Map.
    this.mirrors.delete(p.key);
    this.mirrors.set(p.key, mirror);
    if (await this.catchUp(p, mirror)) return mirror;
    return this.loadOnce(p);
  }

  /** Applies the partition's logged changes after the mirror's cursor; false when they do not follow on (reload). */
  private async catchUp(p: Partition, mirror: Mirror): Promise<boolean> {
    const pk = this.base + p.key;
    for (;;) {
      const res = await this.client.multi().get(`${pk}:seq`).xrangeBuffer(`${pk}:log`, `(${mirror.cursor}`, '+', 'COUNT', LOG_PAGE).exec();
      const [seqRes, logRes] = res ?? [];
      if (!seqRes || !logRes || seqRes[0] || logRes[0]) throw seqRes?.[0] ?? logRes?.[0] ?? new Error('redis transaction aborted');
      const current = Number(seqRes[1] ?? 0);
      const changes = logRes[1] as Array<[Buffer, Buffer[]]>;
      if (current < mirror.seq) return false; // the partition expired and started again
      for (const [streamId, fields] of changes) {
        const change = parseChange(fields);
        if (change.seq !== mirror.seq + 1) return false; // the log was trimmed past our cursor
        applyChange(mirror, change, this.indexOptions);
        mirror.seq = change.seq;
        mirror.cursor = streamId.toString();
      }
      if (mirror.seq === current) return true;
      if (changes.length < LOG_PAGE) return false;
    }
  }

  private loadOnce(p: Partition): Promise<Mirror> {
    let job = this.loading.get(p.key);
    if (!job) {
      job = this.load(p).finally(() => this.loading.delete(p.key));
      this.loading.set(p.key, job);
    }
    return job;
  }

  /**
   * Full load: note the log position, scan the vectors in pages (each page well inside the command
   * timeout), then replay what was logged meanwhile. Adds and deletes replay idempotently, so a
   * vector seen by the scan and logged again, or scanned just before its deletion, ends up right.
   */
  private async load(p: Partition): Promise<Mirror> {
    const pk = this.base + p.key;
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.client.multi().get(`${pk}:seq`).xrevrange(`${pk}:log`, '+', '-', 'COUNT', 1).exec();
      const [seqRes, lastRes] = res ?? [];
      for (const r of [seqRes, lastRes]) if (!r || r[0]) throw r?.[0] ?? new Error('redis transaction aborted');
      const last = lastRes![1] as Array<[string, string[]]>;
      const mirror: Mirror = { index: undefined, seq: Number(seqRes![1] ?? 0), cursor: last[0]?.[0] ?? '0-0' };
      let cursor = '0';
      do {
        const [next, items] = await this.client.hscanBuffer(`${pk}:vec`, cursor, 'COUNT', SCAN_PAGE);
        cursor = next.toString();
        for (let i = 0; i + 1 < items.length; i += 2) {
          applyChange(mirror, { seq: 0, op: 'a', id: items[i]!.toString(), vector: toFloat32(items[i + 1]!) }, this.indexOptions);
        }
      } while (cursor !== '0');
      if (this.closed) {
        mirror.index?.dispose();
        throw new Error('cache closed');
      }
      if (await this.catchUp(p, mirror)) {
        this.mirrors.get(p.key)?.index?.dispose();
        this.mirrors.delete(p.key);
        this.mirrors.set(p.key, mirror);
        while (this.mirrors.size > this.maxMirrors) {
          const oldest = this.mirrors.keys().next().value as string;
          this.mirrors.get(oldest)?.index?.dispose();
          this.mirrors.delete(oldest);
        }
        return mirror;
      }
      mirror.index?.dispose(); // the partition changed faster than we could read it: again
    }
    throw new Error(`cache partition ${p.key}: could not load a consistent copy in 3 attempts`);
  }

  /** Marks an entry most recently used (not awaited: a lost touch only ages an entry early). */
  private touch(p: Partition, id: string): void {
    this.client
      .semrouteCacheTouch(`${this.base}${p.decision}:lru`, `${this.base}${p.decision}:tick`, `${p.key}|${id}`)
      .catch((err: unknown) => this.onError('cache_touch', err));
  }

  private entryKey(p: Partition, id: string): string {
    return `${this.base}${p.key}:e:${id}`;
  }
}

interface Change {
  seq: number;
  op: 'a' | 'd';
  id: string;
  vector?: Float32Array;
}

function parseChange(fields: Buffer[]): Change {
  const c: Partial<Change> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    const value = fields[i + 1]!;
    if (name === 's') c.seq = Number(value.toString());
    else if (name === 'o') c.op = value.toString() === 'd' ? 'd' : 'a';
    else if (name === 'i') c.id = value.toString();
    else if (name === 'v') c.vector = toFloat32(value);
  }
  if (c.seq === undefined || c.op === undefined || c.id === undefined) throw new Error('malformed cache change-log entry');
  return c as Change;
}

function applyChange(mirror: Mirror, change: Change, indexOptions: VectorIndexOptions): void {
  if (change.op === 'd') {
    mirror.index?.remove(change.id);
    return;
  }
  if (!change.vector) return;
  if (mirror.index && mirror.index.dim !== change.vector.length) {
    mirror.index.dispose(); // the embedder changed: old vectors are not comparable
    mirror.index = undefined;
  }
  mirror.index ??= new VectorIndex(change.vector.length, indexOptions);
  mirror.index.upsert(change.id, change.vector);
}

/** Little-endian float32 blob -> Float32Array (copied: Buffers are not 4-byte aligned). */
function toFloat32(buf: Buffer): Float32Array {
  if (buf.byteLength % 4 !== 0) throw new Error(`cache vector blob of ${buf.byteLength} bytes is not float32`);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function parseEntry(raw: Record<string, string> | null | undefined): CachedResponse | undefined {
  if (!raw || raw.b === undefined || raw.m === undefined) return undefined;
  return { body: JSON.parse(raw.b) as unknown, model: raw.m, createdAt: Number(raw.c ?? 0) };
}
