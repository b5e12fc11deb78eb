// `semroute validate`: every config error with its YAML path, exit 1 if any.
import type { Command } from 'commander';
import { ConfigError, formatIssues, loadConfig } from '@semroute/router';
import { processIo, reportError, type Io } from '../io.js';
import { defaultConfigPath } from '../paths.js';

export interface ValidateOptions {
  config?: string;
  json?: boolean;
}

export function registerValidate(program: Command, io: Io = processIo): void {
  program
    .command('validate')
    .description('check a router config and print every error with its YAML path')
    .option('-c, --config <file>', 'router config (YAML); default: the bundled seed config')
    .option('--json', 'print {ok, errors, warnings} as JSON')
    .action(async (opts: ValidateOptions) => {
      process.exitCode = await runValidate(opts, io);
    });
}

/** Runs the command; returns the exit code. */
export async function runValidate(opts: ValidateOptions, io: Io, env: Record<string, string | undefined> = process.env): Promise<number> {
  const file = opts.config ?? defaultConfigPath;
  try {
    const loaded = await loadConfig(file, { env });
    const c = loaded.config;
    if (opts.json) {
      io.out(JSON.stringify({ ok: true, errors: [], warnings: loaded.warnings }));
    } else {
      io.out(
        `${file}: OK (${c.routing.modelCards.length} cards, ${c.providers.models.length} provider models, ` +
          `${c.routing.decisions.length} decisions)`,
      );
      for (const w of loaded.warnings) io.err(`warning: ${w.path}${w.line ? ` (line ${w.line})` : ''}: ${w.message}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError && opts.json) {
      io.out(JSON.stringify({ ok: false, errors: err.issues, warnings: [] }));
      return 1;
    }
    if (err instanceof ConfigError) {
      io.err(formatIssues(err.issues, err.source));
      return 1;
    }
    return reportError(err, io);
  }
}
