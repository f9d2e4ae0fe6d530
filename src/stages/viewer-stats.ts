/**
 * `viewerStats`: a Transform (object mode) that gives each record its `viewer` block (the dataset
 * viewer's `/size` answer, docs/viewer-statistics.md), keeping the order. A few records are asked
 * about at once; at most a bounded number are held, and a slow reader slows the asking. A failed
 * answer keeps the record with `viewer.available: false` (and an `errors` entry when it was a
 * failure, not the viewer's own word); only an abort destroys the stream. `viewerFlow` is the
 * same stage over the CLI's flow (page markers passed through).
 */
import type { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import type { HubClient } from '../http/client.js';
import { withViewerStats } from '../hub/viewer.js';
import { stageWindow } from './file-sizes.js';
import { mapRecords, recordTransform, type FlowStage, type WindowOptions } from './flow.js';

export interface ViewerStatsOptions {
  /** records being asked about at once (default: twice the client's concurrency; the viewer client still caps requests in flight) */
  concurrency?: number;
}

export function viewerFlow(viewer: HubClient, signal: AbortSignal, w: WindowOptions): FlowStage {
  return mapRecords((record) => withViewerStats(record, viewer, signal), w);
}

export function viewerStats(client: HubClientHandle, options: ViewerStatsOptions = {}): Duplex {
  const window = stageWindow(client, options.concurrency);
  return recordTransform((signal) => viewerFlow(client.viewer, signal, { window }));
}
