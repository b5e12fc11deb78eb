// Reading user-named files with errors a user can act on.
import { readFile } from 'node:fs/promises';
import { UserError } from './io.js';

/** Reads a UTF-8 file ("-" = stdin); a missing or unreadable file is a UserError naming it. */
export async function readUserFile(file: string, what = 'file'): Promise<string> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${what} ${file}: ${code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
  }
}

/** Parses JSON from a user file, naming the file when it is malformed. */
export function parseUserJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}
