/** Runs with every test file (vitest.config.ts setupFiles): nothing is left in the temp folder. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(() => {
  removeTempDirs();
});
