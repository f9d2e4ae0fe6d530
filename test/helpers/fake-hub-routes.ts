/**
 * Route handlers of the fake Hub: each turns a request into a {@link Reply} (status, headers, body) so
 * the server can answer it as is or corrupt it for fault injection. Imports only node: built-ins.
 */
import type { RawDataset } from '../../src/types.js';
import {
  type CorpusSource, type FakeSortKey, FAKE_SORT_KEYS, decodeCursor, encodeCursor, listPage,
} from './fake-hub-corpus.js';
import {
  EXPAND_ERROR, EXPAND_PROPERTIES, type ItemMode, detailShape, invalidExpand, markerOf, projectItem, treeEntries,
} from './fake-hub-shape.js';

/** A complete answer. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A parsed route. */
export type Route =
  | { kind: 'list' }
  | { kind: 'detail'; id: string; rev: string | undefined }
  | { kind: 'tree'; id: string; rev: string; path: string }
  | { kind: 'other' };

/** What a handler needs to know about the server and the request. */
export interface RouteContext {
  src: CorpusSource;
  /** `http://<Host header>`: base of `Link` URLs. */
  base: string;
  /** The request carried an `Authorization` header. */
  hasAuth: boolean;
  /** Private items are visible (right token, or no token configured). */
  canSeePrivate: boolean;
  maxPageSize: number;
  defaultPageSize: number;
  rejectLimitAbove: number | undefined;
  /** Items a moving ranking repeats on the next page (0 = stable). */
  repeat: number;
  /** `expand` values the server no longer accepts. */
  refuseExpand: string[];
}

/** A JSON reply. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

const latin1Safe = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

/** A JSON error reply `{"error": message}` with `X-Error-Message` and (optionally) `X-Error-Code`. */
export function errorReply(status: number, message: string, code?: string, headers: Record<string, string> = {}): Reply {
  const h: Record<string, string> = { 'X-Error-Message': latin1Safe(message), ...headers };
  if (code) h['X-Error-Code'] = code;
  return jsonReply(status, { error: message }, h);
}

/** Parse `/api/datasets...` into a route; anything unknown is `other`. */
export function parseRoute(method: string, pathname: string): Route {
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'other' };
  if (pathname === '/api/datasets' || pathname === '/api/datasets/') return { kind: 'list' };
  if (!pathname.startsWith('/api/datasets/')) return { kind: 'other' };
  let segs: string[];
  try {
    segs = pathname.slice('/api/datasets/'.length).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'other' };
  }
  if (segs.length === 0) return { kind: 'list' };
  const idLen = segs.length === 1 || segs[1] === 'tree' || segs[1] === 'revision' ? 1 : 2;
  const id = segs.slice(0, idLen).join('/');
  const rest = segs.slice(idLen);
  if (rest.length === 0) return { kind: 'detail', id, rev: undefined };
  if (rest[0] === 'revision' && rest.length >= 2) return { kind: 'detail', id, rev: rest.slice(1).join('/') };
  if (rest[0] === 'tree' && rest.length >= 2) return { kind: 'tree', id, rev: rest[1]!, path: rest.slice(2).join('/') };
  return { kind: 'other' };
}

function expandParams(params: URLSearchParams): string[] {
  return [...params.getAll('expand'), ...params.getAll('expand[]')];
}

function paramName(part: string): string {
  const k = part.split('=')[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(k);
  } catch {
    return k;
  }
}

/** The 400 for an `expand` value the server does not accept (unknown, or in `refuseExpand`), listing the accepted ones; else undefined. */
function expandRefusal(ctx: RouteContext, expand: string[]): Reply | undefined {
  if (ctx.refuseExpand.length === 0) return invalidExpand(expand) !== undefined ? errorReply(400, EXPAND_ERROR) : undefined;
  const refused = new Set(ctx.refuseExpand);
  if (invalidExpand(expand) === undefined && !expand.some((e) => refused.has(e))) return undefined;
  return errorReply(400, `"expand" must be one of [${EXPAND_PROPERTIES.filter((p) => !refused.has(p)).join(', ')}]`);
}

