/**
 * The source: pages through `GET /api/datasets`, following only the `Link: <…>; rel="next"`
 * header, and yields each dataset as soon as its bytes have arrived, then a `page` event when a
 * page is complete (where a resumed run may restart). The next page is requested as soon as the
 * current one's headers name it, so it downloads while the current one is parsed and written; it
 * is read whole as it arrives, so it never holds a request slot while waiting its turn (with
 * `--concurrency 1` the detail requests of the current page would otherwise wait forever), and is
 * kept as its items' bytes until then (see Ahead).
 * Each page is one logical request with one retry budget (HubClient.stream / consume): status,
 * network and body failures all count against it.
 */
import { BodyError, HttpError } from '../errors.js';
import { safeUrl, type HubClient, type HubResponse, type ReadOptions } from '../http/client.js';
import type { QueryOptions, RawDataset } from '../types.js';
import { dropRefusedExpand, expandValuesOf, stripRefused, withoutExpand } from './expand-drift.js';
import { jsonArrayElements, parseElement } from './json-array.js';

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
 * A page asked for ahead, read whole in the background (so it holds no request slot while it waits
 * to be used). It is held as each item's bytes, parsed only when its turn comes: 1,000 parsed
 * records held for a whole page's turn cost ~65 MB more peak memory than their bytes (bench/RESULTS.md).
 */
interface Ahead {
  path: string;
  page: Promise<{ items: Buffer[]; next: string | null }>;
  stop: AbortController;
}

/**
 * Streams the listing from `opts.start`; see ListEvent.
 * @throws HttpError, NetworkError, AbortedError as HubClient.open; BodyError `ETL_ITEM_TOO_LARGE`
 * for one item over the size cap, `ETL_BAD_BODY` for a page that stays unreadable.
 */
export async function* listDatasets(client: HubClient, opts: ListOptions): AsyncGenerator<ListEvent> {
  const wanted = opts.wanted ?? (() => Infinity);
  let pagePath = stripRefused(client, opts.start);
  /** the next page, asked for while the current one is read */
  let pending: Ahead | null = null;
  let first = true;
  const drop = (): void => {
    pending?.stop.abort();
    pending = null;
  };
  /** Asks for `path` ahead when more is wanted than the page at `pagePath` holds. */
  const askAhead = (path: string | null): void => {
    drop();
    if (path === null || wanted() <= (pageLimit(pagePath) ?? PAGE_SIZE)) return;
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    const url = absolute(client, path);
    const page = client.consume(url, readOptions(url, signal, opts), async (res) => {
      const items: Buffer[] = [];
      for await (const item of pageItems(client, res, url, true)) items.push(item as Buffer);
      return { items, next: nextOf(client, res) };
    });
    page.catch(() => undefined); // awaited on the next turn, or dropped
    pending = { path, page, stop };
  };
  try {
    while (wanted() > 0) {
      let next: string | null = null;
      const url = absolute(client, pagePath);
      const ahead = pending as Ahead | null; // (set by askAhead, which the compiler does not follow)
      pending = null;
      try {
        let done = false;
        if (ahead !== null && ahead.path === pagePath) {
          const page = await ahead.page;
          next = page.next;
          askAhead(next);
          try {
            const shownUrl = safeUrl(url);
            for (let i = 0; i < page.items.length; i++) {
              const item = parseElement(page.items[i]!, shownUrl);
              page.items[i] = EMPTY; // each item's bytes go as it is handed on
              yield { kind: 'item', item: item as RawDataset, page: pagePath };
            }
            done = true;
          } catch (err) {
            if (!(err instanceof BodyError) || err.code !== 'ETL_BAD_BODY') throw err;
            // an item that does not parse: the page is read again as any broken body is (the items
            // already handed on come again and are dropped downstream as already seen)
            opts.log?.(`listing page broke off (${err.message}); fetching it again`);
          }
        }
        if (!done) {
          ahead?.stop.abort();
          const read = (res: HubResponse): AsyncIterable<unknown> => {
            // the next page comes from the Link of the answer being read (a body read again may name
            // another: a ranking that moved), and downloads meanwhile
            next = nextOf(client, res);
            askAhead(next);
            return opts.bufferPages ? wholePage(client, res, url) : pageItems(client, res, url);
          };
          // a body that breaks off or does not parse is read again from a new answer, under the
          // request's retry budget; items already yielded come again and are dropped downstream as already seen
          yield* eventsOf(client.stream(url, readOptions(url, opts.signal, opts), read), pagePath);
        }
      } catch (err) {
        drop();
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
      first = false;
      yield { kind: 'page', page: pagePath, next };
      if (next === null) return;
      pagePath = next;
    }
  } finally {
    drop();
  }
}

function readOptions(url: string, signal: AbortSignal | undefined, opts: ListOptions): ReadOptions {
  return {
    signal,
    priority: 1,
    label: `the listing page ${pageLabel(url)}`,
    onBodyRetry: (why) => opts.log?.(`listing page broke off (${why}); fetching it again`),
  };
}

const EMPTY = Buffer.alloc(0);

async function* eventsOf(items: AsyncIterable<unknown> | Iterable<unknown>, page: string): AsyncGenerator<ListEvent> {
  for await (const item of items) yield { kind: 'item', item: item as RawDataset, page };
}

/** The items of one answer as they arrive (with `raw`, each item's bytes, for `parseElement`). */
function pageItems(client: HubClient, res: HubResponse, url: string, raw = false): AsyncGenerator<unknown> {
  // a page is not capped as a whole (1,000 datasets with their file lists can pass 64 MB): each item is, at the body cap
  return jsonArrayElements(client.bodyChunks(res, Infinity), safeUrl(url), { maxElementBytes: client.maxBodyBytes, label: `the listing page ${pageLabel(url)}`, raw });
}

/** The items of one answer, the whole page read first (so no connection is held while slow per-item work follows). */
async function* wholePage(client: HubClient, res: HubResponse, url: string): AsyncGenerator<unknown> {
  const page: unknown[] = [];
  for await (const item of pageItems(client, res, url)) page.push(item);
  yield* page;
}
