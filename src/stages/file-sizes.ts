/**
 * `enrichFileSizes`: a Transform (object mode) that adds per-file sizes to each record (the
 * detail with blob sizes, or the tree pages of a large repo), keeping the order. A few records
 * are fetched at once; at most a bounded number are held, and a slow reader slows the fetching.
 * A failed dataset keeps its record with an `errors` entry; an abort or an unreachable Hub
 * destroys the stream. `fileSizesFlow` is the same stage over the CLI's flow (page markers
 * passed through).
 */
import type { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { UsageError } from '../errors.js';
import { enrichRecord, type EnrichContext } from '../hub/detail.js';
import { mapRecords, recordTransform, type FlowStage, type WindowOptions } from './flow.js';

export interface FileSizesOptions {
  /** records being fetched at once (default: twice the client's concurrency; the client still caps requests in flight) */
  concurrency?: number;
}

export function fileSizesFlow(ctx: EnrichContext, w: WindowOptions): FlowStage {
  return mapRecords((record) => enrichRecord(record, ctx), w);
}

/** The window of a library stage: `concurrency`, or twice the client's. */
export function stageWindow(client: HubClientHandle, concurrency: number | undefined): number {
  const window = concurrency ?? client.concurrency * 2;
  if (!Number.isInteger(window) || window < 1 || window > 1024) throw new UsageError(`concurrency must be a whole number from 1 to 1024, got ${String(window)}`);
  return window;
}

export function enrichFileSizes(client: HubClientHandle, options: FileSizesOptions = {}): Duplex {
  const window = stageWindow(client, options.concurrency);
  return recordTransform((signal) => fileSizesFlow({ client: client.http, endpoint: client.endpoint, signal }, { window }));
}
