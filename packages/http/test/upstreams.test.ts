// Where a backend_ref is called: base_url as given, or endpoint + protocol as <protocol>://host:port/v1.
import { describe, expect, it } from 'vitest';
import { chatCompletionsUrl, defaultKeyEnv, resolveUpstreams } from '../src/upstreams.js';

const url = (ref: Parameters<typeof chatCompletionsUrl>[0]) => chatCompletionsUrl(ref, 'providers.models[0].backend_refs[0]').href;

describe('chatCompletionsUrl', () => {
  it('endpoint without protocol: http, /v1 added', () => {
    expect(url({ endpoint: 'localhost:11434' })).toBe('http://localhost:11434/v1/chat/completions');
  });

  it('endpoint with protocol: https is used', () => {
    expect(url({ endpoint: 'api.example.com:8443', protocol: 'https' })).toBe('https://api.example.com:8443/v1/chat/completions');
  });

  it('endpoint that already has a scheme or path keeps them; protocol is then ignored', () => {
    expect(url({ endpoint: 'https://gw.example.com/openai', protocol: 'http' })).toBe('https://gw.example.com/openai/chat/completions');
    expect(url({ endpoint: 'http://127.0.0.1:8000/' })).toBe('http://127.0.0.1:8000/v1/chat/completions');
  });

  it('base_url wins over endpoint and gets no /v1', () => {
    expect(url({ base_url: 'http://h:1/api/', endpoint: 'other:2' })).toBe('http://h:1/api/chat/completions');
    expect(url({ base_url: 'http://h:1' })).toBe('http://h:1/chat/completions');
  });

  it('refuses a protocol other than http(s), a bad URL, and a ref with neither field, naming the path', () => {
    expect(() => url({ endpoint: 'h:1', protocol: 'grpc' } as never)).toThrow(/backend_refs\[0\]: protocol must be http or https, got grpc:/);
    expect(() => url({ endpoint: 'not a host:port' })).toThrow(/backend_refs\[0\]: .* is not a valid URL/);
    expect(() => url({})).toThrow(/backend_refs\[0\]: a backend_ref needs base_url or endpoint/);
  });
});

describe('resolveUpstreams', () => {
  it('resolves endpoint + protocol refs and reads <NAME>_API_KEY', () => {
    const config = { providers: { models: [{ name: 'm', provider_model_id: 'm-1', backend_refs: [{ name: 'edge-gw', endpoint: 'edge:443', protocol: 'https' }] }] } };
    const ups = resolveUpstreams(config as never, { [defaultKeyEnv('edge-gw')]: 'k1' });
    expect(defaultKeyEnv('edge-gw')).toBe('EDGE_GW_API_KEY');
    expect(ups.get('m')).toEqual([{ model: 'm', providerModelId: 'm-1', name: 'edge-gw', url: new URL('https://edge:443/v1/chat/completions'), apiKey: 'k1' }]);
  });
});
