// examples/agentgateway.yaml keeps what current agentgateway requires and what docs/gateway.md
// promises: gatewayNamespace on the policy target, body modes that exist, routes whose header values
// are the router's card names, and a fallback that pins a real model.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const gw = parse(readFileSync(path.join(root, 'examples/agentgateway.yaml'), 'utf8'));
const router = parse(readFileSync(path.join(root, 'test/reference/seed-router-config.yaml'), 'utf8'));
const MODES = ['none', 'buffered', 'bufferedPartial', 'fullDuplexStreamed'];

describe('examples/agentgateway.yaml', () => {
  const policy = gw.policies[0];
  const routes = gw.binds[0].listeners[0].routes as Array<{ matches?: Array<{ headers: Array<{ name: string; value: { exact: string } }> }>; backends: Array<{ ai: { provider: Record<string, { model?: string }> } }> }>;

  it('targets the gateway with both name and namespace, before route selection, failing open', () => {
    expect(policy.target.gateway).toEqual({ gatewayName: 'default', gatewayNamespace: 'default' });
    expect(policy.phase).toBe('gateway');
    expect(policy.policy.extProc.failureMode).toBe('failOpen');
  });

  it('uses only body modes agentgateway has, and the one that survives bodies over its buffer', () => {
    const o = policy.policy.extProc.processingOptions;
    expect(MODES).toContain(o.requestBodyMode);
    expect(MODES).toContain(o.responseBodyMode);
    expect(o.requestBodyMode).toBe('bufferedPartial');
  });

  it('matches x-selected-model on every card name of the router config', () => {
    const values = routes.flatMap((r) => r.matches ?? []).flatMap((m) => m.headers.filter((h) => h.name === 'x-selected-model').map((h) => h.value.exact));
    expect(values.sort()).toEqual(router.routing.modelCards.map((c: { name: string }) => c.name).sort());
  });

  it('pins a real provider model on the fallback route', () => {
    const fallback = routes.at(-1)!;
    expect(fallback.matches).toBeUndefined();
    const provider = fallback.backends[0]!.ai.provider;
    const pinned = Object.values(provider)[0]?.model;
    const ids = router.providers.models.map((m: { provider_model_id: string }) => m.provider_model_id);
    expect(ids).toContain(pinned);
  });
});
