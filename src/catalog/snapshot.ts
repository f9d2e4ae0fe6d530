/**
 * Reading a catalog that a `sync` may be writing. DuckDB allows one writer XOR many readers across
 * processes, and a sync holds the file for its whole run: a reader that kept the catalog open would
 * make the nightly sync fail, and during a sync the catalog cannot be opened at all. So readers
 * (`serve`, `report`, `query`) work from a snapshot: a private copy of the file.
 *
 * Taking a snapshot: open the catalog read-only (DuckDB's shared lock: no writer can hold the file
 * meanwhile), copy the file and its `.wal`, close it — the lock is held only for the copy (see
 * `lockMs`). The copy is then opened for writing (its WAL is replayed into it), the browse table
 * the web pages query is built in it (`_browse`, see read.ts) with a `_snapshot` row saying which
 * state of the catalog it holds, and it is renamed to `<cache>/snapshot.duckdb`, replacing the
 * previous one atomically (a reader that has the old one open keeps reading it).
 *
 * The cache (env HF_DATASETS_SNAPSHOT_DIR, else `<tmp>/hf-datasets-snapshots-<uid>`, one folder per
 * catalog path) outlives the process on purpose: while a sync holds the catalog, `query` and a newly
 * started `serve` read the last snapshot taken, and a catalog unchanged since (same size and mtime of
 * the file and its WAL) is not copied again, so repeated queries neither copy nor lock anything.
 */
import { createHash } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_ENDPOINT } from '../options.js';
import { CatalogError, schemaVersion, MIGRATIONS } from './schema.js';
import { BROWSE_FORMAT, buildBrowseTables } from './read.js';

/** What identifies a state of the catalog: its file and WAL, size and mtime. */
export function fingerprint(db: string): string {
  const s = statSync(db);
  let wal = '-';
  try {
    const w = statSync(`${db}.wal`);
    wal = `${w.size}:${w.mtimeMs}`;
  } catch {
    // no WAL: a closed, checkpointed catalog
  }
  return `${s.size}:${s.mtimeMs}:${wal}`;
}

export function snapshotRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_DATASETS_SNAPSHOT_DIR) return env.HF_DATASETS_SNAPSHOT_DIR;
  let uid = 'user';
  try {
    uid = String(userInfo().uid);
  } catch {
    // no passwd entry
  }
  return join(tmpdir(), `hf-datasets-snapshots-${uid}`);
}

/** The cache folder of one catalog (by its absolute path). */
export function snapshotDir(db: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash('sha256').update(resolve(db)).digest('hex').slice(0, 16);
  return join(snapshotRoot(env), key);
}

export interface SnapshotInfo {
  /** the snapshot file */
  path: string;
  /** the catalog it was copied from */
  source: string;
  fingerprint: string;
  /** when it was copied (ISO 8601) */
  takenAt: string;
  /** how long the catalog's lock was held for the copy, ms (null when read from the cache) */
  lockMs: number | null;
  /** how long building the browse table took, ms (null when read from the cache) */
  buildMs: number | null;
  /** the Hub endpoint the catalog was synced from (from a stored record's links) */
  hubEndpoint: string;
  /** set when the catalog is being written and this is an older state ("in use by …") */
  stale: string | null;
}

/** DuckDB's lock error ("Conflicting lock is held in /usr/bin/node (PID 123)"). */
function lockHolder(message: string): string | null {
  const m = /Conflicting lock is held in (.*?)(?:\.\s+See also|$)/s.exec(message);
  return m ? m[1]!.trim() : null;
}

/** Reads `_snapshot` of a snapshot file; null when it is missing, broken or of another format. */
async function readInfo(path: string): Promise<Omit<SnapshotInfo, 'stale'> | null> {
  if (!existsSync(path)) return null;
  let instance: DuckDBInstance | null = null;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', threads: '1', memory_limit: '32MB' });
    const conn = await instance.connect();
    const r = await conn.runAndReadAll('SELECT source, fingerprint, taken_at::VARCHAR, hub_endpoint, format FROM _snapshot');
    conn.closeSync();
    const row = r.getRowsJS()[0];
    if (!row || Number(row[4]) !== BROWSE_FORMAT) return null;
    return { path, source: String(row[0]), fingerprint: String(row[1]), takenAt: new Date(String(row[2])).toISOString(), lockMs: null, buildMs: null, hubEndpoint: String(row[3]) };
  } catch {
    return null;
  } finally {
    instance?.closeSync();
  }
}

/** Temp files of builders that died (older than an hour) are removed. */
function sweep(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('build-')) continue;
      const p = join(dir, name);
      try {
        if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { force: true });
      } catch {
        // gone
      }
    }
  } catch {
    // no folder yet
  }
}

/**
 * Copies the catalog under its shared lock. Returns the copy's path, the fingerprint and the lock time.
 * @throws CatalogError ETL_CATALOG_LOCKED when a writer holds it, ETL_NOT_A_CATALOG, ETL_CATALOG_NEWER
 */
