/** The record's key order (docs/record.md), for tests. */
import { expect } from 'vitest';
import type { DatasetRecord } from '../../src/types.js';

export const RECORD_KEYS = {
  record: ['id', 'name', 'author', 'sha', 'links', 'info', 'statistics', 'files', 'additional', 'viewer', 'errors', 'collected_at'],
  links: ['dataset_url', 'api_url', 'github', 'homepage', 'papers', 'paperswithcode_id', 'doi', 'download_links'],
  info: ['pretty_name', 'description', 'citation', 'license', 'languages', 'task_categories', 'task_ids',
    'size_categories', 'modalities', 'formats', 'libraries', 'tags'],
  statistics: ['downloads', 'downloads_all_time', 'likes', 'file_count', 'total_size_bytes', 'used_storage_bytes',
    'created_at', 'last_modified', 'trending_score'],
  additional: ['private', 'gated', 'disabled', 'card_data'],
};

/** The `viewer` block's key order when the viewer answered with sizes, and a split's. */
export const VIEWER_KEYS = {
  block: ['available', 'partial', 'num_rows', 'estimated_num_rows', 'num_bytes_original_files', 'num_bytes_parquet_files',
    'num_bytes_memory', 'pending', 'failed', 'splits'],
  split: ['config', 'split', 'num_rows', 'estimated_num_rows', 'num_columns', 'num_bytes_parquet_files', 'num_bytes_memory'],
  unavailable: ['available', 'reason'],
};

/** Asserts every level of the record has exactly the documented keys, in their order. */
export function expectRecordShape(r: DatasetRecord): void {
  expect(Object.keys(r)).toEqual(RECORD_KEYS.record);
  expect(Object.keys(r.links)).toEqual(RECORD_KEYS.links);
  expect(Object.keys(r.info)).toEqual(RECORD_KEYS.info);
  expect(Object.keys(r.statistics)).toEqual(RECORD_KEYS.statistics);
  expect(Object.keys(r.additional)).toEqual(RECORD_KEYS.additional);
  if (r.viewer !== null) {
    expect(Object.keys(r.viewer)).toEqual(r.viewer.available ? VIEWER_KEYS.block : VIEWER_KEYS.unavailable);
    if (r.viewer.available) for (const s of r.viewer.splits) expect(Object.keys(s)).toEqual(VIEWER_KEYS.split);
  }
}
