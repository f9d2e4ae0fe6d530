/**
 * The catalog file: opening it (one writer, never waiting), telling a catalog from any other
 * file, and the schema with its migrations.
 *
 * Lifecycle: `openCatalog` → queries → `close()`. A file that is not a catalog, or one written by
 * a newer release, is refused before anything is written to it: it is first inspected read-only.
 */
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogError } from '../errors.js';
import { sleep } from '../util/sleep.js';

/** The schema this release writes. A file at an older version is migrated on open for writing. */
export const SCHEMA_VERSION = 2;

/**
 * DuckDB's settings. Memory: its cap (env HF_DATASETS_DUCKDB_MEMORY, advanced), one thread, and its
 * allocator hands freed memory back soon instead of keeping up to 128 MB. Time: a checkpoint rewrites
 * the tables' last row groups, so it runs after 256 MB of WAL rather than DuckDB's 16 MB (dozens of
 * checkpoints in a first sync, each costlier than the last). Size: a new file is written in the v1.2
 * storage format, whose ZSTD string compression keeps the `record` JSON about 9× smaller.
 */
export const DUCKDB_SETTINGS: Record<string, string> = {
  memory_limit: process.env.HF_DATASETS_DUCKDB_MEMORY ?? '48MB',
  threads: '1',
  preserve_insertion_order: 'false',
  checkpoint_threshold: '256MB',
  allocator_flush_threshold: '8MB',
  storage_compatibility_version: 'v1.2.0',
};

/** One migration: the statements that take a file from `version - 1` to `version`. */
export interface Migration {
  version: number;
  statements: string[];
  /**
   * How a reader (`export`, which never writes) sees a file still below `version`: temporary views
   * giving the tables this version's shape. `{db}` is the file's database name, quoted.
   */
  readAs?: string[];
}

/** Version 1: the tables users query (names are the contract) plus the sync bookkeeping. */
const V1: string[] = [
  `CREATE TABLE datasets(
    id VARCHAR PRIMARY KEY, record JSON, author VARCHAR, sha VARCHAR, downloads BIGINT, likes BIGINT,
    license VARCHAR[], languages VARCHAR[], task_categories VARCHAR[], created_at TIMESTAMPTZ, last_modified TIMESTAMPTZ,
    total_size_bytes BIGINT, num_rows BIGINT, gated VARCHAR,
    first_seen_at TIMESTAMPTZ, last_seen_at TIMESTAMPTZ, removed_at TIMESTAMPTZ,
    last_sync_id INTEGER, content_hash VARCHAR)`,
  'CREATE TABLE files(id VARCHAR, path VARCHAR, size BIGINT, lfs BOOLEAN)',
  `CREATE TABLE syncs(
    sync_id INTEGER PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, complete BOOLEAN, requests BIGINT,
    added BIGINT, updated BIGINT, removed BIGINT, restored BIGINT, unchanged BIGINT, scope JSON,
    cursor VARCHAR, pages BIGINT, listed BIGINT)`,
  'CREATE TABLE events(sync_id INTEGER, id VARCHAR, kind VARCHAR, detected_at TIMESTAMPTZ)',
  'CREATE TABLE downloads_history(sync_id INTEGER, id VARCHAR, downloads BIGINT, likes BIGINT)',
  // per-dataset facts fetched one request at a time (file sizes, viewer stats): for which sha the stored answer
  // holds, and the answer's part of the record (read back without touching the wide record column)
  'CREATE TABLE fetch_state(id VARCHAR, stage VARCHAR, sha VARCHAR, ok BOOLEAN, fetched_at TIMESTAMPTZ, value JSON, PRIMARY KEY (id, stage))',
];

/** `viewer.estimated_num_rows` of the stored record, when its block has one (blocks written before version 2 never do). */
const ESTIMATED_NUM_ROWS = "TRY_CAST(json_extract_string(record, '$.viewer.estimated_num_rows') AS BIGINT)";

/**
 * Version 2: `datasets.estimated_num_rows` (the viewer's estimate when its conversion was partial),
 * filled from the stored records. A viewer block written before it lacks the estimate and the
 * pending / failed subsets, which matter most where the block says `partial` or no rows: those are
 * marked to be asked again at the next `sync --viewer-stats` (kept meanwhile); every other block stays.
 */
