/**
 * Sync bookkeeping in the catalog: which sync is running (or is continued), what the catalog
 * already holds for a page's ids, and the commit of one page — records, files, events,
 * downloads history, fetch state and the cursor — in ONE transaction, so a sync stopped at any
 * instant (even kill -9) leaves a valid catalog that the next sync continues from the cursor.
 */
import { LIST, VARCHAR, listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Statements } from './prepared.js';
import type { DatasetRecord, FileEntry } from '../types.js';

/** The scope a catalog is fixed to by its first sync. */
export interface Scope {
  search: string | null;
  author: string | null;
  filter: string[];
}

export type ChangeKind = 'added' | 'updated' | 'restored' | 'unchanged';

/** What the catalog holds for one id of a page. */
export interface Existing {
  sha: string | null;
  removed: boolean;
  /** already listed (and committed) earlier in this same sync */
  seen: boolean;
  /** hash of the stored record without its collected_at */
  hash: string | null;
  /** per enricher name: the sha its stored answer is for, whether it is final (else asked again), and the stored part */
  stages: Map<string, { sha: string | null; ok: boolean; stored: unknown }>;
}

export interface PageRow {
  id: string;
  kind: ChangeKind;
  /** the record as stored: its flattened columns and its JSON text (JSON.stringify, made when appended) */
  record: DatasetRecord;
  /** hash of the JSON without collected_at: when it equals the stored one, the stored row is kept as is */
  hash: string;
  /** nothing but the time changed: only last_seen_at / last_sync_id are written (cheap) */
  same: boolean;
  /** the files to store when the files table must be rewritten for this id, else null */
  files: FileEntry[] | null;
}

export interface FetchMark {
  id: string;
  stage: string;
  sha: string | null;
  ok: boolean;
  /** the stage's part of the record, as JSON text */
  value: string;
}

export interface SyncCounts {
  pages: number;
  listed: number;
  added: number;
  updated: number;
  restored: number;
  unchanged: number;
  removed: number;
  requests: number;
}

export interface OpenedSync {
  syncId: number;
  cursor: string;
  /** true when an unfinished sync is continued */
  continued: boolean;
  /** what the sync had done before this run */
  prior: SyncCounts;
}

const ZERO: SyncCounts = { pages: 0, listed: 0, added: 0, updated: 0, restored: 0, unchanged: 0, removed: 0, requests: 0 };

async function rows(conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql, params);
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The scope stored by the first sync, or null for a new catalog. */
export async function storedScope(conn: DuckDBConnection): Promise<Scope | null> {
  const r = await rows(conn, 'SELECT scope::VARCHAR AS scope FROM syncs ORDER BY sync_id LIMIT 1');
  if (r.length === 0) return null;
  const s = JSON.parse(String(r[0]!.scope)) as Partial<Scope>;
  return { search: s.search ?? null, author: s.author ?? null, filter: Array.isArray(s.filter) ? s.filter : [] };
}

/** Continues the latest sync when it did not finish, else starts a new one at `start`. */
export async function openSync(conn: DuckDBConnection, scope: Scope, start: string): Promise<OpenedSync> {
  const last = await rows(conn, 'SELECT * FROM syncs ORDER BY sync_id DESC LIMIT 1');
  const l = last[0];
  if (l && l.complete !== true && typeof l.cursor === 'string') {
    const prior: SyncCounts = { pages: n(l.pages), listed: n(l.listed), added: n(l.added), updated: n(l.updated), restored: n(l.restored), unchanged: n(l.unchanged), removed: n(l.removed), requests: n(l.requests) };
    return { syncId: Number(l.sync_id), cursor: l.cursor, continued: true, prior };
  }
  const syncId = l ? Number(l.sync_id) + 1 : 1;
  await conn.run(
    `INSERT INTO syncs VALUES ($1, now(), NULL, false, 0, 0, 0, 0, 0, 0, $2::JSON, $3, 0, 0)`,
    [syncId, JSON.stringify(scope), start],
  );
  return { syncId, cursor: start, continued: false, prior: { ...ZERO } };
}

/**
 * (Re)creates the connection's staging tables, empty. They are temporary (never in the file) and
 * replaced for every page: a DELETE would only mark rows deleted, and the tables would grow by a
 * page of JSON each time.
 */
