/**
 * The public API: the stages `collect` is made of, as Node streams that compose with
 * `stream.pipeline`.
 *
 *   datasetSource(client, query)   Readable of DatasetRecord (the listing)
 *   enrichFileSizes(client)        Transform: adds per-file sizes, in order
 *   viewerStats(client)            Transform: adds the dataset viewer's sizes (`viewer`), in order
 *   toNdjson()                     Transform: records → NDJSON lines
 *   writeRunFiles({ outDir })      Writable: the run files (aggregate file, links summary, individual files)
 *
 * The record's fields and rules are described in docs/record.md.
 */
export { createHubClient, DEFAULT_VIEWER_ENDPOINT, type HubClientHandle, type HubClientOptions } from './client.js';
export {
  AbortedError,
  BodyError,
  CatalogError,
  describeError,
  ERROR_CODES,
  EtlError,
  HttpError,
  InvalidItemError,
  NetworkError,
  UsageError,
  type ErrorCode,
} from './errors.js';
export { writeCatalog, writeRunFiles, type CatalogOptions, type RunFilesOptions } from './sinks/run-files.js';
export { enrichFileSizes, type FileSizesOptions } from './enrichers/file-sizes.js';
export { toNdjson } from './stages/ndjson.js';
export type { Query } from './stages/query.js';
export { datasetSource, type SourceOptions } from './stages/source.js';
export { viewerStats, type ViewerStatsOptions } from './enrichers/viewer-stats.js';
export type { DatasetRecord, FileEntry, PaperLink, RecordError, SortKey, ViewerBlock } from './types.js';
