/**
 * The source: pages through `GET /api/datasets`, following only the `Link: <…>; rel="next"`
 * header, and yields each dataset as soon as its bytes have arrived, then a `page` event when a
 * page is complete (where a resumed run may restart). The next page is requested as soon as the
 * current one's headers name it, so it downloads while the current one is parsed and written.
 */
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import { safeUrl, type HubClient, type HubResponse } from '../http/client.js';
import type { QueryOptions, RawDataset } from '../types.js';
import { dropRefusedExpand, expandValuesOf, stripRefused, withoutExpand } from './expand-drift.js';
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

/**
 * The page's URL for messages: without the `expand` list (it names nothing), cut to 200
 * characters; the cursor stays, since it is what tells one page from another.
 */
export function pageLabel(url: string): string {
  const shown = withoutExpand(safeUrl(url), new Set(expandValuesOf(url)));
  return shown.length > 200 ? `${shown.slice(0, 199)}…` : shown;
}

/** The next page's path (refused `expand` values stripped) from an answer's `Link`, or null on the last page. */
function nextOf(client: HubClient, res: HubResponse): string | null {
  const nextUrl = parseNextLink(res.headers.link);
  return nextUrl === null ? null : stripRefused(client, relativePath(nextUrl, client.endpoint));
}

/**
 * Streams the listing from `opts.start`; see ListEvent.
 * @throws HttpError, NetworkError, AbortedError as HubClient.open; BodyError `ETL_ITEM_TOO_LARGE`
 * for one item over the size cap, `ETL_BAD_BODY` for a page that stays unreadable.
 */
export async function* listDatasets(client: HubClient, opts: ListOptions): AsyncGenerator<ListEvent> {
  const wanted = opts.wanted ?? (() => Infinity);
  let pagePath = stripRefused(client, opts.start);
  /** the next page, asked for while the current one is read: its path and its answer */
  let pending: { path: string; res: Promise<HubResponse> } | null = null;
  let first = true;
  const discard = (ahead: { res: Promise<HubResponse> } | null): void => {
    ahead?.res.then((r) => r.body.destroy()).catch(() => undefined);
  };
  const drop = (): void => {
    discard(pending);
    pending = null;
  };
  /** Opens `pagePath` (taking the answer asked ahead when it is for that path), following expand and page-size refusals. */
  const openPage = async (): Promise<HubResponse> => {
    for (;;) {
      const ahead: { path: string; res: Promise<HubResponse> } | null = pending;
      pending = null;
      try {
        if (ahead && ahead.path === pagePath) return await ahead.res;
        discard(ahead);
        return await client.open(absolute(client, pagePath), { signal: opts.signal, priority: 1 });
      } catch (err) {
        // an expand value the Hub no longer knows: drop it and ask again (any page: a resumed cursor carries the old list)
        if (dropRefusedExpand(client, err, pagePath)) {
          pagePath = stripRefused(client, pagePath);
          continue;
        }
        // the Hub may refuse 1000 a page: ask for 500 instead
        const asked = pageLimit(pagePath);
        if (first && err instanceof HttpError && err.status === 400 && asked !== null && asked > FALLBACK_PAGE_SIZE) {
          opts.log?.(`the Hub refused limit=${asked}; asking for ${FALLBACK_PAGE_SIZE} a page`);
          pagePath = pagePath.replace(LIMIT_PARAM, `$1${FALLBACK_PAGE_SIZE}`);
          continue;
        }
        throw err;
      }
    }
  };
  try {
    while (wanted() > 0) {
      let res = await openPage();
      first = false;
      let next: string | null;
      // a body that breaks off or does not parse is fetched again (with backoff, up to the retry
      // limit); items already yielded come again and are dropped downstream as already seen
      for (let attempt = 0; ; ) {
        const url = absolute(client, pagePath);
        // the next page comes from the Link of the answer being read, and downloads meanwhile
        next = nextOf(client, res);
        const pageSize = pageLimit(pagePath) ?? PAGE_SIZE;
        if (next !== null && wanted() > pageSize) {
          const ahead = { path: next, res: client.open(absolute(client, next), { signal: opts.signal, priority: 1 }) };
          ahead.res.catch(() => undefined); // awaited on the next turn
          pending = ahead;
        }
        const current = res;
        try {
          yield* readItems(client, current, url, pagePath, opts);
          break;
        } catch (err) {
          if (opts.signal?.aborted) throw new AbortedError('aborted', { cause: err });
          if (err instanceof BodyError && err.code === 'ETL_ITEM_TOO_LARGE') throw err; // the same bytes would come again
          if (err instanceof HttpError || err instanceof NetworkError || err instanceof AbortedError) throw err;
          if (attempt >= client.maxRetries) {
            throw new BodyError(`the listing page ${pageLabel(url)} could not be read: ${(err as Error).message}`, safeUrl(url), 'ETL_BAD_BODY', { cause: err });
          }
          attempt += 1;
          opts.log?.(`listing page broke off (${(err as Error).message}); fetching it again`);
          // the answer read again may name another next page (a ranking that moved): forget the one asked ahead
          drop();
          current.body.destroy();
          await client.backoff(attempt, 'listing body', url, opts.signal);
          res = await openPage();
        } finally {
          current.body.destroy();
        }
      }
      yield { kind: 'page', page: pagePath, next };
      if (next === null) return;
      pagePath = next;
    }
  } finally {
    drop();
  }
}

/** The items of one answer (the whole page first with `bufferPages`, so no connection is held while slow per-item work follows). */
async function* readItems(client: HubClient, res: HubResponse, url: string, pagePath: string, opts: ListOptions): AsyncGenerator<ListEvent> {
  // a page is not capped as a whole (1,000 datasets with their file lists can pass 64 MB): each item is, at the body cap
  const items = jsonArrayElements(client.bodyChunks(res, Infinity), safeUrl(url), { maxElementBytes: client.maxBodyBytes, label: `the listing page ${pageLabel(url)}` });
  if (opts.bufferPages) {
    const page: unknown[] = [];
    for await (const item of items) page.push(item);
    for (const item of page) yield { kind: 'item', item: item as RawDataset, page: pagePath };
  } else {
    for await (const item of items) yield { kind: 'item', item: item as RawDataset, page: pagePath };
  }
}
