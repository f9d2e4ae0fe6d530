/**
 * Per-dataset calls, used by `--file-sizes` and `enrich`: the detail with blob sizes
 * (`/api/datasets/{id}?blobs=true`), or for repos with more than 1,000 files the recursive tree
 * pages (`/api/datasets/{id}/tree/{rev}?recursive=true`, following `Link`). A failure of one
 * dataset (404 vanished, 401/403, a 5xx or timeout that outlasts the retries, a malformed or
 * oversized body) never throws: the record keeps what it had and gets an `errors` entry. Only an
 * abort or an unreachable endpoint is thrown.
 *
 * The detail call does not carry `downloadsAllTime`, `trendingScore` or `mainSize`: the Hub gives
 * them only to `expand`, and `expand` cannot be combined with `blobs=true` (the official client
 * refuses the pair; with `expand` only the named properties come back, without sizes). So when
 * the record lacks them (`enrich` of a bare id), a second, small call
 * `/api/datasets/{id}?expand[]=downloadsAllTime&expand[]=trendingScore&expand[]=mainSize` runs beside
 * the detail call, and the enriched record equals the one `collect` builds, plus the sizes.
 * `collect --file-sizes` never needs it: its records come from a listing that asked for them.
 */
import { AbortedError, BodyError, EtlError, HttpError, NetworkError, describeError } from '../errors.js';
import { safeUrl, shortUrl, type HubClient } from '../http/client.js';
import { buildRecord, filesFromTree, mergeRecords, withFiles, type TypeDrift } from '../record/build.js';
import type { DatasetRecord, ErrorStage, FileEntry, RawDataset, RawTreeEntry, RecordError } from '../types.js';
import { dropRefusedExpand, stripRefused } from './expand-drift.js';
import { num } from '../record/util.js';
import { parseNextLink } from './list.js';

export const TREE_THRESHOLD = 1000;

/**
 * One URL path segment. Refuses what a URL parser would resolve away or cannot encode: '', '.',
 * '..' (an id such as `x/../../escape` would address another endpoint) and lone surrogates.
 */
function pathSegment(segment: string, whole: string): string {
  let reason: string;
  if (segment === '') reason = 'it has an empty path segment';
  else if (segment === '.' || segment === '..') reason = `it has a "${segment}" path segment, which a URL resolves away`;
  else {
    try {
      return encodeURIComponent(segment);
    } catch {
      reason = 'it is not well-formed Unicode (a lone surrogate)';
    }
  }
  throw new EtlError(`cannot request ${JSON.stringify(whole)}: ${reason}`, 'ETL_UNSAFE_ID');
}

function repoPath(id: string): string {
  return id.split('/').map((s) => pathSegment(s, id)).join('/');
}

/** Turns a failure into the record's `errors` entry (the message never holds a token: URLs and Hub messages only). */
export function toRecordError(stage: ErrorStage, err: unknown): RecordError {
  if (err instanceof HttpError) return { stage, status: err.status, code: err.errorCode ?? err.code, message: describeError(err) };
  if (err instanceof EtlError) return { stage, status: null, code: err.code, message: describeError(err) };
  return { stage, status: null, code: 'ETL_UNKNOWN', message: describeError(err) };
}

/**
 * `GET /api/datasets/{id}?blobs=true` → the raw item; with `expand`, `?expand[]=…` instead (only
 * those properties come back; clients do not send `blobs` with `expand`). An `expand` value the
 * Hub refuses is dropped for the rest of the run (see expand-drift.ts): one warning, the call
 * asked again without it, its fields missing from the item.
 */
