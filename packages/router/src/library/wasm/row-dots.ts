// Dot products of a query with fixed rows, in WebAssembly SIMD (f32x4, four accumulators): the
// task index's hot loop (a prompt against a few hundred library prompts) runs about 4x faster than
// the same loop in JavaScript. Rows are copied once into the module's memory, `stride` floats apart
// (the dimension rounded up to 16, zero padded); the kernel is dots.wat.
import { DOTS_WASM_BASE64 } from './dots-wasm.js';

// The few WebAssembly types used here (the project's TypeScript libs leave out the DOM's).
interface DotsExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  dots(rows: number, n: number, stride: number, query: number, out: number): void;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

function dotsModule(): object {
  compiled ??= new wasm.Module(Buffer.from(DOTS_WASM_BASE64, 'base64'));
  return compiled;
}

export class RowDots {
  readonly stride: number;
  private readonly exports: DotsExports;
  private readonly queryOffset: number;
  private readonly outOffset: number;
  private readonly query: Float32Array;
  private readonly out: Float32Array;

  /** @param rows `count` rows of `dim` floats, back to back */
  constructor(
    rows: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {
    if (rows.length !== count * dim) throw new RangeError(`RowDots: ${rows.length} floats for ${count} rows of ${dim}`);
    this.stride = Math.ceil(dim / 16) * 16;
    const rowBytes = count * this.stride * 4;
    this.queryOffset = rowBytes;
    this.outOffset = rowBytes + this.stride * 4;
    const bytes = this.outOffset + Math.max(1, count) * 4;
    this.exports = new wasm.Instance(dotsModule()).exports as unknown as DotsExports;
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) this.exports.memory.grow(Math.ceil((bytes - have) / 65536));
    const mem = this.exports.memory.buffer;
    const table = new Float32Array(mem, 0, count * this.stride);
    for (let r = 0; r < count; r++) table.set(rows.subarray(r * dim, (r + 1) * dim), r * this.stride);
    this.query = new Float32Array(mem, this.queryOffset, this.stride);
    this.out = new Float32Array(mem, this.outOffset, Math.max(1, count));
  }

  /**
   * Dots of `q` with rows [start, end). The answer is a view into the module's memory, valid until
   * the next call: copy what must outlive it.
   */
  dots(q: Float32Array, start = 0, end = this.count): Float32Array {
    if (q.length !== this.dim) throw new RangeError(`RowDots: query of ${q.length} floats, rows of ${this.dim}`);
    if (!(start >= 0 && start <= end && end <= this.count)) throw new RangeError(`RowDots: rows [${start}, ${end}) of ${this.count}`);
    this.query.set(q);
    this.exports.dots(start * this.stride * 4, end - start, this.stride, this.queryOffset, this.outOffset);
    return this.out.subarray(0, end - start);
  }
}
