// Output and error reporting for commands: user errors get one clear message and exit code 1,
// never a stack trace (set SEMROUTE_DEBUG=1 to see one).
import { ConfigError, RouterError, formatIssues } from '@semroute/router';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** An error caused by the user's input (bad flag, missing file, malformed line). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Prints an error the way a user should read it; returns the exit code. */
export function reportError(err: unknown, io: Io, debug = false): number {
  if (err instanceof ConfigError) {
    io.err(`error: invalid config\n${formatIssues(err.issues, err.source)}`);
    return 1;
  }
  if (err instanceof UserError) {
    io.err(`error: ${err.message}`);
    return 1;
  }
  if (err instanceof RouterError) {
    io.err(`error [${err.code}]: ${err.message}`);
    if (debug && err.cause instanceof Error && err.cause.stack) io.err(err.cause.stack);
    return err.code === 'INVALID_REQUEST' ? 1 : 2;
  }
  const e = err as Error;
  io.err(`error: ${e?.message ?? String(err)}`);
  if (debug && e?.stack) io.err(e.stack);
  return 2;
}