export async function fetchDetail(client: HubClient, id: string, signal?: AbortSignal, expand: readonly string[] = []): Promise<RawDataset> {
  const query = expand.length > 0 ? expand.map((e) => `expand[]=${encodeURIComponent(e)}`).join('&') : 'blobs=true';
  let url = stripRefused(client, client.url(`/api/datasets/${repoPath(id)}?${query}`));
  let data: unknown;
  for (;;) {
    try {
      ({ data } = await client.getJson(url, { signal }));
      break;
    } catch (err) {
      if (!dropRefusedExpand(client, err, url)) throw err;
      url = stripRefused(client, url);
    }
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new BodyError(`the detail answer from ${shortUrl(url)} is not a JSON object`, safeUrl(url), 'ETL_BAD_BODY');
  const item = data as RawDataset;
  if (typeof item.id !== 'string' || item.id === '') throw new BodyError(`the detail answer from ${shortUrl(url)} has no "id"`, safeUrl(url), 'ETL_BAD_BODY');
  return item;
}

/** Every file of the repo at `rev`, from the recursive tree pages (directories left out). */
export async function fetchTreeFiles(client: HubClient, id: string, rev: string, signal?: AbortSignal): Promise<FileEntry[]> {
  let url: string | null = client.url(`/api/datasets/${repoPath(id)}/tree/${pathSegment(rev, rev)}?recursive=true`);
  const files: FileEntry[] = [];
  while (url) {
    const page: { data: unknown; headers: Record<string, string | string[] | undefined> } = await client.getJson(url, { signal });
    if (!Array.isArray(page.data)) throw new BodyError(`the tree answer from ${shortUrl(url)} is not a JSON array`, safeUrl(url), 'ETL_BAD_BODY');
    for (const f of filesFromTree(page.data as RawTreeEntry[])) files.push(f);
    const next = parseNextLink(page.headers.link);
    url = next === null ? null : new URL(next, url).toString();
  }
  return files;
}

/** The listing-only properties of one dataset (see the note at the top). */
export const EXTRA_FIELDS = ['downloadsAllTime', 'trendingScore', 'mainSize'] as const;

/**
 * `GET /api/datasets/{id}?expand[]=…` for {@link EXTRA_FIELDS} → those properties of the raw item
 * (through {@link fetchDetail}, so a value the Hub refuses is dropped like anywhere else).
 */
export async function fetchExtraFields(client: HubClient, id: string, signal?: AbortSignal): Promise<Partial<RawDataset>> {
  const data = await fetchDetail(client, id, signal, EXTRA_FIELDS);
  const out: Partial<RawDataset> = {};
  for (const f of EXTRA_FIELDS) if (Object.hasOwn(data, f)) out[f] = data[f];
  return out;
}

export interface DetailContext {
  client: HubClient;
  endpoint: string;
  signal?: AbortSignal;
  now?: () => string;
  /** counts detail fields of an unexpected type (reported at the end of the run) */
  drift?: TypeDrift;
  /** ask for the listing-only properties when the record lacks them (`enrich`; see the note at the top) */
  extraFields?: boolean;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function rethrowStop(err: unknown, signal: AbortSignal | undefined): void {
  if (err instanceof AbortedError || signal?.aborted) throw err instanceof AbortedError ? err : new AbortedError('aborted', { cause: err });
  if (err instanceof NetworkError && err.code === 'ETL_UNREACHABLE') throw err;
}

/**
 * Adds per-file sizes to `base` (a record built from the listing or read from stdin).
 * Fetched values replace the base's, and a failure is recorded in `errors`.
 * @throws AbortedError when the run stops, and NetworkError `ETL_UNREACHABLE` when the endpoint
 * cannot be reached at all (that ends the run instead of failing every dataset after it).
 */
export async function enrichRecord(base: DatasetRecord, ctx: DetailContext): Promise<DatasetRecord> {
  const collectedAt = ctx.now?.() ?? new Date().toISOString();
  const s = base.statistics;
  const wantExtra = ctx.extraFields === true && (s.downloads_all_time === null || s.trending_score === null);
  // started first, so both calls are under way at once; failures are looked at below
  const extra = wantExtra ? settle(fetchExtraFields(ctx.client, base.id, ctx.signal)) : null;
  const record = await enrichFiles(base, ctx, collectedAt);
  if (!extra) return record;
  const got = await extra;
  if (!got.ok) {
    rethrowStop(got.error, ctx.signal);
    // the detail's own failure already says what went wrong with this dataset
    return record.errors.length > base.errors.length ? record : { ...record, errors: [...record.errors, toRecordError('detail', got.error)] };
  }
  const v = got.value;
  const stats = record.statistics;
  return {
    ...record,
    statistics: {
      ...stats,
      // only what the record lacks: a value the input brought is kept
      downloads_all_time: stats.downloads_all_time ?? num(v.downloadsAllTime),
      trending_score: stats.trending_score ?? num(v.trendingScore),
      total_size_bytes: stats.total_size_bytes ?? num(v.mainSize),
    },
  };
}

/** The record with its per-file sizes (from the detail or the tree pages), or with an `errors` entry. */
async function enrichFiles(base: DatasetRecord, ctx: DetailContext, collectedAt: string): Promise<DatasetRecord> {
  // a repo with a large file list is read from its tree pages: one detail answer would hold it all
  const stage: ErrorStage = Math.max(base.files.length, base.statistics.file_count) > TREE_THRESHOLD ? 'tree' : 'detail';
  try {
    if (stage === 'tree') {
      const files = await fetchTreeFiles(ctx.client, base.id, base.sha ?? 'main', ctx.signal);
      return withFiles({ ...base, collected_at: collectedAt }, files, ctx.endpoint);
    }
    const raw = await fetchDetail(ctx.client, base.id, ctx.signal);
    const fetched = buildRecord(raw, { endpoint: ctx.endpoint, collectedAt, drift: ctx.drift });
    return mergeRecords(base, fetched);
  } catch (err) {
    rethrowStop(err, ctx.signal);
    return { ...base, errors: [...base.errors, toRecordError(stage, err)] };
  }
}
