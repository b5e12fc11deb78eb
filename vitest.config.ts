import { defineConfig } from 'vitest/config';

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
  },
});
