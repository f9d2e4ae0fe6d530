/**
 * The process settings `sync` and `export` apply before DuckDB loads (src/commands/process-tuning.ts):
 * each check runs in a fresh node process, as the CLI does, since both settings only take effect
 * before the native library is loaded and before the young generation grows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const url = (p: string): string => pathToFileURL(join(ROOT, p)).href;
const TUNING = url('dist/src/commands/process-tuning.js');

function node(script: string, env: Record<string, string | undefined> = {}): { stdout: string; stderr: string; status: number | null } {
  const base: Record<string, string | undefined> = { ...process.env, DUCKDB_JE_MALLOC_CONF: undefined, NODE_OPTIONS: undefined, ...env };
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: clean, encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('process settings for the catalog', () => {
  it("sets DuckDB's allocator configuration, and keeps a user's own", () => {
    const script = `const { tuneProcessForCatalog } = await import(${JSON.stringify(TUNING)}); tuneProcessForCatalog(); tuneProcessForCatalog(); console.log(process.env.DUCKDB_JE_MALLOC_CONF);`;
    expect(node(script).stdout.trim()).toBe('narenas:1,tcache:false');
    expect(node(script, { DUCKDB_JE_MALLOC_CONF: 'narenas:4' }).stdout.trim()).toBe('narenas:4');
  });

  it('reaches the allocator inside DuckDB when set before the library loads', () => {
    // stats_print makes jemalloc report its options at exit: proof that the variable was read
    const script = `const { tuneProcessForCatalog } = await import(${JSON.stringify(TUNING)}); tuneProcessForCatalog();
      process.env.DUCKDB_JE_MALLOC_CONF += ',stats_print:true';
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
      await c.run('CREATE TABLE t AS SELECT range AS a FROM range(10000)'); c.closeSync(); db.closeSync();`;
    const r = node(script);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/opt\.narenas: 1\b/);
    expect(r.stderr).toMatch(/opt\.tcache: false/);
  });

  it.runIf(existsSync('/proc/self/maps'))('the CLI loads DuckDB only when a catalog command runs (so the settings come first)', () => {
    const script = `await import(${JSON.stringify(url('dist/src/cli.js'))}); const { readFileSync } = await import('node:fs'); console.log(readFileSync('/proc/self/maps', 'utf8').includes('libduckdb') ? 'loaded' : 'not loaded');`;
    expect(node(script).stdout.trim()).toBe('not loaded');
  });
});
