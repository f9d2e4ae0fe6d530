/**
 * File sizes (`--file-sizes`, `enrich`): the detail with blob sizes, or the tree pages of a large
 * repo (hub/detail.ts). A failed dataset keeps its record with an `errors` entry and is fetched
 * again at the next sync.
 *
 * `enrichFileSizes` is the library's Transform (object mode) over the same enricher: it adds
 * per-file sizes to each record, keeping the order. A window of records is in flight (each with
 * its calls queued in the client, which caps the requests in flight); a slow reader slows the
 * fetching. An abort or an unreachable Hub destroys the stream.
 */
import type { Duplex } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { wholeNumber } from '../options.js';
import { enrichRecord } from '../hub/detail.js';
import { enricherTransform, WINDOW } from '../flow/pipeline.js';
import { withFiles } from '../record/build.js';
import type { DatasetRecord, FileEntry } from '../types.js';
import type { Enricher } from './enricher.js';

function isFileList(v: unknown): v is FileEntry[] {
  return Array.isArray(v) && v.every((f) => f !== null && typeof f === 'object' && typeof (f as FileEntry).path === 'string');
}

interface FileSizesAnswer {
  record: DatasetRecord;
  failed: boolean;
}

export const fileSizes: Enricher<FileSizesAnswer> = {
  name: 'file_sizes',
  path: '$.files',
  enabled: (o) => o.fileSizes,
  async fetch(record, ctx) {
    const enriched = await enrichRecord(record, ctx);
    return { record: enriched, failed: enriched.errors.length > record.errors.length };
  },
  merge: (_record, answer) => answer.record,
  refetch: (answer) => answer.failed,
  part: (record) => record.files,
  carry: (fresh, kept, endpoint) => (isFileList(kept) ? withFiles(fresh, kept, endpoint) : fresh),
};

export interface FileSizesOptions {
  /** records in flight (default 1024); the client's `concurrency` still caps the requests in flight */
  window?: number;
  /** @deprecated the old name of `window` */
  concurrency?: number;
}

/** The window of a library Transform: `window` (or its old name `concurrency`), else {@link WINDOW}. */
export function transformWindow(options: { window?: number; concurrency?: number }): number {
  const [name, window] = options.window !== undefined ? ['window', options.window] : options.concurrency !== undefined ? ['concurrency', options.concurrency] : ['window', WINDOW];
  return wholeNumber(name, window, { min: 1, max: 65536 }, false);
}

export function enrichFileSizes(client: HubClientHandle, options: FileSizesOptions = {}): Duplex {
  const window = transformWindow(options);
  return enricherTransform([fileSizes], { client: client.http, viewer: null, endpoint: client.endpoint }, { window });
}