const V2: string[] = [
  'ALTER TABLE datasets ADD COLUMN estimated_num_rows BIGINT',
  // the text test first: parsing every record's JSON in this transaction ran out of DuckDB's 48MB at 200,000
  `UPDATE datasets SET estimated_num_rows = ${ESTIMATED_NUM_ROWS}
     WHERE contains(record::VARCHAR, '"estimated_num_rows"') AND ${ESTIMATED_NUM_ROWS} IS NOT NULL`,
  `UPDATE fetch_state SET ok = false WHERE stage = 'viewer' AND ok
     AND json_extract_string(value, '$.available') = 'true' AND json_extract(value, '$.pending') IS NULL
     AND (json_extract_string(value, '$.partial') = 'true' OR coalesce(TRY_CAST(json_extract_string(value, '$.num_rows') AS BIGINT), 0) = 0)`,
];

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, statements: V1 },
  {
    version: 2,
    statements: V2,
    // rowid too: export reads the table in rowid ranges
    readAs: [`CREATE TEMP VIEW datasets AS SELECT rowid AS rowid, *, ${ESTIMATED_NUM_ROWS} AS estimated_num_rows FROM {db}.main.datasets`],
  },
];

export { CatalogError };

export interface Catalog {
  path: string;
  conn: DuckDBConnection;
  /** A checkpoint that evicts DuckDB's cache first (see leanCheckpoint). */
  checkpoint(): Promise<void>;
  close(): void;
}

/**
 * A checkpoint compresses and writes the rows held since the last one, beside DuckDB's full cache:
 * the closing checkpoint of a 200k sync added ~16 MB of resident memory at the end of the run.
 * With the cache evicted first (a lower memory_limit while it runs) it adds none. The lower limit
 * is only taken when everything DuckDB cannot evict already fits in LEAN_FLOOR, so the checkpoint
 * has at least LEAN_LIMIT - LEAN_FLOOR to work with: running out of memory inside a checkpoint is
 * fatal to the open database (its WAL keeps every commit, but the run would end with an error).
 * With HF_DATASETS_DUCKDB_MEMORY set, the user's limit is kept as is.
 */
export const LEAN_FLOOR = '16MB';
export const LEAN_LIMIT = '32MB';

export async function leanCheckpoint(conn: DuckDBConnection): Promise<void> {
  const limit = DUCKDB_SETTINGS.memory_limit!;
  let lowered = false;
  if (process.env.HF_DATASETS_DUCKDB_MEMORY === undefined) {
    try {
      await conn.run(`SET memory_limit = '${LEAN_FLOOR}'`); // evicts what it can; fails (harmlessly) when the rest does not fit
      await conn.run(`SET memory_limit = '${LEAN_LIMIT}'`);
      lowered = true;
    } catch {
      await conn.run(`SET memory_limit = '${limit}'`);
    }
  }
  try {
    await conn.run('CHECKPOINT');
  } finally {
    if (lowered) await conn.run(`SET memory_limit = '${limit}'`);
  }
}

/** DuckDB's lock error names the holding process ("Conflicting lock is held in /usr/bin/node (PID 123)"). */
function lockHolder(message: string): string | null {
  const m = /Conflicting lock is held in (.*?)(?:\.\s+See also|$)/s.exec(message);
  return m ? m[1]!.trim() : null;
}

/**
 * Where a reader spills when a query outgrows memory_limit: DuckDB's default is `<catalog>.tmp`
 * beside the file, which cannot be made when the catalog is on read-only media (an export to
 * another place must still work). A folder of this process in the system's temp folder instead.
 */
export function readerTempDirectory(): string {
  return join(tmpdir(), `hf-datasets-duckdb-${process.pid}.tmp`);
}

async function openInstance(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(path, { ...DUCKDB_SETTINGS, ...(readOnly ? { access_mode: 'READ_ONLY', temp_directory: readerTempDirectory() } : {}) });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const holder = lockHolder(msg);
    if (holder !== null) throw new CatalogError(`${path} is in use by ${holder}; try again when it has finished`, 'ETL_CATALOG_LOCKED', { cause: err });
    if (/not a valid DuckDB database file/i.test(msg)) throw new CatalogError(`${path} is not a catalog (not a DuckDB file); it was left untouched`, 'ETL_NOT_A_CATALOG', { cause: err });
    throw new CatalogError(`cannot open ${path}: ${msg.split('\n')[0]}`, 'ETL_CATALOG_OPEN', { cause: err });
  }
}

async function scalar(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowsJS()[0]?.[0];
}

/** The schema version of an open file: null when it has no tables at all, -1 when it has tables but is no catalog. */
export async function schemaVersion(conn: DuckDBConnection): Promise<number | null> {
  const tables = Number(await scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"));
  const hasVersion = Number(await scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'schema_version'"));
  if (hasVersion === 0) return tables === 0 ? null : -1;
  const v = await scalar(conn, 'SELECT max(version) FROM schema_version');
  return typeof v === 'number' ? v : -1;
}

/** Runs the migrations above `from`, each in its own transaction with its version row. */
export async function migrate(conn: DuckDBConnection, from: number, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  let version = from;
  if (from === 0) await conn.run('CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL, applied_at TIMESTAMPTZ)');
  for (const m of migrations) {
    if (m.version <= version) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const s of m.statements) await conn.run(s);
      await conn.run(`INSERT INTO schema_version VALUES (${m.version}, now())`);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new CatalogError(`migrating the catalog to schema ${m.version} failed: ${(err as Error).message.split('\n')[0]}`, 'ETL_CATALOG_MIGRATE', { cause: err });
    }
    version = m.version;
  }
  return version;
}

