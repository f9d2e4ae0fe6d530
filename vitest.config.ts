import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `npm test`:
 * - unit: pure and in-process tests (no child process, no fake server): seconds. `npm run test:unit`.
 * - e2e: the real CLI in child processes, fake Hub / viewer servers, real sockets. `npm run test:e2e`.
 * A test file belongs to unit only when listed here; every other file is e2e.
 */
const UNIT = [
  'test/catalog-checkpoint.test.ts',
  'test/catalog-schema.test.ts',
  'test/config.test.ts',
  'test/errors.test.ts',
  'test/json-array.test.ts',
  'test/ndjson-out.test.ts',
  'test/links.test.ts',
  'test/options.test.ts',
  'test/ordered-map.test.ts',
  'test/rate-limiter.test.ts',
  'test/record-pipeline.test.ts',
  'test/record.test.ts',
  'test/retry-timing.test.ts',
  'test/safe-name.test.ts',
  'test/session.test.ts',
  'test/sinks.memfs.test.ts',
  'test/web-pages.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // two test files at once: most of the suite waits on its fake servers and child processes, not the CPU
    // (vitest's default on a 2-core machine is one worker, which ran the suite serially in ~320 s)
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: UNIT } },
    ],
  },
});
