// Small statistics and report helpers for the benchmarks.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Writes a JSON report, creating the folder; returns its path. */
export async function writeReport(dir: string, name: string, data: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Accuracy and a confusion table from (expected, predicted) pairs. */
export function accuracy(pairs: Array<[string, string]>) {
  const confusion: Record<string, Record<string, number>> = {};
  let ok = 0;
  for (const [e, p] of pairs) {
    if (e === p) ok++;
    const row = confusion[e] ?? {};
    confusion[e] = row;
    row[p] = (row[p] ?? 0) + 1;
  }
  return { correct: ok, total: pairs.length, accuracy: pairs.length ? ok / pairs.length : 0, confusion };
}
