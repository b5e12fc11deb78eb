// On-disk cache of embedded texts (the task library's prompt vectors), keyed by the model and the data.
// One file per key: a header (magic, rows, dim, sha256 of the payload) then rows*dim little-endian
// f32. Writes go to a unique temporary file renamed into place, so processes starting at once never
// see a half-written file; a file that fails any check is treated as absent and rewritten.
// Processes that miss at once compute only once: the first takes `<file>.lock` (created exclusively,
// its mtime refreshed while it computes); the others wait for the file. A lock whose holder stopped
// refreshing it (crashed, killed) is stale after a few seconds and taken over; a waiter whose holder
// gave up without writing computes itself. Nothing waits without bound.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAGIC = Buffer.from('SRVEC1\0\0', 'latin1');
const HEADER = MAGIC.length + 8 + 32;

/** Lock timing: the holder refreshes the lock every `heartbeatMs`; older than `staleMs` it is abandoned. */
export const LOCK_TIMING = { heartbeatMs: 2_000, staleMs: 15_000, pollMs: 200 };

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
  const lock = `${file}.lock`;
  const held = await takeLock(dir, lock);
  if (held === 'busy') {
    const shared = await waitForHolder(file, lock, rows, dim);
    if (shared) return { data: shared, outcome: 'hit' };
  }
  const heartbeat = held === 'held' ? setInterval(() => void utimes(lock, new Date(), new Date()).catch(() => {}), LOCK_TIMING.heartbeatMs) : undefined;
  heartbeat?.unref();
  try {
    const data = await compute();
    if (data.length !== rows * dim) throw new Error(`vector cache: computed ${data.length} floats, expected ${rows} x ${dim}`);
    await store(dir, file, data, rows, dim, onError);
    return { data, outcome };
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (held === 'held') await rm(lock, { force: true }).catch(() => {});
  }
}

/**
 * 'held': this process computes; 'busy': another one does; 'none': no lock could be made (compute
 * anyway; the directory's problem is reported when the file is written).
 */
async function takeLock(dir: string, lock: string): Promise<'held' | 'busy' | 'none'> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      await (await open(lock, 'wx')).close();
      return 'held';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return 'none';
      const age = await stat(lock).then((st) => Date.now() - st.mtimeMs, () => Infinity);
      if (age <= LOCK_TIMING.staleMs) return 'busy';
      await rm(lock, { force: true }).catch(() => {}); // abandoned: take it over
    }
  }
  return 'busy';
}

/** Waits while a live holder computes; the rows once its file is there, undefined if it gave up. */
async function waitForHolder(file: string, lock: string, rows: number, dim: number): Promise<Float32Array | undefined> {
  for (;;) {
    await new Promise((r) => setTimeout(r, LOCK_TIMING.pollMs));
    const hit = await readFile(file).then((b) => decode(b, rows, dim), () => undefined);
    if (hit) return hit;
    const age = await stat(lock).then((st) => Date.now() - st.mtimeMs, () => undefined);
    if (age === undefined || age > LOCK_TIMING.staleMs) return undefined;
  }
}

async function store(dir: string, file: string, data: Float32Array, rows: number, dim: number, onError: (err: unknown) => void): Promise<void> {
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
