/**
 * `sync` as a composition of the record pipeline (src/flow/pipeline.ts): one cursor walk of the
 * scope's listing → records → the catalog's plan (compared with what the catalog holds: added /
 * updated / restored / unchanged, and what to carry or fetch) → the enrichers → the catalog sink,
 * which commits each page with the cursor in one transaction (src/sinks/duckdb-catalog.ts). The
 * commit of page N runs while page N+1 downloads (the listing fetches one page ahead), so the walk
 * is as fast as `collect`; a dataset whose fetch keeps failing holds up its page's commit, not the
 * records behind it.
 */
import type { Config } from '../config.js';
import { enabledEnrichers, ENRICHERS } from '../enrichers/index.js';
import { AbortedError } from '../errors.js';
import { dedupe } from '../flow/dedupe.js';
import { compose, recordPipeline } from '../flow/pipeline.js';
import { toRecords } from '../flow/records.js';
import type { HubClient } from '../http/client.js';
import { clientFromConfig, viewerClientFromConfig } from '../http/from-config.js';
import { firstPagePath, listDatasets } from '../hub/list.js';
import type { Logger } from '../log.js';
import type { Progress } from '../progress.js';
import { CatalogSink } from '../sinks/duckdb-catalog.js';
import type { QueryOptions } from '../types.js';
import { CheckpointPolicy } from './checkpoint-policy.js';
import { openCatalog, type Catalog } from './schema.js';
import { resolveScope } from './scope.js';
import { openSync, storedScope, type SyncCounts } from './store.js';

export interface SyncDeps {
  log: Logger;
  signal: AbortSignal;
  progress?: (client: HubClient) => Progress | null;
  /** after each committed page (the CLI collects garbage there: process tuning is the CLI's business) */
  afterCommit?: () => void;
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
}

/** Runs a sync. Throws UsageError / CatalogError before anything is written; other failures come back in the result. */
export async function runSync(cfg: Config, db: string, deps: SyncDeps): Promise<SyncResult> {
  const started = Date.now();
  const catalog: Catalog = await openCatalog(db, { write: true });
  const policy = new CheckpointPolicy(catalog.path);
  let client: HubClient | null = null;
  let viewer: HubClient | null = null;
  try {
    const scope = resolveScope(cfg, await storedScope(catalog.conn));
    const query: QueryOptions = { ...scope, sort: 'createdAt', since: null, limit: null, file_sizes: cfg.query.file_sizes, viewer_stats: cfg.query.viewer_stats };
    const opened = await openSync(catalog.conn, scope, firstPagePath(query));
    if (opened.continued) deps.log.info(`continuing sync ${opened.syncId} of ${db} where it stopped (${opened.prior.pages} pages committed)`);
    client = clientFromConfig(cfg, deps.log);
    viewer = cfg.query.viewer_stats ? viewerClientFromConfig(cfg, deps.log) : null;
    const hub = client;
    const active = enabledEnrichers({ fileSizes: cfg.query.file_sizes, viewerStats: cfg.query.viewer_stats });
    const sink = await CatalogSink.open({
      catalog, syncId: opened.syncId, enrichers: ENRICHERS, active, endpoint: cfg.endpoint, policy, afterCommit: deps.afterCommit,
      // every HTTP request of this process: the Hub's and the viewer's
      requests: () => hub.requests + (viewer?.requests ?? 0),
    });
    const progress = deps.progress?.(client) ?? null;
    let stoppedBy: SyncResult['stoppedBy'] = null;
    let error: unknown = null;
    try {
      // the listing has already asked for the next page when a page's marker comes: it downloads while
      // that page is committed, and no further page is asked for before the commit is done
      const listing = listDatasets(client, { start: opened.cursor, signal: deps.signal, log: (m) => deps.log.warn(m) });
      const records = compose(toRecords(listing, { endpoint: cfg.endpoint, warn: (m) => deps.log.warn(m) }), sink.storable, dedupe(), sink.plan);
      const ctx = { client, viewer, endpoint: cfg.endpoint, signal: deps.signal };
      for await (const f of recordPipeline(records, ENRICHERS, ctx, { fetching: active.length > 0 })) {
        if (f.kind === 'record') {
          sink.write(f.record, undefined, f);
          continue;
        }
        await sink.checkpoint(f);
        progress?.update(opened.prior.listed + sink.run.listed, 0);
      }
      if (deps.signal.aborted && !sink.complete) throw new AbortedError();
    } catch (err) {
      stoppedBy = err instanceof AbortedError || deps.signal.aborted ? 'signal' : 'error';
      error = err;
    } finally {
      progress?.stop();
      await sink.finish();
    }
    const { prior } = opened;
    const run = sink.run;
    const total: SyncCounts = {
      pages: prior.pages + run.pages, listed: prior.listed + run.listed, added: prior.added + run.added, updated: prior.updated + run.updated,
      restored: prior.restored + run.restored, unchanged: prior.unchanged + run.unchanged, removed: run.removed, requests: prior.requests + run.requests,
    };
    return { syncId: opened.syncId, continued: opened.continued, complete: sink.complete, run, total, stoppedBy, error, seconds: (Date.now() - started) / 1000 };
  } finally {
    await client?.close();
    await viewer?.close();
    // should the lean closing checkpoint fail, closing checkpoints as DuckDB always does
    if (policy.leanClose()) await catalog.checkpoint().catch(() => undefined);
    catalog.close();
  }
}
