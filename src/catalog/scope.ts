/**
 * The scope of a catalog (search, author, filter), fixed by its first sync: options given again
 * must equal it.
 */
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { Scope } from './store.js';

/** The scope of this sync: the stored one; scope options given again must equal it (else UsageError). */
export function resolveScope(cfg: Config, stored: Scope | null): Scope {
  const given: Scope = { search: cfg.query.search, author: cfg.query.author, filter: cfg.query.filter };
  if (stored === null) return given;
  for (const key of ['search', 'author', 'filter'] as const) {
    if (cfg.explicitQuery.has(key) && JSON.stringify(given[key]) !== JSON.stringify(stored[key])) {
      throw new UsageError(`--${key} ${JSON.stringify(given[key])} differs from this catalog's scope (${key} ${JSON.stringify(stored[key])}); use another --db for another scope`, 'ETL_SCOPE_MISMATCH');
    }
  }
  return stored;
}
