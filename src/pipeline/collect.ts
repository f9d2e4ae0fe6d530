/**
 * The collect pipeline: listing source → records (built, de-duplicated, cut at --limit /
 * --since) → optional file sizes, then optional viewer statistics (each ordered, bounded) →
 * every sink, with a durable checkpoint after each page. However it ends (done, Ctrl-C, closed stdout, fatal error), the
 * files are closed as valid JSON and the state says where to resume.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Config } from '../config.js';
import { AbortedError } from '../errors.js';
import { safeUrl, type HubClient } from '../http/client.js';
import { clientFromConfig, viewerClientFromConfig } from '../http/from-config.js';
import { firstPagePath, listDatasets } from '../hub/list.js';
import type { Logger } from '../log.js';
import { CatalogWriter, type Counts, type Summary } from '../output/catalog-writer.js';
import type { NdjsonOut } from '../output/ndjson-out.js';
import { safeSearchTerm } from '../output/safe-name.js';
import { readIdsJournal, readState } from '../output/state.js';
import type { Progress } from '../progress.js';
import { TypeDrift } from '../record/build.js';
import { dedupe } from '../stages/dedupe.js';
import { fileSizesFlow } from '../stages/file-sizes.js';
import { compose } from '../stages/flow.js';
import { cutOff, toRecords } from '../stages/records.js';
import { viewerFlow } from '../stages/viewer-stats.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { resumeQuery, runTimestamp } from './resume.js';

export interface CollectDeps {
  log: Logger;
  signal: AbortSignal;
  ndjson: NdjsonOut | null;
  progress?: (target: number | null, client: HubClient, viewer: HubClient | null) => Progress | null;
  now?: () => Date;
}

export interface CollectResult {
  summary: Summary;
  paths: CatalogWriter['paths'];
  /** why the run stopped early: null when it finished */
  stoppedBy: null | 'signal' | 'error';
  error: unknown;
  seconds: number;
}

/**
 * Datasets held by `--file-sizes`, each with its calls under way (queued in the HTTP client
 * beyond --concurrency): a dataset retried through a whole backoff schedule (~23 s) holds up
 * the output, not the work, as long as this many others fit in that time.
 */
const DETAIL_WINDOW = 1024;

/** Runs `collect` / `search`. Throws UsageError before anything is written; other failures come back in the result. */
export async function runCollect(cfg: Config, deps: CollectDeps): Promise<CollectResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const state = cfg.outDir ? await readState(cfg.outDir) : null;
  const query = resumeQuery(cfg, state);
  if (!cfg.resume && state && !state.complete) {
    deps.log.warn(`${cfg.outDir} holds an unfinished run (${state.timestamp}); starting a new one (use --resume to continue it instead)`);
  }
  const resume = cfg.resume ? state : null;
  const client = clientFromConfig(cfg, deps.log);
  // the dataset viewer: its own origin, slots and rate-limit state
  const viewer = query.viewer_stats ? viewerClientFromConfig(cfg, deps.log) : null;
  const prefix = cfg.command === 'search' || (resume && resume.aggregate_file.startsWith('search_')) ? `search_${safeSearchTerm(query.search ?? '')}` : 'all_datasets_metadata';
  const writer = await CatalogWriter.open({
    outDir: cfg.outDir,
    individual: resume ? resume.individual : cfg.individual,
    ndjson: deps.ndjson,
    prefix,
    info: { tool: TOOL_NAME, version: TOOL_VERSION, endpoint: safeUrl(cfg.endpoint).replace(/\/$/, ''), query, started_at: resume?.started_at ?? started.toISOString() },
    resume,
    timestamp: runTimestamp(started),
  });

  // ids written before (the journal of the run resumed) are not written again
  const seen = cfg.outDir && resume ? await readIdsJournal(cfg.outDir, resume) : undefined;
  const prior: Counts = resume ? resume.counts : { total: 0, failed: 0, requests: 0 };
  const counts = (): Counts => ({ total: prior.total + written, failed: prior.failed + failed, requests: prior.requests + client.requests + (viewer?.requests ?? 0) });
  let written = 0;
  let failed = 0;
  let accepted = prior.total;
  const limit = query.limit;
  const start = resume ? resume.next_page : firstPagePath(query);
  let resumePoint: string | null = start;
  const progress = deps.progress?.(limit, client, viewer) ?? null;
  const drift = new TypeDrift();

  let stoppedBy: CollectResult['stoppedBy'] = null;
  let error: unknown = null;
  try {
    // a state from the first instant, so even a run killed before its first page can be resumed
    if (!resume) {
      await writer.checkpoint(start, counts());
      // the unfinished run this one replaces can no longer be resumed: its journal has served
      if (state && !state.complete && cfg.outDir && state.ids_file !== basename(writer.idsPath ?? '')) {
        await rm(join(cfg.outDir, basename(state.ids_file)), { force: true });
      }
    }
    if (start !== null && (limit === null || accepted < limit)) {
      const events = listDatasets(client, {
        start,
        signal: deps.signal,
        wanted: () => (limit === null ? Infinity : limit - accepted),
        bufferPages: query.file_sizes || viewer !== null,
        log: (msg) => deps.log.warn(msg),
      });
      // Every held dataset has its call under way (the HTTP client caps the requests in flight),
      // so one waiting out retry backoffs holds no slot and the others go on behind it (output
      // keeps the listing order). When the run stops, every finished record is kept: page
      // markers are not, so a checkpoint still covers every record before it, and the ids
      // journal keeps a resume exact.
      const held = { window: DETAIL_WINDOW, maxHeld: DETAIL_WINDOW, keepOnStop: true };
      const flow = compose(
        toRecords(events, { endpoint: cfg.endpoint, drift, warn: (msg) => deps.log.warn(msg) }),
        dedupe(seen),
        cutOff(query, { accepted, onAccept: (n) => (accepted = n) }),
        query.file_sizes ? fileSizesFlow({ client, endpoint: cfg.endpoint, signal: deps.signal, drift }, held) : null,
        // the same window as the detail stage: a dataset the viewer keeps failing holds no slot
        viewer ? viewerFlow(viewer, deps.signal, held) : null,
      );
      for await (const f of flow) {
        if (f.kind === 'page') {
          resumePoint = f.next;
          await writer.checkpoint(resumePoint, counts());
          continue;
        }
        await writer.write(f.record);
        written += 1;
        if (f.record.errors.length > 0) failed += 1;
        progress?.update(prior.total + written, prior.failed + failed);
      }
      if (deps.signal.aborted) throw new AbortedError();
    }
  } catch (err) {
    stoppedBy = err instanceof AbortedError || deps.signal.aborted ? 'signal' : 'error';
    error = err;
  } finally {
    progress?.stop();
    for (const line of drift.warnings()) deps.log.warn(line);
  }

  const complete = stoppedBy === null;
  const c = counts();
  const summary: Summary = { total_datasets: c.total, failed: c.failed, requests: c.requests, finished_at: now().toISOString(), complete };
  try {
    // a finished run has nothing to resume; a stopped one resumes at the page it was in
    await writer.finish(summary, complete ? null : resumePoint, c);
  } catch (err) {
    if (stoppedBy === null) {
      stoppedBy = 'error';
      error = err;
    }
  }
  await client.close();
  await viewer?.close();
  return { summary, paths: writer.paths, stoppedBy, error, seconds: (now().getTime() - started.getTime()) / 1000 };
}
