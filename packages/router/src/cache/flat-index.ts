// Exact nearest-neighbour search over unit-norm vectors kept in one growable Float32Array.
// Rows are removed by moving the last row into the hole, so the scan stays dense.

/** A brute-force cosine index: one dot product per row, no approximation. */
export class FlatIndex {
  private data: Float32Array;
  private ids: string[] = [];
  private readonly slots = new Map<string, number>();

  constructor(readonly dim: number, initialCapacity = 64) {
    this.data = new Float32Array(dim * initialCapacity);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Adds or replaces the vector of `id`. */
  upsert(id: string, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new RangeError(`vector has ${vector.length} dims, index has ${this.dim}`);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if ((slot + 1) * this.dim > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    this.data.set(vector, slot * this.dim);
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const lastSlot = this.ids.length - 1;
    if (slot !== lastSlot) {
      const lastId = this.ids[lastSlot]!;
      this.data.copyWithin(slot * this.dim, lastSlot * this.dim, (lastSlot + 1) * this.dim);
      this.ids[slot] = lastId;
      this.slots.set(lastId, slot);
    }
    this.ids.pop();
    this.slots.delete(id);
  }

  /** The stored vector of `id` (a view: copy it before the index changes). */
  vectorOf(id: string): Float32Array | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
  }

  /** Ids in slot order (a copy). */
  idList(): string[] {
    return [...this.ids];
  }

  /** Up to `k` ids with similarity >= minSimilarity, best first. */
  search(query: Float32Array, k: number, minSimilarity: number): Array<{ id: string; similarity: number }> {
    const dim = this.dim;
    const data = this.data;
    const best: Array<{ id: string; similarity: number }> = [];
    let floor = minSimilarity;
    for (let r = 0, off = 0; r < this.ids.length; r++, off += dim) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += data[off + i]! * query[i]!;
      if (s < floor) continue;
      best.push({ id: this.ids[r]!, similarity: s });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > k) best.pop();
      if (best.length === k) floor = best[k - 1]!.similarity;
    }
    return best;
  }
}
