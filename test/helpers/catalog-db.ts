/**
 * Reading a catalog file from a test (read-only, closed after each query, so the CLI can open it
 * again right after).
 */
import { DuckDBInstance } from '@duckdb/node-api';

export async function query<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    const r = await conn.runAndReadAll(sql);
    conn.closeSync();
    return r.getRowObjectsJS() as T[];
  } finally {
    instance.closeSync();
  }
}

/** A single number from a query such as `SELECT count(*) AS n FROM ...`. */
export async function count(db: string, sql: string): Promise<number> {
  const rows = await query(db, sql);
  return Number(Object.values(rows[0] ?? {})[0] ?? NaN);
}
