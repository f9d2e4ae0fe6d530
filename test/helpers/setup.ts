/** Runs with every test file (vitest.config.ts setupFiles): nothing is left in the temp folder. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

// a resume test's folders hold hundreds of MB: removing them may take a while on a busy disk
afterAll(() => removeTempDirs(), 300_000);
