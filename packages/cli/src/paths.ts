// Files the CLI ships with, located relative to this module (same depth in src/ and dist/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The package root (packages/cli). */
export const cliRoot = path.resolve(here, '..');

/** Bundled default config: the seed's three cards and its MoM decision. */
export const defaultConfigPath = path.join(cliRoot, 'config', 'default.yaml');

/**
 * The semroute repository checkout a CLI package directory belongs to, or undefined when it is not
 * one (an installed CLI: `node_modules/@semroute/cli`). A checkout is recognised by its layout
 * around the package, not assumed: `<root>/packages/cli` with the repo's `bench/routing-set.jsonl`.
 */
export function checkoutRoot(cliDir: string): string | undefined {
  const packages = path.dirname(cliDir);
  if (path.basename(cliDir) !== 'cli' || path.basename(packages) !== 'packages') return undefined;
  const root = path.dirname(packages);
  return existsSync(path.join(root, 'bench', 'routing-set.jsonl')) ? root : undefined;
}

/** The repository root when this CLI runs from a checkout (packages/cli/../..); undefined when installed. */
export const repoRoot: string | undefined = checkoutRoot(cliRoot);

/**
 * The embedding model directory used when the config names none: $SEMROUTE_MODEL_DIR, else
 * ./models/all-MiniLM-L6-v2 under the working directory, else, only when running from a repository
 * checkout, its models/all-MiniLM-L6-v2 (where scripts/fetch-model.sh puts it); undefined when none exists.
 */
export function defaultModelDir(env: Record<string, string | undefined>, cwd = process.cwd(), checkout: { root: string | undefined } = { root: repoRoot }): string | undefined {
  if (env.SEMROUTE_MODEL_DIR) return path.resolve(env.SEMROUTE_MODEL_DIR);
  for (const root of checkout.root ? [cwd, checkout.root] : [cwd]) {
    const dir = path.join(root, 'models', 'all-MiniLM-L6-v2');
    if (existsSync(path.join(dir, 'config.json'))) return dir;
  }
  return undefined;
}
