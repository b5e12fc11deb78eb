import { describe, expect, it } from 'vitest';
import { getSelectorFactory, selectorTypes } from '../src/selection/registry.js';
import { paramIssues } from './selection-fixtures.js';

const ALL = ['static', 'multi_factor', 'router_dc', 'automix', 'hybrid', 'elo', 'rl_driven', 'latency_aware', 'knn', 'kmeans', 'svm', 'mlp', 'session_aware'];

describe('selector registry', () => {
  it('lists every algorithm of the spec', () => {
    expect(new Set(selectorTypes())).toEqual(new Set(ALL));
  });

  it('resolves aliases to the canonical factory', () => {
    expect(getSelectorFactory('routerdc')?.type).toBe('router_dc');
    expect(getSelectorFactory('nope')).toBeUndefined();
  });

  it('creates every untrained selector from empty params', async () => {
    for (const type of ALL.filter((t) => !['knn', 'kmeans', 'svm', 'mlp', 'hybrid'].includes(t))) {
      const f = getSelectorFactory(type)!;
      const s = await f.create(f.params.parse({}), { configDir: '/' });
      expect(s.type).toBe(type);
    }
  });

  it('requires model_path for trained selectors', () => {
    for (const t of ['knn', 'kmeans', 'svm', 'mlp']) expect(paramIssues(t, {})[0]).toMatch(/^model_path: /);
  });
});
