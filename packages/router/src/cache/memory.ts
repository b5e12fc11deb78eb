// In-process cache backend: exact map + vector index per partition, LRU and TTL per decision.
import type { CachedResponse } from './types.js';
import type { CacheBackend, NearestHit, Partition, PutOptions } from './backend.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

interface Entry {
  id: string;
  prompt: string;
  partition: string;
  decision: string;
  response: CachedResponse;
  expiresAt: number;
  hasVector: boolean;
}

interface PartitionSpace {
  entries: Map<string, Entry>;
  index: VectorIndex | undefined;
}

/** How many best candidates a semantic search checks before giving up (expired ones are skipped). */
const NEAREST_CANDIDATES = 4;

/** The in-memory backend; one instance per router. */
export class MemoryCacheBackend implements CacheBackend {
  readonly kind = 'memory' as const;
  private readonly partitions = new Map<string, PartitionSpace>();
  /** Per decision, entries in least-recently-used-first order (Map insertion order, re-inserted on use). */
  private readonly lru = new Map<string, Map<string, Entry>>();

  constructor(private readonly indexOptions: VectorIndexOptions = {}) {}

  async getExact(p: Partition, id: string, now: number): Promise<CachedResponse | undefined> {
    const entry = this.partitions.get(p.key)?.entries.get(id);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.delete(entry);
      return undefined;
    }
    this.touch(entry);
    return entry.response;
  }

  async nearest(
    p: Partition,
    vector: Float32Array,
    minSimilarity: number,
    now: number,
    accept: (storedPrompt: string) => boolean,
  ): Promise<NearestHit | undefined> {
    const space = this.partitions.get(p.key);
    if (!space?.index || space.index.dim !== vector.length) return undefined;
    for (const c of space.index.search(vector, NEAREST_CANDIDATES, minSimilarity)) {
      const entry = space.entries.get(c.id);
      if (!entry) continue;
      if (now >= entry.expiresAt) {
        this.delete(entry);
        continue;
      }
      if (!accept(entry.prompt)) continue;
      this.touch(entry);
      return { response: entry.response, similarity: c.similarity };
    }
    return undefined;
  }

  async put(p: Partition, id: string, prompt: string, vector: Float32Array | undefined, response: CachedResponse, opts: PutOptions): Promise<void> {
    let space = this.partitions.get(p.key);
    if (!space) {
      space = { entries: new Map(), index: undefined };
      this.partitions.set(p.key, space);
    }
    const old = space.entries.get(id);
    if (old) this.delete(old);
    const entry: Entry = { id, prompt, partition: p.key, decision: p.decision, response, expiresAt: opts.now + opts.ttlMs, hasVector: false };
    if (vector) {
      if (space.index && space.index.dim !== vector.length) {
        // The embedder changed dimension (config reload): the old vectors are not comparable.
        for (const e of [...space.entries.values()]) this.delete(e);
        space.index.dispose();
        space.index = undefined;
      }
      space.index ??= new VectorIndex(vector.length, this.indexOptions);
      space.index.upsert(id, vector);
      entry.hasVector = true;
    }
    space.entries.set(id, entry);
    // Deleting the old entry may have dropped an emptied partition: put it back.
    this.partitions.set(p.key, space);
    let order = this.lru.get(p.decision);
    if (!order) {
      order = new Map();
      this.lru.set(p.decision, order);
    }
    order.set(lruKey(entry), entry);
    this.evict(order, opts);
  }

  async whenIndexed(): Promise<void> {
    await Promise.all([...this.partitions.values()].map((s) => s.index?.whenIndexed()));
  }

  async close(): Promise<void> {
    for (const s of this.partitions.values()) s.index?.dispose();
    this.partitions.clear();
    this.lru.clear();
  }

  /** Number of live-or-not-yet-swept entries (tests and benchmarks). */
  get size(): number {
    let n = 0;
    for (const o of this.lru.values()) n += o.size;
    return n;
  }

  private evict(order: Map<string, Entry>, opts: PutOptions): void {
    // Expired entries at the LRU front are dropped even under capacity, so memory is given back;
    // expired entries elsewhere are dropped when a lookup meets them. Then LRU past max_entries.
    for (const e of order.values()) {
      if (opts.now < e.expiresAt) break;
      this.delete(e);
    }
    while (order.size > opts.maxEntries) {
      const first = order.values().next().value as Entry;
      this.delete(first);
    }
  }

  private touch(entry: Entry): void {
    const order = this.lru.get(entry.decision);
    if (!order) return;
    const k = lruKey(entry);
    order.delete(k);
    order.set(k, entry);
  }

  private delete(entry: Entry): void {
    const space = this.partitions.get(entry.partition);
    if (space && space.entries.get(entry.id) === entry) {
      space.entries.delete(entry.id);
      if (entry.hasVector) space.index?.remove(entry.id);
      if (space.entries.size === 0) {
        space.index?.dispose();
        this.partitions.delete(entry.partition);
      }
    }
    const order = this.lru.get(entry.decision);
    order?.delete(lruKey(entry));
    if (order?.size === 0) this.lru.delete(entry.decision);
  }
}

function lruKey(e: Entry): string {
  return `${e.partition}/${e.id}`;
}
