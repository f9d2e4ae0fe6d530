/**
 * `enrichFileSizes`: a Transform (object mode) that adds per-file sizes to each record (the
 * detail with blob sizes, or the tree pages of a large repo), keeping the order. A few records
 * are fetched at once; at most a bounded number are held, and a slow reader slows the fetching.
 * A failed dataset keeps its record with an `errors` entry; an abort or an unreachable Hub
 * destroys the stream.
 */
import { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { enrichRecord } from '../hub/detail.js';
import { orderedMap } from '../pipeline/ordered-map.js';
import type { DatasetRecord } from '../types.js';
import { UsageError } from '../errors.js';

export interface FileSizesOptions {
  /** records being fetched at once (default: twice the client's concurrency; the client still caps requests in flight) */
  concurrency?: number;
}

export function enrichFileSizes(client: HubClientHandle, options: FileSizesOptions = {}): Duplex {
  const window = options.concurrency ?? client.concurrency * 2;
  if (!Number.isInteger(window) || window < 1 || window > 1024) throw new UsageError(`concurrency must be a whole number from 1 to 1024, got ${String(window)}`);
  return Duplex.from(async function* (source: AsyncIterable<DatasetRecord>, { signal }: { signal: AbortSignal }) {
    const ctx = { client: client.http, endpoint: client.endpoint, signal };
    yield* orderedMap(source, (record) => enrichRecord(record, ctx), window);
  });
}
