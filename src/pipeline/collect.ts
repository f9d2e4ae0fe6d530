/**
 * `collect` / `search` as a composition of the record pipeline (src/flow/pipeline.ts): listing
 * source → records (built, de-duplicated, cut at --limit / --since) → the enrichers asked for
 * (file sizes, viewer statistics) → every sink (the run files, resume.ts), with a durable
 * checkpoint after each page. However it ends (done, Ctrl-C, closed stdout, fatal error), the
 * files are closed as valid JSON and the state says where to resume.
 */
import type { Config } from '../config.js';
import { AbortedError } from '../errors.js';
import type { HubClient } from '../http/client.js';
import { clientFromConfig, viewerClientFromConfig } from '../http/from-config.js';
import { listDatasets } from '../hub/list.js';
import type { Logger } from '../log.js';
import { RunFilesWriter, type Counts, type Summary } from '../output/run-files-writer.js';
import type { NdjsonOut } from '../output/ndjson-out.js';
import type { Progress } from '../progress.js';
import { TypeDrift } from '../record/build.js';
import { enabledEnrichers } from '../enrichers/index.js';
import { dedupe } from '../flow/dedupe.js';
import { compose, recordPipeline } from '../flow/pipeline.js';
import { cutOff, toRecords } from '../flow/records.js';
import { openRun } from './resume.js';

export interface CollectDeps {
  log: Logger;
  signal: AbortSignal;
  ndjson: NdjsonOut | null;
  progress?: (target: number | null, client: HubClient) => Progress | null;
  now?: () => Date;
}

export interface CollectResult {
  summary: Summary;
  paths: RunFilesWriter['paths'];
  /** why the run stopped early: null when it finished */
  stoppedBy: null | 'signal' | 'error';
  error: unknown;
  seconds: number;
}

/** Runs `collect` / `search`. Throws UsageError before anything is written; other failures come back in the result. */
export async function runCollect(cfg: Config, deps: CollectDeps): Promise<CollectResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const run = await openRun(cfg, deps, started);
  const { query, resume, writer, seen, prior, start } = run;
  const client = clientFromConfig(cfg, deps.log);
  // the dataset viewer: its own origin, slots and rate-limit state
  const viewer = query.viewer_stats ? viewerClientFromConfig(cfg, deps.log) : null;
  const enrichers = enabledEnrichers({ fileSizes: query.file_sizes, viewerStats: query.viewer_stats });
  const counts = (): Counts => ({ total: prior.total + written, failed: prior.failed + failed, requests: prior.requests + client.requests + (viewer?.requests ?? 0) });
  let written = 0;
  let failed = 0;
  let accepted = prior.total;
  const limit = query.limit;
  let resumePoint: string | null = start;
  const progress = deps.progress?.(limit, client) ?? null;
  const drift = new TypeDrift();

  let stoppedBy: CollectResult['stoppedBy'] = null;
  let error: unknown = null;
  try {
    if (!resume) await run.started(counts());
    if (start !== null && (limit === null || accepted < limit)) {
      const events = listDatasets(client, {
        start,
        signal: deps.signal,
        wanted: () => (limit === null ? Infinity : limit - accepted),
        bufferPages: enrichers.length > 0,
        log: (msg) => deps.log.warn(msg),
      });
      // When the run stops, every finished record is kept: page markers are not, so a
      // checkpoint still covers every record before it, and the ids journal keeps a resume exact.
      const records = compose(
        toRecords(events, { endpoint: cfg.endpoint, drift, warn: (msg) => deps.log.warn(msg) }),
        dedupe(seen),
        cutOff(query, { accepted, onAccept: (n) => (accepted = n) }),
      );
      const flow = recordPipeline(records, enrichers, { client, viewer, endpoint: cfg.endpoint, signal: deps.signal, drift });
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
