/**
 * The library's `Query`, checked with the CLI's own rules (normalizeConfig), so a value the
 * CLI refuses is refused here with the same "got X" message and code.
 */
import { normalizeConfig, type RawArgs } from '../config.js';
import { UsageError } from '../errors.js';
import type { QueryOptions, SortKey } from '../types.js';

/** What to list. Every field is optional. */
export interface Query {
  /** substring of the dataset id */
  search?: string;
  /** the owner (user or organisation) */
  author?: string;
  /** tags every dataset must carry, e.g. `task_categories:text-classification` */
  filter?: string[];
  /** ranking, descending (default `downloads`) */
  sort?: SortKey;
  /** how many datasets; `null` = all of them (default 100) */
  limit?: number | null;
  /** only datasets modified (or created, with `sort: 'createdAt'`) at or after this ISO date; needs `sort` lastModified or createdAt */
  since?: string;
}

const KNOWN = new Set(['search', 'author', 'filter', 'sort', 'limit', 'since']);

/**
 * The Query as the run's QueryOptions (what `collection_info.query` holds).
 * @throws UsageError (`ETL_USAGE`) for an unknown key or a value the CLI would refuse.
 */
export function normalizeQuery(query: Query = {}): QueryOptions {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) throw new UsageError(`the query must be an object, got ${JSON.stringify(query)}`);
  for (const key of Object.keys(query)) {
    if (!KNOWN.has(key)) throw new UsageError(`the query has no option ${JSON.stringify(key)}; known: ${[...KNOWN].join(', ')}`);
  }
  for (const key of ['search', 'author', 'sort', 'since'] as const) {
    const v: unknown = query[key];
    if (v !== undefined && typeof v !== 'string') throw new UsageError(`${key} must be a string, got ${JSON.stringify(v)}`);
  }
  if (Array.isArray(query.filter) && query.filter.some((t: unknown) => typeof t !== 'string')) throw new UsageError(`filter must be an array of strings, got ${JSON.stringify(query.filter)}`);
  if (query.filter !== undefined && !Array.isArray(query.filter)) throw new UsageError(`filter must be an array of strings, got ${JSON.stringify(query.filter)}`);
  if (query.limit === undefined || query.limit === null) {
    // null: all; undefined: the default
  } else if (typeof query.limit !== 'number') {
    throw new UsageError(`limit must be a number or null, got ${JSON.stringify(query.limit)}`);
  }
  const args: RawArgs = {
    search: query.search,
    author: query.author,
    filter: query.filter,
    sort: query.sort,
    since: query.since,
    limit: query.limit === null ? undefined : query.limit,
    all: query.limit === null,
  };
  // no token is looked up: only the query part of the config is used
  return normalizeConfig('collect', args, { HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' }).query;
}
