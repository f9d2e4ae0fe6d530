/**
 * Lean checkpoints (src/catalog/schema.ts): DuckDB's cache is evicted before a checkpoint only when
 * what it cannot evict fits the floor, and the memory limit is always given back.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DUCKDB_SETTINGS, LEAN_FLOOR, leanCheckpoint, openCatalog } from '../src/catalog/schema.js';
import { tempDir } from './helpers/cli.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const MB = (v: string): number => Number(/^(\d+)MB$/.exec(v)![1]);

/**
 * A stand-in for DuckDB's connection that keeps the state the statements change (the memory
 * limit, what is held in memory, checkpoints taken), so the tests check outcomes, not the SQL.
 * `held` MB cannot be evicted: a memory limit below it is refused, as DuckDB refuses it.
 */
function duckdbLike(held: number, failCheckpoint = false) {
  const state = { limit: MB(DUCKDB_SETTINGS.memory_limit!), cache: 40, checkpoints: [] as Array<{ limit: number; cache: number }> };
  const conn = {
    run: async (s: string) => {
      const set = /^SET memory_limit = '(\d+MB)'$/.exec(s);
      if (set) {
        const want = MB(set[1]!);
        if (want < held) throw new Error('Out of Memory Error: failed to change the memory limit');
        state.limit = want;
        state.cache = Math.min(state.cache, Math.max(0, want - held)); // the cache is evicted down to the limit
      } else if (s === 'CHECKPOINT') {
        if (failCheckpoint) throw new Error('IO Error: disk full');
        state.checkpoints.push({ limit: state.limit, cache: state.cache });
      } else throw new Error(`unexpected statement ${s}`);
    },
  } as unknown as DuckDBConnection;
  return { conn, state };
}

const usual = MB(DUCKDB_SETTINGS.memory_limit!);

describe('lean checkpoint', () => {
  it('checkpoints with the cache evicted and room above the floor, then gives the usual limit back', async () => {
    const { conn, state } = duckdbLike(8);
    await leanCheckpoint(conn);
    expect(state.checkpoints).toHaveLength(1);
    const [ckpt] = state.checkpoints;
    expect(ckpt!.cache).toBeLessThanOrEqual(MB(LEAN_FLOOR));
    expect(ckpt!.limit - MB(LEAN_FLOOR)).toBeGreaterThanOrEqual(16); // room to work with
    expect(state.limit).toBe(usual);
  });

  it('still checkpoints, at the usual limit, when what DuckDB holds does not fit the floor', async () => {
    const { conn, state } = duckdbLike(MB(LEAN_FLOOR) + 4);
    await leanCheckpoint(conn);
    expect(state.checkpoints).toEqual([{ limit: usual, cache: expect.any(Number) }]);
    expect(state.limit).toBe(usual);
  });

  it('gives the usual limit back when the checkpoint itself fails', async () => {
    const { conn, state } = duckdbLike(8, true);
    await expect(leanCheckpoint(conn)).rejects.toThrow(/disk full/);
    expect(state.limit).toBe(usual);
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
