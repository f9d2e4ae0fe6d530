/**
 * The record's identity pieces and its empty shape, shared by the builders and the merge.
 */
import { InvalidItemError } from '../errors.js';
import type { DatasetRecord } from '../types.js';
import { apiUrl, datasetUrl, trimEndpoint } from './links.js';
import type { TypeDrift } from './type-drift.js';
import { nonEmptyStr } from './util.js';

/** Where records are built for: the Hub base URL (no trailing slash) and the collection time (ISO-8601). */
export interface RecordContext {
  endpoint: string;
  collectedAt: string;
  /** counts the item's fields of an unexpected type (the run reports them once, at its end) */
  drift?: TypeDrift;
}

export { InvalidItemError };

/** A non-empty string id, else throws {@link InvalidItemError}. */
export function requireId(id: unknown): string {
  if (typeof id !== 'string' || id === '') {
    throw new InvalidItemError(`dataset item without a valid "id" (got ${id === '' ? 'an empty string' : typeof id})`);
  }
  return id;
}

/** `name` and `author` of an id: `owner/name` → (owner, name); a legacy id without `/` → (null, id). */
export function splitId(id: string, author: unknown): { name: string; author: string | null } {
  const slash = id.indexOf('/');
  const owner = slash < 0 ? null : id.slice(0, slash) || null;
  return { name: slash < 0 ? id : id.slice(slash + 1), author: nonEmptyStr(author) ?? owner };
}

/**
 * The full record shape for a dataset we know nothing about but its id (nulls, empty lists,
 * `file_count` 0, `private`/`disabled`/`gated` false), with the Hub links for `ctx.endpoint`.
 * Used by `enrich` when a detail call fails.
 *
 * @throws {InvalidItemError} when `id` is not a non-empty string.
 */
export function emptyRecord(id: string, ctx: RecordContext): DatasetRecord {
  requireId(id);
  const endpoint = trimEndpoint(ctx.endpoint);
  const { name, author } = splitId(id, null);
  return {
    id,
    name,
    author,
    sha: null,
    links: {
      dataset_url: datasetUrl(endpoint, id),
      api_url: apiUrl(endpoint, id),
      github: [],
      homepage: null,
      papers: [],
      paperswithcode_id: null,
      doi: [],
      download_links: [],
    },
    info: {
      pretty_name: null,
      description: null,
      citation: null,
      license: [],
      languages: [],
      task_categories: [],
      task_ids: [],
      size_categories: [],
      modalities: [],
      formats: [],
      libraries: [],
      tags: [],
    },
    statistics: {
      downloads: null,
      downloads_all_time: null,
      likes: null,
      file_count: 0,
      total_size_bytes: null,
      used_storage_bytes: null,
      created_at: null,
      last_modified: null,
      trending_score: null,
    },
    files: [],
    additional: { private: false, gated: false, disabled: false, card_data: {} },
    viewer: null,
    errors: [],
    collected_at: ctx.collectedAt,
  };
}
