/**
 * The catalog browser's HTTP server (node:http): routes to the read queries (catalog/read.ts) and
 * the renderers (web/pages.ts). GET and HEAD only. Every answer carries a Content-Security-Policy
 * without inline scripts or other origins; a bad parameter is a 400 with one line, an unknown id a
 * 404, a failure a 500 with one line (the detail goes to the log, never a stack trace to the client).
 *
 * Paths are routed on the raw request path (never normalized: `..` inside an encoded id stays data).
 * A dataset id is everything after `/datasets/`, percent-decoded once, so `/datasets/a/b` and
 * `/datasets/a%2Fb` are the same page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalogStats, datasetDetail, listChanges, searchDatasets } from '../catalog/read.js';
import type { Logger } from '../log.js';
import { FEED_SIZE, type PageContext } from './model.js';
import { DEFAULT_ENDPOINT } from '../options.js';
import { ASSETS, renderAtomFeed, renderChangesPage, renderDatasetPage, renderErrorPage, renderSearchPage, renderStatsPage } from './pages.js';
import { ParamError, parseChangesQuery, parseDatasetQuery } from './params.js';
import { NotReadyError, type CatalogSource } from './source.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** The Atom feed holds the latest 200 events. */

class HttpStatus extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Answer {
  status: number;
  type: string;
  body: string | Uint8Array;
  cache?: string;
}

const json = (value: unknown, status = 200): Answer => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) + '\n' });
const html = (body: string, status = 200): Answer => ({ status, type: 'text/html; charset=utf-8', body });

/** Decodes a path segment (an id); malformed escapes are a 400. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpStatus(400, 'the dataset id in the path is not valid percent-encoding');
  }
}

export interface ServerOptions {
  source: CatalogSource;
  log: Logger;
}

export function createCatalogServer({ source, log }: ServerOptions): Server & { baseUrl(): string } {
  let base = 'http://127.0.0.1';
  const ctx = (req: IncomingMessage): PageContext => {
    const info = source.info;
    return { catalogPath: source.db, dataAsOf: info?.takenAt ?? null, hubEndpoint: info?.hubEndpoint ?? DEFAULT_ENDPOINT, selfUrl: `${base}${req.url ?? '/'}` };
  };

  async function route(req: IncomingMessage, path: string, params: URLSearchParams): Promise<Answer> {
    if (path === '/' || path === '/api/datasets') {
      const q = parseDatasetQuery(params);
      const page = await source.use((conn) => searchDatasets(conn, q));
      return path === '/' ? html(renderSearchPage(page, q, ctx(req))) : json(page);
    }
    const api = path.startsWith('/api/datasets/');
    if (api || path.startsWith('/datasets/')) {
      const id = decodeId(path.slice(api ? '/api/datasets/'.length : '/datasets/'.length));
      const detail = id === '' ? null : await source.use((conn) => datasetDetail(conn, id));
      if (!detail) throw new HttpStatus(404, `no dataset ${JSON.stringify(id.slice(0, 200))} in this catalog`);
      return api ? json(detail) : html(renderDatasetPage(detail, ctx(req)));
    }
    if (path === '/changes' || path === '/api/changes') {
      const q = parseChangesQuery(params);
      const changes = await source.use((conn) => listChanges(conn, q));
      return path === '/changes' ? html(renderChangesPage(changes, ctx(req))) : json(changes);
    }
    if (path === '/changes.atom') {
      const q = parseChangesQuery(params);
      const changes = await source.use((conn) => listChanges(conn, { kind: q.kind, page: 1, per_page: FEED_SIZE }));
      return { status: 200, type: 'application/atom+xml; charset=utf-8', body: renderAtomFeed(changes, ctx(req)) };
    }
    if (path === '/stats' || path === '/api/stats') {
      const { value } = await source.cached('stats', (conn) => catalogStats(conn));
      return path === '/stats' ? html(renderStatsPage(value, ctx(req))) : json(value);
    }
    if (path.startsWith('/assets/')) {
      const name = decodeId(path.slice('/assets/'.length));
      const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!asset) throw new HttpStatus(404, `no asset ${JSON.stringify(name.slice(0, 100))}`);
      return { status: 200, type: asset.type, body: asset.body, cache: 'public, max-age=3600' };
    }
    throw new HttpStatus(404, `no page ${JSON.stringify(path.slice(0, 200))}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi === -1 ? url : url.slice(0, qi);
    const wantsJson = path.startsWith('/api/');
    let answer: Answer;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpStatus(405, `${req.method} is not allowed: this server only reads`);
      answer = await route(req, path, new URLSearchParams(qi === -1 ? '' : url.slice(qi + 1)));
    } catch (err) {
      let status = 500;
      let message: string;
      if (err instanceof HttpStatus) [status, message] = [err.status, err.message];
      else if (err instanceof ParamError) [status, message] = [400, err.message];
      else if (err instanceof NotReadyError) [status, message] = [503, err.message];
      else {
        message = 'internal error while reading the catalog (see the server log)';
        log.error(`${req.method} ${url.slice(0, 300)}: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`);
      }
      answer = wantsJson ? json({ error: message }, status) : html(renderErrorPage(status, message, ctx(req)), status);
      if (status === 405) res.setHeader('Allow', 'GET, HEAD');
      if (status === 503) res.setHeader('Retry-After', '30');
    }
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    res.writeHead(answer.status, {
      ...SECURITY_HEADERS,
      'Content-Type': answer.type,
      'Content-Length': body.byteLength,
      'Cache-Control': answer.cache ?? 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error(`answering ${req.url?.slice(0, 300)}: ${(err as Error).message}`);
      res.destroy();
    });
  }) as Server & { baseUrl(): string };
  server.on('listening', () => {
    const a = server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    base = `http://${host}:${a.port}`;
  });
  server.baseUrl = () => base;
  return server;
}
