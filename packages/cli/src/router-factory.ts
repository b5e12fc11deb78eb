// How commands get a router: the --config file or the bundled default, the default model dir.
import { createRouter, loadConfig, type LoadedConfig, type Router, type TextEmbedder } from '@semroute/router';
import { defaultConfigPath, defaultModelDir } from './paths.js';

export interface RouterDeps {
  /** Tests inject a fake embedder; commands load the real one. */
  embedder?: TextEmbedder;
  env?: Record<string, string | undefined>;
}

/** Loads the config (or the bundled default) and creates a router for it. */
export async function openRouter(
  config: string | LoadedConfig | undefined,
  deps: RouterDeps = {},
): Promise<{ router: Router; loaded: LoadedConfig }> {
  const env = deps.env ?? process.env;
  const loaded = typeof config === 'object' ? config : await loadConfig(config ?? defaultConfigPath, { env });
  const modelDir = defaultModelDir(env);
  const router = await createRouter({
    config: loaded,
    ...(deps.embedder ? { embedder: deps.embedder } : {}),
    ...(modelDir ? { defaultModelDir: modelDir } : {}),
  });
  return { router, loaded };
}
