// Where the embedding model lives: the config says, or the caller does. The library reads no
// environment variable and knows no repository layout; the CLI supplies its defaults.
import path from 'node:path';
import { RouterError } from './errors.js';

/**
 * The model directory: `embedding.model_path` resolved against the config's directory, else
 * `defaultDir`; with neither, a `MODEL_LOAD_FAILED` error that says what to set.
 */
export function resolveModelPath(modelPath: string | undefined, configDir: string, defaultDir?: string): string {
  if (modelPath) return path.resolve(configDir, modelPath);
  if (defaultDir) return path.resolve(defaultDir);
  throw new RouterError(
    'MODEL_LOAD_FAILED',
    'no embedding model directory: set embedding.model_path in the config or pass defaultModelDir (the semroute CLI also reads $SEMROUTE_MODEL_DIR and, for proxy, --model-dir)',
  );
}
