/**
 * Viewer statistics (`--viewer-stats`): the dataset viewer's `/size` block (hub/viewer.ts,
 * docs/viewer-statistics.md). A failed answer keeps the record with `viewer.available: false`
 * (and an `errors` entry when it was a failure, not the viewer's own word).
 *
 * `viewerStats` is the library's Transform (object mode) over the same enricher: it gives each
 * record its `viewer` block, keeping the order; only an abort destroys the stream.
 */
import type { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { enricherTransform } from '../flow/pipeline.js';
import { fetchViewerBlock, type ViewerAnswer } from '../hub/viewer.js';
import { viewerBlockFromUnknown } from '../record/viewer.js';
import type { Enricher } from './enricher.js';
import { transformWindow } from './file-sizes.js';

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

/** Whether the catalog asks again for the same sha (the answer is not final, see {@link viewerAnswerIsFinal}). */
export function viewerRefetch(answer: ViewerAnswer): boolean {
  return !viewerAnswerIsFinal(answer);
}

export const viewerStatistics: Enricher<ViewerAnswer | null> = {
  name: 'viewer',
  path: '$.viewer',
  enabled: (o) => o.viewerStats,
  fetch: async (record, ctx) => (ctx.viewer === null ? null : fetchViewerBlock(ctx.viewer, record.id, ctx.signal)),
  merge: (record, answer) => (answer === null ? record : { ...record, viewer: answer.viewer, errors: answer.error ? [...record.errors, answer.error] : record.errors }),
  refetch: (answer) => answer === null || viewerRefetch(answer),
  part: (record) => record.viewer,
  carry: (fresh, kept) => {
    const block = viewerBlockFromUnknown(kept);
    return block === null ? fresh : { ...fresh, viewer: block };
  },
};

export interface ViewerStatsOptions {
  /** records in flight (default 1024); the viewer client's `concurrency` still caps the requests in flight */
  window?: number;
  /** @deprecated the old name of `window` */
  concurrency?: number;
}

export function viewerStats(client: HubClientHandle, options: ViewerStatsOptions = {}): Duplex {
  const window = transformWindow(options);
  return enricherTransform([viewerStatistics], { client: client.http, viewer: client.viewer, endpoint: client.endpoint }, { window });
}
