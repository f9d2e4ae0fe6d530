/**
 * The query parameters of the pages and the API, checked once: a bad value is a ParamError (a 400
 * with its one-line message). An empty value counts as not given (a form's empty field).
 */
import { DEFAULT_PER_PAGE, EVENT_KINDS, FACETS, SORTS, type DatasetQuery, type EventKind, type FacetName, type SortName } from './model.js';
import type { ChangesQuery } from '../catalog/read.js';

export const MAX_PER_PAGE = 500;
/** Deeper pages are refused (a page number past this is no one's bookmark). */
const MAX_PAGE = 1_000_000;
const MAX_Q = 500;
const MAX_FACET_VALUES = 50;

/** A bad query parameter: answered with 400 and this message. */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

function one(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name).filter((v) => v !== '');
  if (all.length > 1) throw new ParamError(`${name} may be given once, got ${all.length} values`);
  return all[0] ?? null;
}

function wholeNumber(params: URLSearchParams, name: string, min: number, max: number): number | null {
  const v = one(params, name);
  if (v === null) return null;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ParamError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 40))}`);
  }
  return Number(v);
}

function bool(params: URLSearchParams, name: string): boolean | null {
  const v = one(params, name);
  if (v === null) return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ParamError(`${name} must be true or false, got ${JSON.stringify(v.slice(0, 40))}`);
}

function paging(params: URLSearchParams): { page: number; per_page: number } {
  return {
    page: wholeNumber(params, 'page', 1, MAX_PAGE) ?? 1,
    per_page: wholeNumber(params, 'per_page', 1, MAX_PER_PAGE) ?? DEFAULT_PER_PAGE,
  };
}

/** `/` and `/api/datasets`. @throws ParamError */
export function parseDatasetQuery(params: URLSearchParams): DatasetQuery {
  const q = one(params, 'q');
  if (q !== null && q.length > MAX_Q) throw new ParamError(`q may hold at most ${MAX_Q} characters, got ${q.length}`);
  const facets = {} as Record<FacetName, string[]>;
  for (const f of FACETS) {
    const values = [...new Set(params.getAll(f).filter((v) => v !== ''))];
    if (values.length > MAX_FACET_VALUES) throw new ParamError(`${f} may be given at most ${MAX_FACET_VALUES} times, got ${values.length}`);
    facets[f] = values;
  }
  const sort = one(params, 'sort') ?? 'downloads';
  if (!(SORTS as readonly string[]).includes(sort)) throw new ParamError(`sort must be one of ${SORTS.join(', ')}, got ${JSON.stringify(sort.slice(0, 40))}`);
  const max = Number.MAX_SAFE_INTEGER;
  return {
    q: q === null ? null : q,
    facets,
    gated: bool(params, 'gated'),
    min_rows: wholeNumber(params, 'min_rows', 0, max),
    max_rows: wholeNumber(params, 'max_rows', 0, max),
    min_bytes: wholeNumber(params, 'min_bytes', 0, max),
    max_bytes: wholeNumber(params, 'max_bytes', 0, max),
    sort: sort as SortName,
    ...paging(params),
    include_removed: bool(params, 'include_removed') ?? false,
  };
}

/** `/changes` and `/api/changes`. @throws ParamError */
export function parseChangesQuery(params: URLSearchParams): ChangesQuery {
  const kind = one(params, 'kind');
  if (kind !== null && !(EVENT_KINDS as readonly string[]).includes(kind)) {
    throw new ParamError(`kind must be one of ${EVENT_KINDS.join(', ')}, got ${JSON.stringify(kind.slice(0, 40))}`);
  }
  return { kind: kind as EventKind | null, ...paging(params) };
}