/** The 400 a listing request gets before any item is served (a bad expand), or undefined when it would be answered. */
export function checkList(ctx: RouteContext, url: URL): Reply | undefined {
  return expandRefusal(ctx, expandParams(url.searchParams));
}

/** `Link` to the next page: the request's own query string (same encoding, same order) with the new cursor. */
function nextLink(ctx: RouteContext, url: URL, cursor: string): string {
  const parts = url.search.replace(/^\?/, '').split('&').filter((p) => p !== '' && paramName(p) !== 'cursor');
  parts.push(`cursor=${cursor}`);
  return `<${ctx.base}${url.pathname}?${parts.join('&')}>; rel="next"`;
}

/** `GET /api/datasets`. */
export function handleList(ctx: RouteContext, url: URL): Reply {
  const params = url.searchParams;
  const sortRaw = params.get('sort');
  let sort: FakeSortKey = 'trendingScore';
  if (sortRaw !== null) {
    if (!(FAKE_SORT_KEYS as readonly string[]).includes(sortRaw)) {
      return errorReply(400, `"sort" must be one of [${FAKE_SORT_KEYS.join(', ')}]`);
    }
    sort = sortRaw as FakeSortKey;
  }
  const limitRaw = params.get('limit');
  let limit = ctx.defaultPageSize;
  if (limitRaw !== null) {
    const n = Number(limitRaw);
    if (!/^\d+$/.test(limitRaw) || !Number.isSafeInteger(n) || n < 1) return errorReply(400, '"limit" must be a positive integer');
    if (ctx.rejectLimitAbove !== undefined && n > ctx.rejectLimitAbove) {
      return errorReply(400, `"limit" must be less than or equal to ${ctx.rejectLimitAbove}`);
    }
    limit = Math.min(n, ctx.maxPageSize);
  }
  const expand = expandParams(params);
  const refused = expandRefusal(ctx, expand);
  if (refused) return refused;
  const mode: ItemMode = expand.length ? { kind: 'expand', props: expand }
    : params.get('full') === 'true' || params.get('full') === '1' ? { kind: 'full' } : { kind: 'default' };
  const gatedRaw = params.get('gated');
  const search = params.get('search');
  const q = {
    sort, search: search ? search.toLowerCase() : undefined, author: params.get('author') ?? undefined,
    filters: params.getAll('filter'), gated: gatedRaw === null ? undefined : gatedRaw === 'true',
    canSeePrivate: ctx.canSeePrivate,
  };
  let start = 0;
  const cursorRaw = params.get('cursor');
  if (cursorRaw !== null) {
    const c = decodeCursor(cursorRaw);
    if (!c) return errorReply(400, 'Invalid cursor');
    start = ctx.src.resume(sort, c.p, c.v, c.id);
  }
  const page = listPage(ctx.src, q, start, limit, ctx.repeat);
  const body = JSON.stringify(page.items.map((it) => projectItem(it, mode)));
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (page.next !== null) headers.Link = nextLink(ctx, url, encodeCursor(ctx.src, sort, page.next));
  return { status: 200, headers, body };
}

function notFound(ctx: RouteContext): Reply {
  return ctx.hasAuth ? errorReply(404, 'Repository not found', 'RepoNotFound')
    : errorReply(401, 'Invalid username or password.', 'RepoNotFound');
}

/** Look an id up like the Hub does for detail/tree: missing and invisible private repos are alike. */
function lookup(ctx: RouteContext, id: string): { item: RawDataset; canonical: boolean } | Reply {
  const found = ctx.src.find(id);
  if (!found || (found.item.private === true && !ctx.canSeePrivate)) return notFound(ctx);
  return found;
}

function badRevision(item: RawDataset, rev: string | undefined): Reply | undefined {
  if (rev === undefined || rev === 'main' || rev === item.sha) return undefined;
  return errorReply(404, `Invalid rev id: ${rev}`, 'RevisionNotFound');
}

