/**
 * Lean checkpoints (src/catalog/schema.ts): DuckDB's cache is evicted before a checkpoint only when
 * what it cannot evict fits the floor, and the memory limit is always given back.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DUCKDB_SETTINGS, LEAN_FLOOR, LEAN_LIMIT, leanCheckpoint, openCatalog } from '../src/catalog/schema.js';
import { tempDir } from './helpers/cli.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** A connection that records its statements and refuses the ones `refuse` matches. */
function recorder(refuse: RegExp | null): { conn: DuckDBConnection; sql: string[] } {
  const sql: string[] = [];
  const conn = {
    run: async (s: string) => {
      sql.push(s);
      if (refuse?.test(s)) throw new Error('Out of Memory Error: failed to change the memory limit');
    },
  } as unknown as DuckDBConnection;
  return { conn, sql };
}

const limit = DUCKDB_SETTINGS.memory_limit!;

describe('lean checkpoint', () => {
  it('evicts down to the floor, checkpoints with room above it, and restores the limit', async () => {
    const { conn, sql } = recorder(null);
    await leanCheckpoint(conn);
    expect(sql).toEqual([`SET memory_limit = '${LEAN_FLOOR}'`, `SET memory_limit = '${LEAN_LIMIT}'`, 'CHECKPOINT', `SET memory_limit = '${limit}'`]);
  });

  it('checkpoints at the usual limit when what DuckDB holds does not fit the floor', async () => {
    const { conn, sql } = recorder(new RegExp(`'${LEAN_FLOOR}'`));
    await leanCheckpoint(conn);
    expect(sql).toEqual([`SET memory_limit = '${LEAN_FLOOR}'`, `SET memory_limit = '${limit}'`, 'CHECKPOINT']);
  });

  it('restores the limit when the checkpoint itself fails', async () => {
    const { conn, sql } = recorder(/^CHECKPOINT$/);
    await expect(leanCheckpoint(conn)).rejects.toThrow();
    expect(sql.at(-1)).toBe(`SET memory_limit = '${limit}'`);
  });

  it('writes the WAL into a real catalog and leaves its limit as it was', async () => {
    dir = tempDir('hfds-ckpt-');
    const db = join(dir, 'c.duckdb');
    const c = await openCatalog(db, { write: true });
    try {
      await c.conn.run("INSERT INTO datasets (id, sha, record) SELECT 'o/d-' || range, 'x', repeat('{}', 1) FROM range(5000)");
      expect(existsSync(`${db}.wal`) && statSync(`${db}.wal`).size > 0).toBe(true);
      await c.checkpoint();
      expect(existsSync(`${db}.wal`) ? statSync(`${db}.wal`).size : 0).toBe(0);
      const r = (await c.conn.runAndReadAll("SELECT current_setting('memory_limit') AS m, (SELECT count(*) FROM datasets) AS n")).getRowObjectsJS()[0]!;
      expect(Number(r.n)).toBe(5000);
      expect(String(r.m)).toMatch(/^4[5-8]\.\d+ MiB$/); // 48MB as DuckDB prints it
    } finally {
      c.close();
    }
  });
});
