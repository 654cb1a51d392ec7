import { defineConfig } from 'vitest/config';

// One test runner for the whole repo. Unit tests live next to the code (`*.test.ts`),
// cross-package and end-to-end tests under `test/`. Benchmarks are not tests: `npm run bench`.
export default defineConfig({
  test: {
    include: ['{runner,blocks,targets,plugins}/**/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/bench/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
  },
});
