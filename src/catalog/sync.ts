/**
 * `sync`: one cursor walk of the scope's listing into the catalog. Each page is turned into
 * records, compared with what the catalog holds (added / updated / restored / unchanged), given
 * the per-dataset facts it needs (stages: fetched for changed datasets, carried over for the
 * others), and committed with the cursor in one transaction. The commit of page N runs while
 * page N+1 downloads (the listing fetches one page ahead), so the walk is as fast as `collect`.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AbortedError, UsageError } from '../errors.js';
import type { HubClient } from '../http/client.js';
import { clientFromConfig, viewerClientFromConfig } from '../http/from-config.js';
import { firstPagePath, listDatasets } from '../hub/list.js';
import type { Logger } from '../log.js';
import type { Progress } from '../progress.js';
import { buildRecord, InvalidItemError } from '../record/build.js';
import type { DatasetRecord, QueryOptions, RawDataset } from '../types.js';
import type { Config } from '../config.js';
import { openCatalog, type Catalog } from './schema.js';
import { CATALOG_STAGES, type CatalogStage, type StageContext } from './stages.js';
import { addRequests, commitPage, lookupPage, openSync, storedScope, type ChangeKind, type FetchMark, type PageRow, type Scope, type SyncCounts } from './store.js';

export interface SyncDeps {
  log: Logger;
  signal: AbortSignal;
  progress?: (client: HubClient, viewer: HubClient | null) => Progress | null;
  /** extra stages (tests, or a stage another module provides) appended to the built-in ones */
  stages?: CatalogStage[];
}

export interface SyncResult {
  syncId: number;
  continued: boolean;
  complete: boolean;
  /** this run's work (a continued sync also did some before) */
  run: SyncCounts;
  /** the whole sync's totals so far */
  total: SyncCounts;
  stoppedBy: null | 'signal' | 'error';
  error: unknown;
  seconds: number;
  /** records of this run stored with an `errors` entry (a failed file-sizes or viewer call) */
  failed: number;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A copy of any JSON value with every lone UTF-16 surrogate (in keys too) replaced by U+FFFD. */
export function wellFormed<T>(v: T): T {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\ufffd') as T;
  if (Array.isArray(v)) return v.map(wellFormed) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)])) as T;
  return v;
}

/**
 * The record as the catalog stores it, and its JSON text. The catalog holds UTF-8 text, which
 * cannot carry a lone surrogate (JavaScript strings and `collect --ndjson` can): such a character
 * becomes U+FFFD, in the id too. Every other record is stored exactly as JSON.stringify writes it.
 */
export function storable(record: DatasetRecord): { record: DatasetRecord; json: string } {
  const json = JSON.stringify(record);
  if (!/\\u[dD][89a-fA-F]/.test(json)) return { record, json };
  const fixed = wellFormed(record);
  return { record: fixed, json: JSON.stringify(fixed) };
}

/** A hash of a record's JSON without its `collected_at` (the last key): equal hashes, nothing changed but the time. */
export function contentHash(json: string): string {
  const at = json.lastIndexOf(',"collected_at":');
  return createHash('sha1').update(at < 0 ? json : json.slice(0, at)).digest('base64');
}

/** The record as stored (see storable) and the hash of its JSON; the JSON itself is not kept. */
function hashed(record: DatasetRecord): { record: DatasetRecord; hash: string } {
  const s = storable(record);
  return { record: s.record, hash: contentHash(s.json) };
}

let fullGc: (() => void) | null | undefined;

/**
 * A full garbage collection when the heap holds more than a few pages' worth. Each page's records
 * outlive the young generation (they wait for the lookup and the commit), and V8 lets such garbage
 * grow to well over 100 MB before it collects on its own, beside DuckDB's memory.
 */
function collectIfLarge(): void {
  if (getHeapStatistics().used_heap_size < HEAP_SOFT_LIMIT) return;
  if (fullGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    } catch {
      fullGc = null;
    }
  }
  fullGc?.();
}

/** rows updated in place between explicit checkpoints (a first sync's WAL triggers one about every 50,000 added) */
const CHECKPOINT_UPDATES = 50_000;

/** WAL size at which the sync checkpoints (leanly), before DuckDB's checkpoint_threshold (256MB) would */
const WAL_CHECKPOINT_BYTES = 192 * 1048576;

/** catalog file size from which the closing checkpoint is lean (DuckDB's memory_limit is 48MB) */
const LEAN_CLOSE_FILE_BYTES = 64 * 1048576;

const fileBytes = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
const walBytes = (db: string): number => fileBytes(`${db}.wal`);

/** the heap a sync lets grow before it collects (a page's records take ~5 MB, the next page's listing items ~3.5 MB; 32 MB costs ~10% more CPU than 48 MB) */
const HEAP_SOFT_LIMIT = 32 * 1048576;