async function prepareStaging(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE page_rows(id VARCHAR, kind VARCHAR, record JSON, files_changed BOOLEAN, content_hash VARCHAR, same BOOLEAN,
    author VARCHAR, sha VARCHAR, downloads BIGINT, likes BIGINT, license VARCHAR[], languages VARCHAR[], task_categories VARCHAR[],
    created_at VARCHAR, last_modified VARCHAR, total_size_bytes BIGINT, num_rows BIGINT, gated VARCHAR, estimated_num_rows BIGINT)`);
  await conn.run('CREATE OR REPLACE TEMP TABLE page_fetch(id VARCHAR, stage VARCHAR, sha VARCHAR, ok BOOLEAN, value JSON)');
  await conn.run('CREATE OR REPLACE TEMP TABLE page_files(id VARCHAR, path VARCHAR, size BIGINT, lfs BOOLEAN)');
}

const VARCHAR_LIST = LIST(VARCHAR);

function appendText(ap: DuckDBAppender, v: string | null): void {
  if (v === null) ap.appendNull();
  else ap.appendVarchar(v);
}

/** A BIGINT column from a record number: null unless it is a whole number in the safe range. */
function appendWhole(ap: DuckDBAppender, v: unknown): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) ap.appendBigInt(BigInt(v));
  else ap.appendNull();
}

/** A number of the viewer block, which is optional in a record (sync with viewer statistics adds it): read defensively. */
function viewerNumber(record: DatasetRecord, key: 'num_rows' | 'estimated_num_rows'): unknown {
  const viewer = (record as { viewer?: unknown }).viewer;
  return viewer !== null && typeof viewer === 'object' ? (viewer as Record<string, unknown>)[key] ?? null : null;
}

/**
 * One staging row: the flattened columns are computed here from the record in hand (parsing large
 * records again inside DuckDB would need far more memory than its limit allows).
 */
function appendRow(ap: DuckDBAppender, r: PageRow): void {
  const rec = r.record;
  ap.appendVarchar(r.id);
  ap.appendVarchar(r.kind);
  if (r.same) ap.appendNull(); // the stored record stays
  else ap.appendVarchar(JSON.stringify(rec));
  ap.appendBoolean(r.files !== null);
  ap.appendVarchar(r.hash);
  ap.appendBoolean(r.same);
  appendText(ap, rec.author);
  appendText(ap, rec.sha);
  appendWhole(ap, rec.statistics.downloads);
  appendWhole(ap, rec.statistics.likes);
  ap.appendList(listValue(rec.info.license), VARCHAR_LIST);
  ap.appendList(listValue(rec.info.languages), VARCHAR_LIST);
  ap.appendList(listValue(rec.info.task_categories), VARCHAR_LIST);
  appendText(ap, rec.statistics.created_at);
  appendText(ap, rec.statistics.last_modified);
  appendWhole(ap, rec.statistics.total_size_bytes);
  appendWhole(ap, viewerNumber(rec, 'num_rows'));
  ap.appendVarchar(String(rec.additional.gated));
  appendWhole(ap, viewerNumber(rec, 'estimated_num_rows'));
  ap.endRow();
}

const FLAT = `id, record, author, sha, downloads, likes, license, languages, task_categories,
  TRY_CAST(created_at AS TIMESTAMPTZ), TRY_CAST(last_modified AS TIMESTAMPTZ), total_size_bytes, num_rows, gated`;

const UPSERT_SET = `record = EXCLUDED.record, author = EXCLUDED.author, sha = EXCLUDED.sha,
  downloads = EXCLUDED.downloads, likes = EXCLUDED.likes, license = EXCLUDED.license, languages = EXCLUDED.languages,
  task_categories = EXCLUDED.task_categories, created_at = EXCLUDED.created_at, last_modified = EXCLUDED.last_modified,
  total_size_bytes = EXCLUDED.total_size_bytes, num_rows = EXCLUDED.num_rows, gated = EXCLUDED.gated,
  last_seen_at = EXCLUDED.last_seen_at, removed_at = NULL, last_sync_id = EXCLUDED.last_sync_id, content_hash = EXCLUDED.content_hash,
  estimated_num_rows = EXCLUDED.estimated_num_rows`;

/**
 * Commits one listing page: upserts its records, rewrites the files of changed ones, appends
 * events and downloads history, records fetch state, moves the cursor to `next`. When `next` is
 * null the listing is complete: ids of the catalog this sync did not list get `removed_at` and a
 * `removed` event, and the sync is marked complete — all in the same transaction.
 * Returns how many were marked removed.
 */
export async function commitPage(conn: DuckDBConnection, stmts: Statements, syncId: number, page: PageRow[], marks: FetchMark[], next: string | null, requests: number): Promise<number> {
  await prepareStaging(conn);
  await conn.run('BEGIN TRANSACTION');
  try {
    if (page.length > 0) {
      const ap = await conn.createAppender('page_rows', 'main', 'temp');
      for (const r of page) appendRow(ap, r);
      ap.closeSync();
    }
    if (page.some((r) => r.files !== null && r.files.length > 0)) {
      // file rows come from the records in hand: unnesting a large file list out of JSON in SQL needs far more memory
      const ap = await conn.createAppender('page_files', 'main', 'temp');
      for (const r of page) {
        for (const f of r.files ?? []) {
          ap.appendVarchar(r.id);
          ap.appendVarchar(f.path);
          if (f.size === null || !Number.isSafeInteger(f.size)) ap.appendNull();
          else ap.appendBigInt(BigInt(f.size));
          if (f.lfs === null) ap.appendNull();
          else ap.appendBoolean(f.lfs);
          ap.endRow();
        }
      }
      ap.closeSync();
    }
    if (marks.length > 0) {
      const ap = await conn.createAppender('page_fetch', 'main', 'temp');
      for (const m of marks) {
        ap.appendVarchar(m.id);
        ap.appendVarchar(m.stage);
        if (m.sha === null) ap.appendNull();
        else ap.appendVarchar(m.sha);
        ap.appendBoolean(m.ok);
        ap.appendVarchar(m.value);
        ap.endRow();
      }
      ap.closeSync();
    }
    const p: DuckDBValue[] = [syncId];
    if (page.length > 0) {
      // new ids: a plain insert; changed ones: an upsert (DuckDB rewrites such a row whole);
      // unchanged ones: only two small columns, so a steady catalog is not rewritten every night
      if (page.some((r) => r.kind === 'added')) {
        await stmts.run(`INSERT INTO datasets SELECT ${FLAT}, now(), now(), NULL, $1, content_hash, estimated_num_rows FROM page_rows WHERE kind = 'added'`, p);
      }
      if (page.some((r) => r.kind !== 'added' && !r.same)) {
        await stmts.run(`INSERT INTO datasets SELECT ${FLAT}, now(), now(), NULL, $1, content_hash, estimated_num_rows FROM page_rows WHERE kind <> 'added' AND NOT same
          ON CONFLICT (id) DO UPDATE SET ${UPSERT_SET}`, p);
      }
      if (page.some((r) => r.same)) {
        await stmts.run('UPDATE datasets SET last_seen_at = now(), last_sync_id = $1 WHERE id IN (SELECT id FROM page_rows WHERE same)', p);
      }
      await stmts.run(`INSERT INTO events SELECT $1, id, kind, now() FROM page_rows WHERE kind <> 'unchanged'`, p);
      await stmts.run('INSERT INTO downloads_history SELECT $1, id, downloads, likes FROM page_rows', p);
      // an added id has no files yet: the delete (a scan of the whole files table) is for changed ones only
      if (page.some((r) => r.files !== null && r.kind !== 'added')) {
        await stmts.run(`DELETE FROM files WHERE id IN (SELECT id FROM page_rows WHERE files_changed AND kind <> 'added')`);
      }
      if (page.some((r) => r.files !== null && r.files.length > 0)) await stmts.run('INSERT INTO files SELECT * FROM page_files');
    }
    if (marks.length > 0) {
      await stmts.run(`INSERT INTO fetch_state SELECT id, stage, sha, ok, now(), value FROM page_fetch
        ON CONFLICT (id, stage) DO UPDATE SET sha = EXCLUDED.sha, ok = EXCLUDED.ok, fetched_at = EXCLUDED.fetched_at, value = EXCLUDED.value`);
    }
    const count = (k: ChangeKind): number => page.filter((r) => r.kind === k).length;
    await stmts.run(
      `UPDATE syncs SET cursor = $2, pages = pages + 1, listed = listed + $3, added = added + $4, updated = updated + $5,
         restored = restored + $6, unchanged = unchanged + $7, requests = requests + $8 WHERE sync_id = $1`,
      [syncId, next, page.length, count('added'), count('updated'), count('restored'), count('unchanged'), requests],
    );
    let removed = 0;
    if (next === null) removed = await finishListing(conn, syncId);
    await conn.run('COMMIT');
    return removed;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Inside the last page's transaction: removals, then the sync is complete. */
async function finishListing(conn: DuckDBConnection, syncId: number): Promise<number> {
  const p: DuckDBValue[] = [syncId];
  await conn.run('CREATE OR REPLACE TEMP TABLE gone AS SELECT id FROM datasets WHERE removed_at IS NULL AND last_sync_id IS DISTINCT FROM $1', p);
  const removed = n((await rows(conn, 'SELECT count(*) AS c FROM gone'))[0]!.c);
  if (removed > 0) {
    await conn.run('UPDATE datasets SET removed_at = now() WHERE id IN (SELECT id FROM gone)');
    await conn.run(`INSERT INTO events SELECT $1, id, 'removed', now() FROM gone`, p);
    await conn.run('DELETE FROM files WHERE id IN (SELECT id FROM gone)');
  }
  await conn.run('DROP TABLE gone');
  await conn.run('UPDATE syncs SET complete = true, finished_at = now(), removed = $2 WHERE sync_id = $1', [syncId, removed]);
  return removed;
}

/** Adds requests spent after the last committed page (a stopped sync); best effort. */
export async function addRequests(conn: DuckDBConnection, syncId: number, requests: number): Promise<void> {
  if (requests > 0) await conn.run('UPDATE syncs SET requests = requests + $2 WHERE sync_id = $1', [syncId, requests]);
}
