/**
 * The source: pages through `GET /api/datasets`, following only the `Link: <…>; rel="next"`
 * header, and yields each dataset as soon as its bytes have arrived, then a `page` event when a
 * page is complete (where a resumed run may restart). The next page is requested as soon as the
 * current one's headers name it, so it downloads while the current one is parsed and written.
 */
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import type { HubClient, HubResponse } from '../http/client.js';
import type { QueryOptions, RawDataset } from '../types.js';
import { jsonArrayElements } from './json-array.js';

/** Every listing property the record needs (docs/hub-api.md); `expand` returns only these. */
export const LIST_EXPAND = [
  'author',
  'cardData',
  'citation',
  'createdAt',
  'description',
  'disabled',
  'downloads',
  'downloadsAllTime',
  'gated',
  'lastModified',
  'likes',
  'mainSize',
  'paperswithcode_id',
  'private',
  'sha',
  'siblings',
  'tags',
  'trendingScore',
  'usedStorage',
] as const;

export const PAGE_SIZE = 1000;
export const FALLBACK_PAGE_SIZE = 500;

export type ListEvent =
  | { kind: 'item'; item: RawDataset; page: string }
  /** the page `page` is complete; `next` is where the listing goes on (null: it ended) */
  | { kind: 'page'; page: string; next: string | null };

export interface ListOptions {
  /** path + query of the first page (from `firstPagePath`, or a resumed run's cursor) */
  start: string;
  signal?: AbortSignal;
  /** how many more datasets are wanted; the next page is fetched ahead only while more are wanted than the current page holds */
  wanted?: () => number;
  /** read each page whole before yielding (when slow per-item work follows, so no connection is held) */
  bufferPages?: boolean;
  log?: (msg: string) => void;
}

const LIMIT_PARAM = /([?&]limit=)(\d+)/;

/** The `limit` (page size) a page URL asks for, or null. */
function pageLimit(path: string): number | null {
  const m = LIMIT_PARAM.exec(path);
  return m ? Number(m[2]) : null;
}

/** `/api/datasets?…` for a query, asking for `pageSize` items a page and every field the record needs. */
export function firstPagePath(q: QueryOptions, pageSize = PAGE_SIZE): string {
  const p = new URLSearchParams();
  if (q.search) p.set('search', q.search);
  if (q.author) p.set('author', q.author);
  for (const f of q.filter) p.append('filter', f);
  p.set('sort', q.sort);
  const size = q.limit === null ? pageSize : Math.min(pageSize, q.limit);
  p.set('limit', String(size));
  for (const e of LIST_EXPAND) p.append('expand[]', e);
  return `/api/datasets?${p.toString()}`;
}

/** The `rel="next"` target of a Link header, or null. */
export function parseNextLink(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return null;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel\s*=\s*"?next"?(?:\s*;|\s*$)/i.test(m[2]!)) return m[1]!;
  }
  return null;
}

/** Path + query of a URL (how a cursor is stored, so it survives an endpoint change). */
export function relativePath(url: string, endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  const u = new URL(url, base + '/');
  const e = new URL(base + '/');
  if (u.origin === e.origin && u.pathname.startsWith(e.pathname)) return '/' + (u.pathname.slice(e.pathname.length) + u.search);
  return u.toString();
}

function absolute(client: HubClient, pathOrUrl: string): string {
  return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : client.url(pathOrUrl);
}

/** Streams the listing from `opts.start`; see ListEvent. */
export async function* listDatasets(client: HubClient, opts: ListOptions): AsyncGenerator<ListEvent> {
  const wanted = opts.wanted ?? (() => Infinity);
  let pagePath = opts.start;
  let pending: Promise<HubResponse> | null = null;
  let first = true;
  try {
    while (wanted() > 0) {
      const url = absolute(client, pagePath);
      let res: HubResponse;
      try {
        res = await (pending ?? client.open(url, { signal: opts.signal, priority: 1 }));
      } catch (err) {
        // the Hub may refuse 1000 a page: ask for 500 instead
        const asked = pageLimit(pagePath);
        if (first && err instanceof HttpError && err.status === 400 && asked !== null && asked > FALLBACK_PAGE_SIZE) {
          opts.log?.(`the Hub refused limit=${asked}; asking for ${FALLBACK_PAGE_SIZE} a page`);
          pagePath = pagePath.replace(LIMIT_PARAM, `$1${FALLBACK_PAGE_SIZE}`);
          pending = null;
          continue;
        }
        throw err;
      }
      pending = null;
      first = false;
      const nextUrl = parseNextLink(res.headers.link);
      const next = nextUrl === null ? null : relativePath(nextUrl, client.endpoint);
      const pageSize = pageLimit(pagePath) ?? PAGE_SIZE;
      if (next !== null && wanted() > pageSize) {
        pending = client.open(absolute(client, next), { signal: opts.signal, priority: 1 });
        pending.catch(() => undefined); // awaited on the next turn
      }
      yield* readPage(client, res, url, pagePath, opts);
      yield { kind: 'page', page: pagePath, next };
      if (next === null) return;
      pagePath = next;
    }
  } finally {
    if (pending) pending.then((r) => r.body.destroy()).catch(() => undefined);
  }
}

/**
 * The items of one page. A body that breaks off or does not parse is fetched again (with
 * backoff, up to the retry limit); items already yielded come again and are dropped downstream
 * as already seen.
 */
async function* readPage(client: HubClient, first: HubResponse, url: string, pagePath: string, opts: ListOptions): AsyncGenerator<ListEvent> {
  let res: HubResponse | null = first;
  for (let attempt = 0; ; ) {
    try {
      res ??= await client.open(url, { signal: opts.signal, priority: 1 });
      const items = jsonArrayElements(client.bodyChunks(res), url);
      if (opts.bufferPages) {
        // the whole page first, so no connection is held while slow per-item work follows
        const page: unknown[] = [];
        for await (const item of items) page.push(item);
        for (const item of page) yield { kind: 'item', item: item as RawDataset, page: pagePath };
      } else {
        for await (const item of items) yield { kind: 'item', item: item as RawDataset, page: pagePath };
      }
      return;
    } catch (err) {
      if (opts.signal?.aborted) throw new AbortedError('aborted', { cause: err });
      if (err instanceof BodyError && err.code === 'ETL_BODY_TOO_LARGE') throw err;
      if (err instanceof HttpError || err instanceof NetworkError || err instanceof AbortedError) throw err;
      if (attempt >= client.maxRetries) {
        throw new BodyError(`the listing page could not be read: ${(err as Error).message}`, url, 'ETL_BAD_BODY', { cause: err });
      }
      attempt += 1;
      opts.log?.(`listing page broke off (${(err as Error).message}); fetching it again`);
      await client.backoff(attempt, 'listing body', url, opts.signal);
    } finally {
      res?.body.destroy();
      res = null;
    }
  }
}
