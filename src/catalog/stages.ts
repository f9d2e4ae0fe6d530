/**
 * Per-dataset facts that cost one request per dataset (file sizes now; the viewer's statistics
 * block plugs in the same way). The catalog pays for a fact once per commit: a stage fetches only
 * for datasets added, updated or restored in this sync, or whose stored answer is not for the
 * current sha or was not final (`ok` false: the fetch failed, or the answer was "not ready" or
 * partly pending); every other dataset gets the stored part carried into the record rebuilt from
 * the listing (a part that is not final too, when the stage does not run in this sync).
 *
 * The bookkeeping is the `fetch_state(id, stage, sha, ok, value)` table (`value`: the stage's part
 * of the record, so carrying it never reads the wide `record` column). Adding a stage needs no
 * schema change:
 *
 * a stage (see {@link viewerStage}) appended to {@link CATALOG_STAGES}.
 */
import type { HubClient } from '../http/client.js';
import { enrichRecord } from '../hub/detail.js';
import { fetchViewerBlock, type ViewerAnswer } from '../hub/viewer.js';
import { withFiles } from '../record/build.js';
import { viewerBlockFromUnknown } from '../record/viewer.js';
import type { DatasetRecord, FileEntry } from '../types.js';

export interface StageContext {
  client: HubClient;
  /** the dataset viewer's own client (its origin, its limits); null when viewer statistics are not asked */
  viewer: HubClient | null;
  endpoint: string;
  signal: AbortSignal;
}

/** What the sync was asked to fetch. */
export interface StageOptions {
  fileSizes: boolean;
  viewerStats: boolean;
}

export interface CatalogStage {
  /** the key in `fetch_state.stage` */
  name: string;
  /** the JSON path of the part of the record this stage owns (documentation; `part` reads it) */
  path: string;
  /** the part of a record this stage owns, stored with its fetch state and carried into later records */
  part(record: DatasetRecord): unknown;
  /** whether this sync fetches it (a stage not asked for still carries what is stored) */
  enabled(o: StageOptions): boolean;
  /** the record rebuilt from the listing with the stored part (for the same sha) put back */
  carry(fresh: DatasetRecord, stored: unknown, endpoint: string): DatasetRecord;
  /**
   * Fetches the fact for one record. `ok` false: not final, fetch again at the next sync that runs
   * this stage even if the sha is unchanged. Throws only when the whole sync must stop (aborted,
   * endpoint unreachable).
   */
  fetch(record: DatasetRecord, ctx: StageContext): Promise<{ record: DatasetRecord; ok: boolean }>;
}

function isFileList(v: unknown): v is FileEntry[] {
  return Array.isArray(v) && v.every((f) => f !== null && typeof f === 'object' && typeof (f as FileEntry).path === 'string');
}

/** `--file-sizes`: the detail (or tree pages) with per-file sizes. */
export const fileSizesStage: CatalogStage = {
  name: 'file_sizes',
  path: '$.files',
  part: (record) => record.files,
  enabled: (o) => o.fileSizes,
  carry: (fresh, stored, endpoint) => (isFileList(stored) ? withFiles(fresh, stored, endpoint) : fresh),
  async fetch(record, ctx) {
    const enriched = await enrichRecord(record, { client: ctx.client, endpoint: ctx.endpoint, signal: ctx.signal });
    return { record: enriched, ok: enriched.errors.length === record.errors.length };
  },
};

/**
 * Whether a viewer answer is final for this sha: sizes of every subset, or the viewer's own word
 * (ResponseNotFound, ExternalAuthenticatedError…). Asked again at the next `sync --viewer-stats`:
 * a failure, "not ready yet" (ResponseNotReady), and sizes with subsets still `pending`.
 */
export function viewerAnswerIsFinal(answer: ViewerAnswer): boolean {
  if (answer.error !== null) return false;
  const v = answer.viewer;
  return v.available ? v.pending.length === 0 : v.reason !== 'ResponseNotReady';
}

/** `--viewer-stats`: the dataset viewer's `/size` block, kept per sha when final (see {@link viewerAnswerIsFinal}). */
export const viewerStage: CatalogStage = {
  name: 'viewer',
  path: '$.viewer',
  part: (record) => record.viewer,
  enabled: (o) => o.viewerStats,
  carry: (fresh, stored) => {
    const block = viewerBlockFromUnknown(stored);
    return block === null ? fresh : { ...fresh, viewer: block };
  },
  async fetch(record, ctx) {
    if (ctx.viewer === null) return { record, ok: false };
    const answer = await fetchViewerBlock(ctx.viewer, record.id, ctx.signal);
    const ok = viewerAnswerIsFinal(answer);
    return { record: { ...record, viewer: answer.viewer, errors: answer.error ? [...record.errors, answer.error] : record.errors }, ok };
  },
};

/** Every stage the catalog knows, in the order they run on a record. */
export const CATALOG_STAGES: CatalogStage[] = [fileSizesStage, viewerStage];
