// Where the embedding model lives when the config does not say.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: the nearest ancestor of this file with pnpm-workspace.yaml, if any. */
function repoRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The model directory: `embedding.model_path` resolved against the config's directory; else
 * `defaultDir`; else $SEMROUTE_MODEL_DIR (the config contract's default, read here so every
 * caller gets it); else <repo>/models/all-MiniLM-L6-v2.
 */
export function resolveModelPath(modelPath: string | undefined, configDir: string, defaultDir?: string): string {
  if (modelPath) return path.resolve(configDir, modelPath);
  if (defaultDir) return path.resolve(defaultDir);
  const fromEnv = process.env.SEMROUTE_MODEL_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  const root = repoRoot() ?? process.cwd();
  return path.join(root, 'models', 'all-MiniLM-L6-v2');
}