async function copyUnderLock(db: string, dest: string): Promise<{ fingerprint: string; lockMs: number }> {
  let probe: DuckDBInstance;
  try {
    probe = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY', threads: '1', memory_limit: '64MB' });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const holder = lockHolder(msg);
    if (holder !== null) throw new CatalogError(`${db} is in use by ${holder}`, 'ETL_CATALOG_LOCKED', { cause: err });
    if (/not a valid DuckDB database file/i.test(msg)) throw new CatalogError(`${db} is not a catalog (not a DuckDB file)`, 'ETL_NOT_A_CATALOG', { cause: err });
    throw new CatalogError(`cannot open ${db}: ${msg.split('\n')[0]}`, 'ETL_CATALOG_OPEN', { cause: err });
  }
  try {
    const conn = await probe.connect();
    const v = await schemaVersion(conn);
    conn.closeSync();
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (v === null || v === -1) throw new CatalogError(`${db} is not a catalog (a DuckDB file without its tables)`, 'ETL_NOT_A_CATALOG');
    if (v > latest) throw new CatalogError(`${db} holds catalog schema ${v}, newer than this release understands (${latest}); upgrade hf-datasets`, 'ETL_CATALOG_NEWER');
    const fp = fingerprint(db);
    // asynchronous (libuv's pool): a serving process keeps answering while the bytes are copied
    await copyFile(db, dest);
    if (existsSync(`${db}.wal`)) await copyFile(`${db}.wal`, `${dest}.wal`);
    return { fingerprint: fp, lockMs: 0 }; // lockMs: measured by the caller, open to close
  } finally {
    probe.closeSync();
  }
}

export interface TakeOptions {
  env?: NodeJS.ProcessEnv;
  /** DuckDB memory for building the browse table */
  memoryLimit?: string;
}

/**
 * The freshest snapshot of `db` that can be had: the cached one when the catalog has not changed
 * since, else a new copy; when a writer holds the catalog, the cached one marked `stale`.
 * @throws CatalogError: ETL_NO_CATALOG (missing), ETL_NOT_A_CATALOG, ETL_CATALOG_NEWER,
 *   ETL_NO_SNAPSHOT (a writer holds it and no snapshot was ever taken)
 */
export async function takeSnapshot(db: string, opts: TakeOptions = {}): Promise<SnapshotInfo> {
  if (!existsSync(db) || !statSync(db).isFile()) throw new CatalogError(`no catalog at ${db} (create it with: hf-datasets sync --db ${db})`, 'ETL_NO_CATALOG');
  if (statSync(db).size === 0) throw new CatalogError(`${db} is an empty file, not a catalog`, 'ETL_NOT_A_CATALOG');
  const dir = snapshotDir(db, opts.env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  sweep(dir);
  const current = join(dir, 'snapshot.duckdb');
  const cached = await readInfo(current);
  if (cached && cached.fingerprint === fingerprint(db)) return { ...cached, stale: null };

  const build = join(dir, `build-${process.pid}-${Date.now()}.duckdb`);
  const cleanup = (): void => {
    rmSync(build, { force: true });
    rmSync(`${build}.wal`, { force: true });
  };
  let copied: { fingerprint: string; lockMs: number };
  const t0 = performance.now();
  try {
    copied = await copyUnderLock(db, build);
    copied.lockMs = performance.now() - t0;
  } catch (err) {
    cleanup();
    if (err instanceof CatalogError && err.code === 'ETL_CATALOG_LOCKED') {
      if (cached) return { ...cached, stale: err.message };
      throw new CatalogError(`${err.message} (a sync is writing it) and no earlier snapshot of it exists yet; it can be read when the sync has finished`, 'ETL_NO_SNAPSHOT', { cause: err });
    }
    throw err;
  }
  const takenAt = new Date().toISOString();
  const t1 = performance.now();
  let hubEndpoint = DEFAULT_ENDPOINT;
  try {
    const instance = await DuckDBInstance.create(build, { threads: '1', memory_limit: opts.memoryLimit ?? '256MB', preserve_insertion_order: 'false' });
    try {
      const conn = await instance.connect();
      await conn.run("SET TimeZone = 'UTC'");
      hubEndpoint = await buildBrowseTables(conn);
      await conn.run('CREATE OR REPLACE TABLE _snapshot(source VARCHAR, fingerprint VARCHAR, taken_at TIMESTAMPTZ, hub_endpoint VARCHAR, format INTEGER)');
      await conn.run('INSERT INTO _snapshot VALUES ($1, $2, $3::TIMESTAMPTZ, $4, $5)', [resolve(db), copied.fingerprint, takenAt, hubEndpoint, BROWSE_FORMAT]);
      await conn.run('CHECKPOINT');
      conn.closeSync();
    } finally {
      instance.closeSync();
    }
    rmSync(`${build}.wal`, { force: true });
    renameSync(build, current);
  } catch (err) {
    cleanup();
    throw new CatalogError(`cannot build a snapshot of ${db}: ${((err as Error).message ?? String(err)).split('\n')[0]}`, 'ETL_SNAPSHOT', { cause: err });
  }
  return { path: current, source: resolve(db), fingerprint: copied.fingerprint, takenAt, lockMs: copied.lockMs, buildMs: performance.now() - t1, hubEndpoint, stale: null };
}

/** Opens a snapshot file read-only, for the web pages (bound queries only). */
export async function openSnapshot(path: string, settings: Record<string, string> = {}): Promise<{ instance: DuckDBInstance; connect(): Promise<DuckDBConnection> }> {
  const instance = await DuckDBInstance.create(path, {
    access_mode: 'READ_ONLY',
    threads: '2',
    memory_limit: process.env.HF_DATASETS_DUCKDB_MEMORY ?? '256MB',
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...settings,
  });
  return {
    instance,
    async connect() {
      const conn = await instance.connect();
      await conn.run("SET TimeZone = 'UTC'");
      return conn;
    },
  };
}
