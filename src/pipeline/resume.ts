/**
 * Where a run starts: its timestamp, its run files (new, or those of the run being continued, cut
 * back to its last checkpoint), and with --resume the query of the run being continued (options
 * given again must equal it) and the ids it already wrote.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { safeUrl } from '../http/client.js';
import { firstPagePath } from '../hub/list.js';
import type { Logger } from '../log.js';
import type { NdjsonOut } from '../output/ndjson-out.js';
import { RunFilesWriter, type Counts } from '../output/run-files-writer.js';
import { safeSearchTerm } from '../output/safe-name.js';
import { readIdsJournal, readState, type RunState } from '../output/state.js';
import type { QueryOptions } from '../types.js';
import type { IdSet } from '../util/id-set.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** `YYYYMMDD_HHMMSS` in UTC. */
export function runTimestamp(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** With --resume, the query comes from the state; options given again must equal it. */
export function resumeQuery(cfg: Config, state: RunState | null): QueryOptions {
  if (!cfg.resume) return cfg.query;
  if (!state) throw new UsageError(`nothing to resume in ${cfg.outDir}: no earlier run found there`, 'ETL_NOTHING_TO_RESUME');
  if (state.complete) throw new UsageError(`nothing to resume in ${cfg.outDir}: its last run finished`, 'ETL_NOTHING_TO_RESUME');
  const stored: QueryOptions = { ...state.query, viewer_stats: state.query.viewer_stats === true }; // absent in older states
  for (const key of cfg.explicitQuery) {
    if (JSON.stringify(cfg.query[key]) !== JSON.stringify(stored[key])) {
      throw new UsageError(`--resume: ${key} was ${JSON.stringify(stored[key])} in the run being resumed, got ${JSON.stringify(cfg.query[key])}`, 'ETL_RESUME_MISMATCH');
    }
  }
  return stored;
}

export interface OpenedRun {
  query: QueryOptions;
  /** the state of the run continued (--resume), else null */
  resume: RunState | null;
  writer: RunFilesWriter;
  /** ids written before (the journal of the run resumed): not written again */
  seen: IdSet | undefined;
  /** the counts of the run continued (zeros for a new run) */
  prior: Counts;
  /** the first page to ask for (null: a resumed run whose listing had ended) */
  start: string | null;
  /** A new run's first state, so even a run killed before its first page can be resumed. */
  started(counts: Counts): Promise<void>;
}

/** Reads the folder's state and opens the run files. Throws UsageError before anything is written. */
export async function openRun(cfg: Config, deps: { log: Logger; ndjson: NdjsonOut | null }, startedAt: Date): Promise<OpenedRun> {
  const state = cfg.outDir ? await readState(cfg.outDir) : null;
  const query = resumeQuery(cfg, state);
  if (!cfg.resume && state && !state.complete) {
    deps.log.warn(`${cfg.outDir} holds an unfinished run (${state.timestamp}); starting a new one (use --resume to continue it instead)`);
  }
  const resume = cfg.resume ? state : null;
  const prefix = cfg.command === 'search' || (resume && resume.aggregate_file.startsWith('search_')) ? `search_${safeSearchTerm(query.search ?? '')}` : 'all_datasets_metadata';
  const writer = await RunFilesWriter.open({
    outDir: cfg.outDir,
    individual: resume ? resume.individual : cfg.individual,
    ndjson: deps.ndjson,
    prefix,
    info: { tool: TOOL_NAME, version: TOOL_VERSION, endpoint: safeUrl(cfg.endpoint).replace(/\/$/, ''), query, started_at: resume?.started_at ?? startedAt.toISOString() },
    resume,
    timestamp: runTimestamp(startedAt),
  });
  const seen = cfg.outDir && resume ? await readIdsJournal(cfg.outDir, resume) : undefined;
  const start = resume ? resume.next_page : firstPagePath(query);
  return {
    query, resume, writer, seen, start,
    prior: resume ? resume.counts : { total: 0, failed: 0, requests: 0 },
    async started(counts) {
      await writer.checkpoint(start, counts);
      // the unfinished run this one replaces can no longer be resumed: its journal has served
      if (state && !state.complete && cfg.outDir && state.ids_file !== basename(writer.idsPath ?? '')) {
        await rm(join(cfg.outDir, basename(state.ids_file)), { force: true });
      }
    },
  };
}
