import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest (packing and installing the tarballs, the frozen routing-quality
 * set, the Redis outage and cache files: 5-30 s each) start first, so that with two workers none of
 * them is left running alone at the end. The rest keep vitest's own order.
 */
const SLOW_FIRST = ['test/pack-install.test.ts', 'test/routing-quality.test.ts', 'outcomes-redis-outage.test.ts', 'cache-redis.test.ts'];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

// Tests run against package sources (the "source" export condition), not dist/. Vitest hands these
// conditions to the test processes as node --conditions, which CommonJS require() honours too: an
// explicit 'import' there made require() load ESM builds (express's is-promise), so only 'source'
// is added to the defaults ('import' / 'require' / 'default' apply anyway).
export default defineConfig({
  resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time (vitest's default in a run is one fewer than the cores: one file at
    // a time on this 2-core machine, 107 s; two: 73 s, issue 11.8). Most files wait on sockets,
    // child processes and Redis more than they compute.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
  },
});
