// The cache's vector index: exact search (FlatIndex) while a partition is small, HNSW (hnswlib-node)
// once it grows past a threshold. The HNSW graph is built in the background in small slices, so a
// large partition never stalls the event loop; until it is complete, searches stay exact.
import { createRequire } from 'node:module';
import { FlatIndex } from './flat-index.js';

export interface VectorIndexOptions {
  /** Entries from which an HNSW graph is built (default 2048); Infinity = always exact. */
  annThreshold?: number;
  /** Reported once per index when hnswlib-node cannot be loaded (searches stay exact). */
  onError?: (kind: string, err: unknown) => void;
}

/** HNSW parameters: M 16 / efConstruction 100 / ef 128 keep recall@1 near 1 for near-duplicate queries. */
const HNSW_M = 16;
const HNSW_EF_CONSTRUCTION = 100;
const HNSW_EF_SEARCH = 128;
/** Vectors inserted per event-loop turn while building in the background (~a few ms). */
const BUILD_SLICE = 32;

/** The part of hnswlib-node's HierarchicalNSW used here (typed locally: the dependency is optional). */
interface HierarchicalNSW {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number, allowReplaceDeleted?: boolean): void;
  setEf(ef: number): void;
  resizeIndex(newMaxElements: number): void;
  addPoint(point: number[], label: number, replaceDeleted?: boolean): void;
  markDelete(label: number): void;
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
  getCurrentCount(): number;
}
type HnswModule = { HierarchicalNSW: new (space: 'ip', dim: number) => HierarchicalNSW };
let hnswModule: HnswModule | Error | undefined;

/** The native HNSW binding, loaded on first need (a missing build must not break the router's import). */
function loadHnsw(): HnswModule | Error {
  if (hnswModule === undefined) {
    try {
      hnswModule = createRequire(import.meta.url)('hnswlib-node') as HnswModule;
    } catch (err) {
      hnswModule = err instanceof Error ? err : new Error(String(err));
    }
  }
  return hnswModule;
}

class Ann {
  readonly graph: HierarchicalNSW;
  private readonly labelOf = new Map<string, number>();
  private readonly idOf = new Map<number, string>();
  private nextLabel = 0;
  private capacity: number;
  /** Ids still to insert while building; empty once the graph is complete. */
  readonly pending: Set<string>;
  private timer: NodeJS.Immediate | undefined;
  private waiters: Array<() => void> = [];

  constructor(mod: HnswModule, dim: number, ids: string[], private readonly flat: FlatIndex) {
    this.graph = new mod.HierarchicalNSW('ip', dim);
    this.capacity = Math.max(1024, ids.length * 2);
    this.graph.initIndex(this.capacity, HNSW_M, HNSW_EF_CONSTRUCTION, 100, true);
    this.graph.setEf(HNSW_EF_SEARCH);
    this.pending = new Set(ids);
    this.schedule();
  }

  get ready(): boolean {
    return this.pending.size === 0;
  }

  upsert(id: string, vector: Float32Array): void {
    if (!this.ready && !this.labelOf.has(id)) {
      this.pending.add(id);
      return;
    }
    this.insert(id, vector);
  }

  remove(id: string): void {
    this.pending.delete(id);
    const label = this.labelOf.get(id);
    if (label === undefined) return;
    this.graph.markDelete(label);
    this.labelOf.delete(id);
    this.idOf.delete(label);
    this.settle();
  }

  search(query: Float32Array, k: number, minSimilarity: number): Array<{ id: string; similarity: number }> {
    const n = Math.min(k, this.labelOf.size);
    if (n === 0) return [];
    const res = this.graph.searchKnn(Array.from(query), n);
    const out: Array<{ id: string; similarity: number }> = [];
    res.neighbors.forEach((label, i) => {
      const id = this.idOf.get(label);
      const similarity = 1 - res.distances[i]!;
      if (id !== undefined && similarity >= minSimilarity) out.push({ id, similarity });
    });
    return out;
  }

  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  dispose(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.settle();
  }

  private insert(id: string, vector: Float32Array): void {
    const old = this.labelOf.get(id);
    if (old !== undefined) {
      this.graph.markDelete(old);
      this.idOf.delete(old);
    }
    if (this.graph.getCurrentCount() >= this.capacity) {
      this.capacity *= 2;
      this.graph.resizeIndex(this.capacity);
    }
    const label = this.nextLabel++;
    // replaceDeleted reuses the slot of a deleted point, so memory follows the live entries.
    this.graph.addPoint(Array.from(vector), label, true);
    this.labelOf.set(id, label);
    this.idOf.set(label, id);
  }

  private schedule(): void {
    if (this.timer || this.ready) return;
    this.timer = setImmediate(() => {
      this.timer = undefined;
      let n = 0;
      for (const id of this.pending) {
        if (n++ >= BUILD_SLICE) break;
        this.pending.delete(id);
        const v = this.flat.vectorOf(id);
        if (v) this.insert(id, v);
      }
      if (this.ready) this.settle();
      else this.schedule();
    });
    // Kept referenced: an unref'd immediate would only run when other I/O wakes the loop.
  }

  private settle(): void {
    if (!this.ready) return;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Exact index with an HNSW graph added once it is large. */
export class VectorIndex {
  private readonly flat: FlatIndex;
  private ann: Ann | undefined;
  private annFailed = false;
  private readonly threshold: number;

  constructor(readonly dim: number, private readonly opts: VectorIndexOptions = {}) {
    this.flat = new FlatIndex(dim);
    this.threshold = opts.annThreshold ?? 2048;
  }

  get size(): number {
    return this.flat.size;
  }

  /** True once searches go through a complete HNSW graph. */
  get approximate(): boolean {
    return this.ann?.ready ?? false;
  }

  upsert(id: string, vector: Float32Array): void {
    this.flat.upsert(id, vector);
    if (this.ann) this.ann.upsert(id, vector);
    else if (this.flat.size >= this.threshold && !this.annFailed) this.startAnn();
  }

  remove(id: string): void {
    this.flat.remove(id);
    this.ann?.remove(id);
  }

  /** Up to `k` ids with similarity >= minSimilarity, best first. */
  search(query: Float32Array, k: number, minSimilarity: number): Array<{ id: string; similarity: number }> {
    if (this.ann?.ready) return this.ann.search(query, k, minSimilarity);
    return this.flat.search(query, k, minSimilarity);
  }

  /** Resolves when no background build is running. */
  whenIndexed(): Promise<void> {
    return this.ann ? this.ann.whenReady() : Promise.resolve();
  }

  dispose(): void {
    this.ann?.dispose();
    this.ann = undefined;
  }

  private startAnn(): void {
    const mod = loadHnsw();
    if (mod instanceof Error) {
      this.annFailed = true;
      this.opts.onError?.('cache_ann_unavailable', mod);
      return;
    }
    this.ann = new Ann(mod, this.dim, this.flat.idList(), this.flat);
  }
}
