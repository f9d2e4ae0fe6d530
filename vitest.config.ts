import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // two test files at once: most of the suite waits on its fake servers and child processes, not the CPU
    // (vitest's default on a 2-core machine is one worker, which ran the suite serially in ~320 s)
    maxWorkers: 2,
    setupFiles: ['test/helpers/setup.ts'],
  },
});
