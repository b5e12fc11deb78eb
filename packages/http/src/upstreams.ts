// Where each provider model is served: the chat completions URL and API key of each backend_ref,
// resolved once from the config. Keys come from the config or from one documented env variable.
import type { ProviderModel, RouterConfig } from '@semroute/router';

/** One place a model can be called. */
export interface Upstream {
  /** Provider model name (providers.models[].name). */
  model: string;
  /** The body's `model` when forwarding. */
  providerModelId: string;
  /** backend_refs[].name, or the model name; what logs and errors call this upstream. */
  name: string;
  /** Full chat completions URL. */
  url: URL;
  /** Never logged. */
  apiKey?: string;
}

/** A backend without an explicit key reads `<NAME>_API_KEY`, NAME being the backend name upper-cased with `_` for other characters. */
export function defaultKeyEnv(backendName: string): string {
  return `${backendName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_API_KEY`;
}

type BackendRef = NonNullable<ProviderModel['backend_refs']>[number];

/** `base_url` + `/chat/completions`; or `endpoint` (`host:port` -> `<protocol>://host:port/v1`) + `/chat/completions`. */
export function chatCompletionsUrl(ref: BackendRef, where: string): URL {
  let base: string;
  if (ref.base_url) base = ref.base_url;
  else if (ref.endpoint) {
    const withScheme = ref.endpoint.includes('://') ? ref.endpoint : `${ref.protocol ?? 'http'}://${ref.endpoint}`;
    base = withScheme;
  } else throw new Error(`${where}: a backend_ref needs base_url or endpoint`);
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(`${where}: ${JSON.stringify(base)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}: protocol must be http or https, got ${url.protocol}`);
  if (!ref.base_url && (url.pathname === '/' || url.pathname === '')) url.pathname = '/v1';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url;
}

/** Every model's upstreams, in backend_refs order; throws on a malformed URL, naming the config path. */
export function resolveUpstreams(config: RouterConfig, env: Record<string, string | undefined>, warn: (msg: string) => void = () => {}): Map<string, Upstream[]> {
  const out = new Map<string, Upstream[]>();
  for (const [i, m] of config.providers.models.entries()) {
    const list: Upstream[] = [];
    for (const [j, ref] of (m.backend_refs ?? []).entries()) {
      const where = `providers.models[${i}].backend_refs[${j}]`;
      const name = ref.name ?? m.name;
      const keyEnv = ref.api_key_env ?? defaultKeyEnv(name);
      const apiKey = ref.api_key || env[keyEnv] || undefined;
      if (!apiKey && ref.api_key_env) warn(`${where}: ${ref.api_key_env} is not set; ${name} is called without an API key`);
      list.push({ model: m.name, providerModelId: m.provider_model_id ?? m.name, name, url: chatCompletionsUrl(ref, where), ...(apiKey ? { apiKey } : {}) });
    }
    out.set(m.name, list);
  }
  return out;
}