/** How the progress line names each stage's answers. */
const FETCHED_WORDS: Record<string, string> = { file_sizes: 'details', viewer: 'viewer answers' };

/** The scope of this sync: the stored one; scope options given again must equal it (else UsageError). */
export function resolveScope(cfg: Config, stored: Scope | null): Scope {
  const given: Scope = { search: cfg.query.search, author: cfg.query.author, filter: cfg.query.filter };
  if (stored === null) return given;
  for (const key of ['search', 'author', 'filter'] as const) {
    // the Hub matches authors whatever their case (Kyoto-U is kyoto-u)
    const same = key === 'author' ? given.author?.toLowerCase() === stored.author?.toLowerCase() : JSON.stringify(given[key]) === JSON.stringify(stored[key]);
    if (cfg.explicitQuery.has(key) && !same) {
      throw new UsageError(`--${key} ${JSON.stringify(given[key])} differs from this catalog's scope (${key} ${JSON.stringify(stored[key])}); use another --db for another scope`, 'ETL_SCOPE_MISMATCH');
    }
  }
  return stored;
}

function classify(record: DatasetRecord, e: { sha: string | null; removed: boolean } | undefined): ChangeKind {
  if (!e) return 'added';
  if (e.removed) return 'restored';
  return e.sha !== record.sha ? 'updated' : 'unchanged';
}

/** Runs a sync. Throws UsageError / CatalogError before anything is written; other failures come back in the result. */
export async function runSync(cfg: Config, db: string, deps: SyncDeps): Promise<SyncResult> {
  const started = Date.now();
  const catalog: Catalog = await openCatalog(db, { write: true });
  let client: HubClient | null = null;
  let viewer: HubClient | null = null;
  try {
    const scope = resolveScope(cfg, await storedScope(catalog.conn));
    const query: QueryOptions = { ...scope, sort: 'createdAt', since: null, limit: null, file_sizes: cfg.query.file_sizes, viewer_stats: cfg.query.viewer_stats };
    const opened = await openSync(catalog.conn, scope, firstPagePath(query));
    if (opened.continued) deps.log.info(`continuing sync ${opened.syncId} of ${db} where it stopped (${opened.prior.pages} ${opened.prior.pages === 1 ? 'page' : 'pages'} committed)`);
    client = clientFromConfig(cfg, deps.log);
    viewer = cfg.query.viewer_stats ? viewerClientFromConfig(cfg, deps.log) : null;
    return await walk(cfg, catalog, { client, viewer }, opened.syncId, opened.cursor, opened.continued, opened.prior, deps, started);
  } finally {
    await client?.close();
    await viewer?.close();
    // the closing checkpoint is taken lean once the catalog outgrows DuckDB's cache (a small catalog has
    // nothing to evict, and eviction would cost time); should it fail, closing checkpoints as DuckDB always does
    if (fileBytes(catalog.path) >= LEAN_CLOSE_FILE_BYTES) await catalog.checkpoint().catch(() => undefined);
    catalog.close();
  }
}

