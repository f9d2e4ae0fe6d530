/**
 * Where a run starts: its timestamp, and with --resume the query of the run being continued
 * (options given again must equal it).
 */
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { RunState } from '../output/state.js';
import type { QueryOptions } from '../types.js';

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