function defaultMessage(code: string | undefined, id: string, status: number): string {
  if (code === 'GatedRepo') return `Access to dataset ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
  if (code === 'RepoNotFound') return 'Repository not found';
  if (code === 'DisabledRepo' || status === 403) return 'Access to this resource is disabled.';
  return `Error ${status}`;
}

/** Corrupt a JSON body so it no longer parses. */
export function malformed(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2))) + '<html><body>502 Bad Gateway</body></html>';
}

function aliasRedirect(ctx: RouteContext, item: RawDataset, pathname: string, search: string, id: string): Reply | undefined {
  const m = markerOf(item);
  if (!m.aliasRedirect) return undefined;
  const canonical = String(item.id);
  const loc = pathname.replace(`/api/datasets/${encodeURIComponent(id)}`, `/api/datasets/${canonical}`);
  return errorReply(307, `Temporary Redirect. Redirecting to ${loc}`, undefined, { Location: `${ctx.base}${loc}${search}` });
}

/** `GET /api/datasets/{id}` and `.../revision/{rev}`. */
export function handleDetail(ctx: RouteContext, route: { id: string; rev: string | undefined }, url: URL): Reply {
  const found = lookup(ctx, route.id);
  if ('status' in found) return found;
  const { item } = found;
  if (!found.canonical) {
    const r = aliasRedirect(ctx, item, url.pathname, url.search, route.id);
    if (r) return r;
  }
  const bad = badRevision(item, route.rev);
  if (bad) return bad;
  const m = markerOf(item);
  if (m.detailStatus !== undefined) {
    return errorReply(m.detailStatus, m.detailErrorMessage ?? defaultMessage(m.detailErrorCode, String(item.id), m.detailStatus), m.detailErrorCode);
  }
  const expand = expandParams(url.searchParams);
  const refused = expandRefusal(ctx, expand);
  if (refused) return refused;
  const shaped = expand.length ? projectItem(item, { kind: 'expand', props: expand })
    : detailShape(item, url.searchParams.get('blobs') === 'true');
  const reply = jsonReply(200, shaped);
  if (m.detailMalformed) reply.body = malformed(reply.body);
  return reply;
}

/** Tree cursor: base64url JSON `{"t": position}`. */
function treeCursor(pos: number): string {
  return Buffer.from(JSON.stringify({ t: pos })).toString('base64url');
}

/** `GET /api/datasets/{id}/tree/{rev}[/{path}]` (`recursive`, `expand`, 1000 entries per page or 50 with expand). */
export function handleTree(ctx: RouteContext, route: { id: string; rev: string; path: string }, url: URL): Reply {
  const found = lookup(ctx, route.id);
  if ('status' in found) return found;
  const { item } = found;
  const bad = badRevision(item, route.rev);
  if (bad) return bad;
  const m = markerOf(item);
  if (m.treeStatus !== undefined) {
    return errorReply(m.treeStatus, defaultMessage(m.treeErrorCode, String(item.id), m.treeStatus), m.treeErrorCode);
  }
  const params = url.searchParams;
  const recursive = params.get('recursive') === 'true';
  const expand = params.get('expand') === 'true';
  const all = treeEntries(item);
  const dir = route.path.replace(/\/+$/, '');
  if (dir && !all.some((e) => e.type === 'directory' && e.path === dir)) {
    return errorReply(404, `Entry not found: ${dir}`, 'EntryNotFound');
  }
  const prefix = dir ? `${dir}/` : '';
  const entries = all.filter((e) => e.path.startsWith(prefix) && (recursive || !e.path.slice(prefix.length).includes('/')));
  let start = 0;
  const c = params.get('cursor');
  if (c !== null) {
    try {
      const t = (JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { t?: unknown }).t;
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw new Error('bad');
      start = t;
    } catch {
      return errorReply(400, 'Invalid cursor');
    }
  }
  const size = expand ? 50 : 1000;
  const page = entries.slice(start, start + size).map((e) => expand
    ? { ...e, lastCommit: { id: item.sha, title: 'Upload dataset', date: item.lastModified },
      securityFileStatus: { status: 'safe', avScan: { virusFound: false }, pickleImportScan: null } }
    : e);
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (start + size < entries.length) headers.Link = nextLink(ctx, url, treeCursor(start + size));
  const reply: Reply = { status: 200, headers, body: JSON.stringify(page) };
  if (m.treeMalformed) reply.body = malformed(reply.body);
  return reply;
}
