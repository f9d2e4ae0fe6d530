/**
 * The one shape of a per-dataset fact that costs a request per dataset (file sizes, viewer
 * statistics, the next ones): an enricher. Every command and the library run it through the
 * record pipeline (src/flow/pipeline.ts); the catalog also uses it to decide what to fetch again
 * for an unchanged sha and to carry what it keeps.
 *
 * The catalog pays for a fact once per commit: an enricher fetches only for datasets added,
 * updated or restored in this sync, or whose stored answer is not for the current sha or was
 * to be fetched again (`refetch`: the fetch failed, or the answer was "not ready"); every other
 * dataset gets the stored part carried into the record rebuilt from the listing. The bookkeeping
 * is the `fetch_state(id, stage, sha, ok, value)` table (`value`: the enricher's part of the
 * record, so carrying it never reads the wide `record` column; `ok` is `!refetch`).
 *
 * Adding a fact: one file here with its enricher, appended to {@link ENRICHERS} (src/enrichers/index.ts),
 * plus the option that enables it. No schema change.
 */
import type { HubClient } from '../http/client.js';
import type { TypeDrift } from '../record/build.js';
import type { DatasetRecord } from '../types.js';

export interface EnrichContext {
  /** the Hub's client */
  client: HubClient;
  /** the dataset viewer's own client (its origin, its limits); null when viewer statistics are not asked */
  viewer: HubClient | null;
  endpoint: string;
  signal: AbortSignal;
  /** counts fields of an unexpected type in the answers (reported at the end of the run) */
  drift?: TypeDrift;
  /** `enrich`: also ask for the listing-only properties a bare id lacks (see hub/detail.ts) */
  extraFields?: boolean;
}

/** What a run was asked to fetch. */
export interface EnricherOptions {
  fileSizes: boolean;
  viewerStats: boolean;
}

export interface Enricher<Answer = unknown> {
  /** its key (`fetch_state.stage` in the catalog) */
  readonly name: string;
  /** the JSON path of the part of the record it owns (`$.files` also rewrites the catalog's files table) */
  readonly path: string;
  /** whether this run fetches it (an enricher not asked for still carries what the catalog keeps) */
  enabled(o: EnricherOptions): boolean;
  /**
   * Fetches the fact for one record. A failure of the dataset is an answer (merged as an
   * `errors` entry); throws only when the whole run must stop (aborted, endpoint unreachable).
   */
  fetch(record: DatasetRecord, ctx: EnrichContext): Promise<Answer>;
  /** the record with the answer put in */
  merge(record: DatasetRecord, answer: Answer): DatasetRecord;
  /** true: the answer is not final for this sha (a failure, "not ready yet"): the catalog fetches it again at the next sync */
  refetch(answer: Answer): boolean;
  /** the part of a record it owns, as the catalog keeps it (with its fetch state) */
  part(record: DatasetRecord): unknown;
  /** the record rebuilt from the listing with the kept part put back (for the same sha, not to be fetched again) */
  carry(fresh: DatasetRecord, kept: unknown, endpoint: string): DatasetRecord;
}
