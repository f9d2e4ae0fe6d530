/**
 * `viewerStats`: a Transform (object mode) that gives each record its `viewer` block (the dataset
 * viewer's `/size` answer, docs/viewer-statistics.md), keeping the order. A few records are asked
 * about at once; at most a bounded number are held, and a slow reader slows the asking. A failed
 * answer keeps the record with `viewer.available: false` (and an `errors` entry when it was a
 * failure, not the viewer's own word); only an abort destroys the stream.
 */
import { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { UsageError } from '../errors.js';
import { withViewerStats } from '../hub/viewer.js';
import { orderedMap } from '../pipeline/ordered-map.js';
import type { DatasetRecord } from '../types.js';

export interface ViewerStatsOptions {
  /** records being asked about at once (default: twice the client's concurrency; the viewer client still caps requests in flight) */
  concurrency?: number;
}

export function viewerStats(client: HubClientHandle, options: ViewerStatsOptions = {}): Duplex {
  const window = options.concurrency ?? client.concurrency * 2;
  if (!Number.isInteger(window) || window < 1 || window > 1024) throw new UsageError(`concurrency must be a whole number from 1 to 1024, got ${String(window)}`);
  return Duplex.from(async function* (source: AsyncIterable<DatasetRecord>, { signal }: { signal: AbortSignal }) {
    const viewer = client.viewer;
    yield* orderedMap(source, (record) => withViewerStats(record, viewer, signal), window);
  });
}
