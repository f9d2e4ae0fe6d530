/**
 * The statements a sync runs for every page, prepared once and bound for each page: the page
 * lookup (ids bound as a VARCHAR list) and the page commit's statements (store.ts).
 */
import { LIST, VARCHAR, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import type { Existing } from './store.js';

const VARCHAR_LIST = LIST(VARCHAR);

/**
 * The statements a sync runs for every page, each prepared on first use and reused for the pages
 * after it (bound anew each time; DuckDB binds a statement again by itself when a table it reads,
 * such as the per-page staging tables, was replaced).
 */
export class Statements {
  readonly #conn: DuckDBConnection;
  readonly #cache = new Map<string, DuckDBPreparedStatement>();

  constructor(conn: DuckDBConnection) {
    this.#conn = conn;
  }

  async run(sql: string, values: DuckDBValue[] = []): Promise<void> {
    let stmt = this.#cache.get(sql);
    if (stmt === undefined) {
      stmt = await this.#conn.prepare(sql);
      this.#cache.set(sql, stmt);
    }
    stmt.clearBindings();
    if (values.length > 0) stmt.bind(values);
    await stmt.run();
  }

  close(): void {
    for (const stmt of this.#cache.values()) stmt.destroySync();
    this.#cache.clear();
  }
}

/**
 * The statement that reads what the catalog holds for a page's ids, prepared once per sync and
 * bound for each page (the ids bound as a VARCHAR list).
 */
export class PageLookup {
  readonly #stmt: DuckDBPreparedStatement;
  readonly #names: readonly string[];

  private constructor(stmt: DuckDBPreparedStatement, names: readonly string[]) {
    this.#stmt = stmt;
    this.#names = names;
  }

  /** `names`: the enrichers whose fetch state is read (names are the code's own, never input). */
  static async prepare(conn: DuckDBConnection, names: readonly string[]): Promise<PageLookup> {
    const joins = names.map((name, i) => `LEFT JOIN fetch_state f${i} ON f${i}.id = d.id AND f${i}.stage = '${name}'`).join(' ');
    // narrow columns only: reading `record` here would scan the whole catalog's JSON for every page
    const cols = names.map((_, i) => `, f${i}.sha AS s${i}_sha, coalesce(f${i}.ok, false) AS s${i}_ok, f${i}.value::VARCHAR AS s${i}_stored`).join('');
    const sql = `SELECT d.id, d.sha, d.content_hash, d.removed_at IS NOT NULL AS removed, coalesce(d.last_sync_id = $1, false) AS seen${cols}
      FROM datasets d ${joins} WHERE d.id IN (SELECT unnest($2))`;
    return new PageLookup(await conn.prepare(sql), names);
  }

  /** What the catalog holds for `ids` (one query for the page). */
  async read(syncId: number, ids: readonly string[]): Promise<Map<string, Existing>> {
    this.#stmt.bindInteger(1, syncId);
    this.#stmt.bindList(2, ids, VARCHAR_LIST);
    const result = await this.#stmt.runAndReadAll();
    const out = new Map<string, Existing>();
    for (const r of result.getRowObjectsJS() as Record<string, unknown>[]) {
      const st = new Map<string, { sha: string | null; ok: boolean; stored: unknown }>();
      this.#names.forEach((name, i) => {
        const stored = r[`s${i}_stored`];
        st.set(name, { sha: (r[`s${i}_sha`] as string | null) ?? null, ok: r[`s${i}_ok`] === true, stored: typeof stored === 'string' ? JSON.parse(stored) : null });
      });
      out.set(String(r.id), { sha: (r.sha as string | null) ?? null, removed: r.removed === true, seen: r.seen === true, hash: (r.content_hash as string | null) ?? null, stages: st });
    }
    return out;
  }

  close(): void {
    this.#stmt.destroySync();
  }
}
