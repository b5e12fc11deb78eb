// Files the CLI ships with, located relative to this module (same depth in src/ and dist/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The package root (packages/cli). */
export const cliRoot = path.resolve(here, '..');

/** Bundled default config: the seed's three cards and its MoM decision. */
export const defaultConfigPath = path.join(cliRoot, 'config', 'default.yaml');

/** The repository root (packages/cli/../..). */
export const repoRoot = path.resolve(cliRoot, '..', '..');

/**
 * The embedding model directory used when the config names none: $SEMROUTE_MODEL_DIR, else
 * ./models/all-MiniLM-L6-v2 under the working directory, else the repository checkout's
 * models/all-MiniLM-L6-v2 (where scripts/fetch-model.sh puts it); undefined when none exists.
 */
export function defaultModelDir(env: Record<string, string | undefined>, cwd = process.cwd()): string | undefined {
  if (env.SEMROUTE_MODEL_DIR) return path.resolve(env.SEMROUTE_MODEL_DIR);
  for (const root of [cwd, repoRoot]) {
    const dir = path.join(root, 'models', 'all-MiniLM-L6-v2');
    if (existsSync(path.join(dir, 'config.json'))) return dir;
  }
  return undefined;
}