/** A read-only connection to a file at `from`: the later migrations' views, so it reads like the latest schema. */
async function readAsLatest(conn: DuckDBConnection, from: number, migrations: readonly Migration[]): Promise<void> {
  const db = `"${String(await scalar(conn, 'SELECT current_database()')).replace(/"/g, '""')}"`;
  for (const m of migrations) {
    if (m.version <= from) continue;
    for (const s of m.readAs ?? []) await conn.run(s.replaceAll('{db}', db));
  }
}

function refuse(path: string, version: number, latest: number): never {
  if (version === -1) throw new CatalogError(`${path} is not a catalog (a DuckDB file without its tables); it was left untouched`, 'ETL_NOT_A_CATALOG');
  throw new CatalogError(`${path} holds catalog schema ${version}, newer than this release understands (${latest}); upgrade hf-datasets`, 'ETL_CATALOG_NEWER');
}

/**
 * Opens a catalog. `write`: create it when missing and migrate an older schema (after a read-only
 * look, so a foreign or newer file is never changed). Read-only: it must exist at a known version.
 * @throws CatalogError (locked, not a catalog, newer schema, missing)
 */
export async function openCatalog(path: string, opts: { write: boolean; migrations?: readonly Migration[] }): Promise<Catalog> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const latest = migrations[migrations.length - 1]!.version;
  const exists = existsSync(path) && statSync(path).size > 0;
  // an empty file (`touch`, `mktemp`) holds nothing: a writer makes the catalog in its place
  if (!exists && opts.write && existsSync(path) && statSync(path).isFile()) unlinkSync(path);
  if (!exists && !opts.write) throw new CatalogError(`no catalog at ${path} (create it with: hf-datasets sync --db ${path})`, 'ETL_NO_CATALOG');
  if (exists) {
    // look first, read-only: a foreign or newer file must stay byte for byte as it was
    const probe = await openInstance(path, true);
    try {
      const conn = await probe.connect();
      const v = await schemaVersion(conn);
      conn.closeSync();
      if (v === null && !opts.write) throw new CatalogError(`${path} is an empty DuckDB file, not a catalog yet (run hf-datasets sync --db ${path})`, 'ETL_NOT_A_CATALOG');
      if (v !== null && (v === -1 || v > latest)) refuse(path, v, latest);
      if (!opts.write) {
        const reader = await probe.connect();
        await reader.run("SET TimeZone = 'UTC'");
        if (v !== null && v < latest) await readAsLatest(reader, v, migrations);
        return finish(path, probe, reader);
      }
    } catch (err) {
      probe.closeSync();
      throw err;
    }
    probe.closeSync();
  }
  // only a writer gets here (a reader was returned above or refused)
  const instance = exists ? await openPastReaders(path) : await openInstance(path, false);
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    const v = await schemaVersion(conn);
    if (v === -1 || (v !== null && v > latest)) refuse(path, v, latest);
    if ((v ?? 0) < latest) await migrate(conn, v ?? 0, migrations);
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw err;
  }
  return finish(path, instance, conn);
}

/** How long a writer waits for readers that copy the catalog (serve, query, report: see snapshot.ts). */
export const READER_WAIT_MS = 5_000;

/**
 * Opens for writing a catalog whose read-only probe just succeeded: a lock conflict now can only be
 * a reader's shared lock (a writer's lock would have refused the probe), and readers hold it only
 * while they copy the file, so the writer retries for up to READER_WAIT_MS before giving up.
 */
async function openPastReaders(path: string): Promise<DuckDBInstance> {
  const until = Date.now() + READER_WAIT_MS;
  for (;;) {
    try {
      return await openInstance(path, false);
    } catch (err) {
      if (!(err instanceof CatalogError && err.code === 'ETL_CATALOG_LOCKED') || Date.now() >= until) throw err;
      await sleep(100);
    }
  }
}

function finish(path: string, instance: DuckDBInstance, conn: DuckDBConnection): Catalog {
  let closed = false;
  return {
    path,
    conn,
    checkpoint: () => leanCheckpoint(conn),
    close() {
      if (closed) return;
      closed = true;
      conn.closeSync();
      instance.closeSync();
    },
  };
}
