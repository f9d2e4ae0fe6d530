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

/** Asserts every level of the record has exactly the documented keys, in their order. */
export function expectRecordShape(r: DatasetRecord): void {
  expect(Object.keys(r)).toEqual(RECORD_KEYS.record);
  expect(Object.keys(r.links)).toEqual(RECORD_KEYS.links);
  expect(Object.keys(r.info)).toEqual(RECORD_KEYS.info);
  expect(Object.keys(r.statistics)).toEqual(RECORD_KEYS.statistics);
  expect(Object.keys(r.additional)).toEqual(RECORD_KEYS.additional);
}
