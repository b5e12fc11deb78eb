// In-process learning state. Each call completes synchronously inside the event loop, so every
// operation is atomic with respect to other calls, like its Redis counterpart.
import type { LearningStateStore } from './types.js';

type Entry =
  | { kind: 'hash'; fields: Map<string, number> }
  | { kind: 'list'; values: number[] }
  | { kind: 'string'; value: string; expiresAt: number | undefined };

export interface MemoryStateStoreOptions {
  /** Clock for string TTLs (ms since epoch); defaults to Date.now. */
  now?: () => number;
  /**
   * Most strings (session stickiness, keyed by client session ids) kept at once; beyond it the
   * oldest-written is dropped, so client traffic cannot grow the store. Default 100,000.
   */
  maxStrings?: number;
}

/** A `LearningStateStore` held in a Map; TTLs follow the injected clock. */
export class MemoryStateStore implements LearningStateStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxStrings: number;
  private strings = 0;
  private closed = false;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxStrings = options.maxStrings ?? 100_000;
  }

  /** Keys held now (hashes, lists and strings). */
  get size(): number {
    return this.entries.size;
  }

  async getNumbers(key: string, fields: string[]): Promise<Record<string, number>> {
    const hash = this.hash(key, false);
    const out: Record<string, number> = Object.create(null);
    if (!hash) return out;
    for (const f of fields) {
      const v = hash.get(f);
      if (v !== undefined) out[f] = v;
    }
    return out;
  }

  async incrNumbers(key: string, deltas: Record<string, number>): Promise<Record<string, number>> {
    checkNumbers(key, deltas);
    const hash = this.hash(key, true) as Map<string, number>;
    const out: Record<string, number> = Object.create(null);
    for (const [f, d] of Object.entries(deltas)) {
      const v = (hash.get(f) ?? 0) + d;
      hash.set(f, v);
      out[f] = v;
    }
    return out;
  }

  async setNumbers(key: string, values: Record<string, number>): Promise<void> {
    checkNumbers(key, values);
    const hash = this.hash(key, true) as Map<string, number>;
    for (const [f, v] of Object.entries(values)) hash.set(f, v);
  }

  async pushSample(key: string, value: number, maxLen: number): Promise<void> {
    if (!Number.isFinite(value)) throw new TypeError(`state key ${key}: sample must be a finite number, got ${value}`);
    if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`state key ${key}: maxLen must be an integer >= 1, got ${maxLen}`);
    const entry = this.entry(key);
    let list: number[];
    if (!entry) {
      list = [];
      this.entries.set(key, { kind: 'list', values: list });
    } else if (entry.kind === 'list') {
      list = entry.values;
    } else {
      throw wrongType(key, 'list', entry.kind);
    }
    list.push(value);
    if (list.length > maxLen) list.splice(0, list.length - maxLen);
  }

  async getSamples(key: string): Promise<number[]> {
    const entry = this.entry(key);
    if (!entry) return [];
    if (entry.kind !== 'list') throw wrongType(key, 'list', entry.kind);
    return [...entry.values];
  }

  async getString(key: string): Promise<string | undefined> {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (entry.kind !== 'string') throw wrongType(key, 'string', entry.kind);
    return entry.value;
  }

  async setString(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs !== undefined && !(ttlMs > 0)) throw new RangeError(`state key ${key}: ttlMs must be > 0, got ${ttlMs}`);
    const existing = this.entry(key);
    if (existing && existing.kind !== 'string') throw wrongType(key, 'string', existing.kind);
    // Re-inserted so the Map's order is the order of last writes: the first string is the oldest.
    if (existing) this.drop(key);
    this.entries.set(key, { kind: 'string', value, expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
    this.strings++;
    if (this.strings <= this.maxStrings) return;
    for (const [k, e] of this.entries) {
      if (e.kind === 'string') {
        this.drop(k);
        break;
      }
    }
  }

  private drop(key: string): void {
    if (this.entries.get(key)?.kind === 'string') this.strings--;
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    this.strings = 0;
  }

  /** Live entry for `key`, dropping it when its TTL has passed. */
  private entry(key: string): Entry | undefined {
    if (this.closed) throw new Error('state store is closed');
    const e = this.entries.get(key);
    if (e?.kind === 'string' && e.expiresAt !== undefined && this.now() >= e.expiresAt) {
      this.drop(key);
      return undefined;
    }
    return e;
  }

  private hash(key: string, create: boolean): Map<string, number> | undefined {
    const e = this.entry(key);
    if (!e) {
      if (!create) return undefined;
      const fields = new Map<string, number>();
      this.entries.set(key, { kind: 'hash', fields });
      return fields;
    }
    if (e.kind !== 'hash') throw wrongType(key, 'hash', e.kind);
    return e.fields;
  }
}

function wrongType(key: string, wanted: string, actual: string): TypeError {
  return new TypeError(`state key ${key} holds a ${actual}, not a ${wanted}`);
}

function checkNumbers(key: string, values: Record<string, number>): void {
  for (const [f, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) throw new TypeError(`state key ${key}: field ${f} must be a finite number, got ${v}`);
  }
}

/** Create an in-memory learning state store. */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): MemoryStateStore {
  return new MemoryStateStore(options);
}