async function walk(cfg: Config, catalog: Catalog, clients: { client: HubClient; viewer: HubClient | null }, syncId: number, cursor: string, continued: boolean, prior: SyncCounts, deps: SyncDeps, started: number): Promise<SyncResult> {
  const conn = catalog.conn;
  const { client, viewer } = clients;
  /** every HTTP request of this process: the Hub's and the viewer's */
  const requests = (): number => client.requests + (viewer?.requests ?? 0);
  const stages = [...CATALOG_STAGES, ...(deps.stages ?? [])];
  const options = { fileSizes: cfg.query.file_sizes, viewerStats: cfg.query.viewer_stats };
  const active = stages.filter((s) => s.enabled(options));
  const ctx: StageContext = { client, viewer, endpoint: cfg.endpoint, signal: deps.signal };
  const run: SyncCounts = { pages: 0, listed: 0, added: 0, updated: 0, restored: 0, unchanged: 0, removed: 0, requests: 0 };
  let committedRequests = 0;
  let failed = 0;
  let updatedSinceCheckpoint = 0;
  let complete = false;
  const progress = deps.progress?.(client, viewer) ?? null;
  // per-dataset calls finished before their page commits (a page of 1,000 with --file-sizes takes a while)
  const fetched = new Map(active.map((st) => [st.name, { answers: 0, failed: 0 }]));
  const fetchedText = (): string => [...fetched].map(([name, f]) => `${f.answers} ${FETCHED_WORDS[name] ?? name}${f.failed ? ` (${f.failed} failed)` : ''}`).join(', ') + ' fetched';

  /** Records of one page → compared, enriched, committed with `next`. */
  async function processPage(items: RawDataset[], next: string | null): Promise<void> {
    const collectedAt = new Date().toISOString();
    // the JSON text is made for the hash and dropped: held for a whole page it would take more heap than
    // the records (about 7 MB a page); the commit writes it again, one record at a time
    const records: { record: DatasetRecord; hash: string }[] = [];
    const inPage = new Set<string>();
    for (const item of items) {
      try {
        const r = hashed(buildRecord(item, { endpoint: cfg.endpoint, collectedAt }));
        if (inPage.has(r.record.id)) continue;
        inPage.add(r.record.id);
        records.push(r);
      } catch (err) {
        if (!(err instanceof InvalidItemError)) throw err;
        deps.log.warn(`skipped a listing item without a usable id: ${err.message}`);
      }
    }
    items.length = 0; // the raw page is not needed any more (the caller hands it over)
    const existing = await lookupPage(conn, syncId, records.map((r) => r.record.id), stages);
    const marks: FetchMark[] = [];
    const rows = await Promise.all(records.map(async ({ record: fresh, hash: freshHash }): Promise<PageRow | null> => {
      const e = existing.get(fresh.id);
      if (e?.seen) return null; // listed earlier in this sync (a moving ranking, or the page in flight when it stopped)
      const kind = classify(fresh, e);
      let record = fresh;
      let filesChanged = kind !== 'unchanged';
      for (const stage of stages) {
        const held = e?.stages.get(stage.name);
        const current = held !== undefined && held.ok && held.sha === fresh.sha;
        if (current && !(kind === 'restored' && active.includes(stage))) {
          record = stage.carry(record, held.stored, cfg.endpoint);
        } else if (active.includes(stage)) {
          const got = await stage.fetch(record, ctx);
          const f = fetched.get(stage.name);
          if (f) {
            f.answers += 1;
            if (!got.ok) f.failed += 1;
            progress?.fetched(fetchedText());
          }
          record = got.record;
          marks.push({ id: wellFormed(record.id), stage: stage.name, sha: fresh.sha, ok: got.ok, value: JSON.stringify(wellFormed(stage.part(record)) ?? null) });
          if (stage.path === '$.files') filesChanged = true;
        }
      }
      const stored = record === fresh ? { record, hash: freshHash } : hashed(record);
      const same = kind === 'unchanged' && !filesChanged && e?.hash === stored.hash;
      return { id: stored.record.id, kind, record: stored.record, hash: stored.hash, same, files: filesChanged ? stored.record.files : null };
    }));
    const page = rows.filter((r): r is PageRow => r !== null);
    const spent = requests() - committedRequests;
    const removed = await commitPage(conn, syncId, page, marks, next, spent);
    committedRequests += spent;
    // DuckDB holds updates in memory until a checkpoint, and a later sync's updates (last_seen_at of every
    // unchanged row) write too little WAL to trigger one: a checkpoint after CHECKPOINT_UPDATES keeps memory flat
    // (at 200k with memory_limit 48MB the second sync ran out of memory without it)
    updatedSinceCheckpoint += page.filter((r) => r.kind !== 'added').length;
    // the WAL's own trigger (checkpoint_threshold) would checkpoint inside a commit, with the cache full
    if ((updatedSinceCheckpoint >= CHECKPOINT_UPDATES || walBytes(catalog.path) >= WAL_CHECKPOINT_BYTES) && next !== null) {
      await catalog.checkpoint();
      updatedSinceCheckpoint = 0;
    }
    collectIfLarge();
    run.pages += 1;
    run.listed += page.length;
    for (const r of page) run[r.kind] += 1;
    run.removed += removed;
    if (next === null) complete = true;
    for (const r of page) if (r.record.errors.length > 0) failed += 1;
    progress?.update(prior.listed + run.listed, failed);
  }

  let stoppedBy: SyncResult['stoppedBy'] = null;
  let error: unknown = null;
  try {
    let items: RawDataset[] = [];
    for await (const ev of listDatasets(client, { start: cursor, signal: deps.signal, log: (m) => deps.log.warn(m) })) {
      if (ev.kind === 'item') {
        items.push(ev.item);
        continue;
      }
      // the listing has already asked for the next page: it downloads while this one is written,
      // and no further page is asked for before this commit is done (at most two pages in flight)
      const page = items;
      items = [];
      await processPage(page, ev.next);
    }
    if (deps.signal.aborted && !complete) throw new AbortedError();
  } catch (err) {
    stoppedBy = err instanceof AbortedError || deps.signal.aborted ? 'signal' : 'error';
    error = err;
  } finally {
    progress?.stop();
  }
  run.requests = requests();
  if (!complete) await addRequests(conn, syncId, requests() - committedRequests).catch(() => undefined);
  const total: SyncCounts = {
    pages: prior.pages + run.pages, listed: prior.listed + run.listed, added: prior.added + run.added, updated: prior.updated + run.updated,
    restored: prior.restored + run.restored, unchanged: prior.unchanged + run.unchanged, removed: run.removed, requests: prior.requests + run.requests,
  };
  return { syncId, continued, complete, run, total, stoppedBy, error, seconds: (Date.now() - started) / 1000, failed };
}
