// On-disk cache of embedded texts (the task library's prompt vectors), keyed by the model and the data.
// One file per key: a header (magic, rows, dim, sha256 of the payload) then rows*dim little-endian
// f32. Writes go to a unique temporary file renamed into place, so processes starting at once never
// see a half-written file; a file that fails any check is treated as absent and rewritten.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAGIC = Buffer.from('SRVEC1\0\0', 'latin1');
const HEADER = MAGIC.length + 8 + 32;

export interface VectorCacheKey {
  /** Identifies the embedding model and its settings (weights, layer, dim, instruction...). */
  model: string;
  /** Identifies the texts (e.g. the library's content hash). */
  data: string;
}

export type CacheOutcome = 'hit' | 'miss' | 'rebuilt' | 'disabled';

/** File name for a key (a hash: safe for any key content). */
export function cacheFileName(key: VectorCacheKey): string {
  return `vectors-${createHash('sha256').update(key.model).update('\u0000').update(key.data).digest('hex').slice(0, 32)}.f32`;
}

/**
 * Returns cached rows for `key`, or computes them with `compute`, stores them and returns them.
 * `dir` undefined disables the cache. A write failure is reported through `onError` and never fails the load.
 */
export async function cachedVectors(
  dir: string | undefined,
  key: VectorCacheKey,
  rows: number,
  dim: number,
  compute: () => Promise<Float32Array>,
  onError: (err: unknown) => void = () => {},
): Promise<{ data: Float32Array; outcome: CacheOutcome }> {
  if (dir === undefined) return { data: await compute(), outcome: 'disabled' };
  const file = path.join(dir, cacheFileName(key));
  let outcome: CacheOutcome = 'miss';
  try {
    const hit = decode(await readFile(file), rows, dim);
    if (hit) return { data: hit, outcome: 'hit' };
    outcome = 'rebuilt';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') outcome = 'rebuilt';
  }
  const data = await compute();
  if (data.length !== rows * dim) throw new Error(`vector cache: computed ${data.length} floats, expected ${rows} x ${dim}`);
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, encode(data, rows, dim));
    await rename(tmp, file).catch(async (err) => {
      await rm(tmp, { force: true });
      throw err;
    });
  } catch (err) {
    onError(err);
  }
  return { data, outcome };
}

function encode(data: Float32Array, rows: number, dim: number): Buffer {
  const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(rows, MAGIC.length);
  head.writeUInt32LE(dim, MAGIC.length + 4);
  createHash('sha256').update(payload).digest().copy(head, MAGIC.length + 8);
  return Buffer.concat([head, payload]);
}

/** The rows if the file is whole and matches the expected shape, else undefined. */
function decode(buf: Buffer, rows: number, dim: number): Float32Array | undefined {
  if (buf.length !== HEADER + rows * dim * 4) return undefined;
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (buf.readUInt32LE(MAGIC.length) !== rows || buf.readUInt32LE(MAGIC.length + 4) !== dim) return undefined;
  const payload = buf.subarray(HEADER);
  const sum = createHash('sha256').update(payload).digest();
  if (!sum.equals(buf.subarray(MAGIC.length + 8, HEADER))) return undefined;
  // Copy into an aligned buffer of our own (the read buffer may be pooled or unaligned).
  const out = new Float32Array(rows * dim);
  Buffer.from(out.buffer).set(payload);
  return out;
}
