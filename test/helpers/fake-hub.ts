/**
 * A fake Hugging Face Hub for tests, benchmarks and `npm run demo`: serves `/api/datasets` (list with
 * Link/cursor pagination, expand/full), dataset details (`?blobs=true`) and trees, with optional auth,
 * a fixed-window quota, latency and deterministic faults. Behaves as docs/hub-api.md describes the real Hub.
 *
 * Imports only node: built-ins; nothing happens until {@link startFakeHub} is called.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawDataset } from '../../src/types.js';
import { loadFixtureCorpus } from './corpus.js';
import { type CorpusSource, ExplicitCorpus, SyntheticCorpus } from './fake-hub-corpus.js';
import {
  type FaultPlan, type QuotaState, FaultPicker, FixedWindowQuota, rateLimitHeaders,
} from './fake-hub-faults.js';
import {
  type Reply, type RouteContext, checkList, errorReply, handleDetail, handleList, handleTree, jsonReply, malformed, parseRoute,
} from './fake-hub-routes.js';

export type { FaultKind, FaultPlan } from './fake-hub-faults.js';
export type { FakeMarker } from './fake-hub-shape.js';

/** Options of the fake Hub; all optional. All can be changed at run time with {@link FakeHub.setOptions}. */
export interface FakeHubOptions {
  /** Explicit corpus (full items; `__fake` markers allowed). Default when neither this nor `synthetic` is given: fixtures/datasets.json. */
  datasets?: RawDataset[];
  /** A lazily generated corpus of N datasets (see corpus.ts); used when `datasets` is not given. */
  synthetic?: number;
  /**
   * The synthetic corpus after it moved: every `every`-th dataset has a new commit (a new sha and one
   * more file) and more downloads; the others are as they were.
   */
  syntheticMoved?: { every: number; generation: number };
  /** Largest page; a larger `limit` is clamped to it (default 1000). */
  maxPageSize?: number;
  /** A `limit` above this answers 400 (to test a 1000 → 500 fallback). */
  rejectLimitAbove?: number;
  /** Page size without `limit` (default 100). */
  defaultPageSize?: number;
  /** Delay (ms) before every response's headers. */
  latencyMs?: number;
  /** When set, private items need `Authorization: Bearer <token>`; any other Authorization answers 401. */
  token?: string;
  /** Fixed-window quota on all `/api` requests (bucket "api"). */
  quota?: { limit: number; windowSec: number };
  /** Deterministic faults. */
  faults?: FaultPlan;
  /** A moving ranking: each next page repeats a few (up to 3) ids of the previous one. */
  reorderEveryPage?: boolean;
  /** Detail of id `huge/body` streams a JSON body of this many bytes (chunked, no Content-Length). */
  hugeBodyBytes?: number;
  /**
   * `expand` values the Hub no longer accepts (listing and detail): asking for one answers 400
   * `{"error":"\"expand\" must be one of [...]"}`, the list without them.
   */
  refuseExpand?: string[];
  /**
   * Every listing page is generated and streamed instead (chunked, never held whole): items of about
   * `itemBytes` (default 10,000) until the page holds `bytes`, ids `big/item-000001`…; with `hugeItemBytes`,
   * the second item is that large. The page has no `Link` (it is the last).
   */
  hugeListPage?: { bytes: number; itemBytes?: number; hugeItemBytes?: number };
  /** Called as each request arrives (1-based count over all routes), before it is answered: a test may change options here. */
  onRequest?: (n: number, url: URL) => void;
}

/** Request counters. */
export interface FakeHubCounters {
  total: number; list: number; detail: number; tree: number; other: number;
  inFlight: number; maxInFlight: number;
  /** Requests that arrived while the window's quota was already used up (answered 429 because of the quota). */
  overQuota: number;
  /** Requests that arrived before a previously sent `Retry-After` (from any 429) had elapsed. */
  ignoredRetryAfter: number;
  /** Injected faults by kind ('429', '503', 'reset', 'truncate', 'malformed', 'slow'). */
  faultsInjected: Record<string, number>;
  /** Requests that carried an Authorization header. */
  authorized: number;
}

/** One logged request; `status` is 0 while pending or when the socket was destroyed before headers. */
export interface FakeHubRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  at: number;
  status: number;
}

/** A running fake Hub. */
export interface FakeHub {
  /** `http://127.0.0.1:<port>` */
  url: string;
  counters: FakeHubCounters;
  /** The last requests (at most 100,000), oldest first. */
  requests: FakeHubRequest[];
  /** Change options at run time (a new `faults` restarts its PRNG; a new `quota` starts a new window). */
  setOptions(patch: Partial<FakeHubOptions>): void;
  /** Zero the counters, clear the request log and forget sent `Retry-After`s. */
  resetCounters(): void;
  /** Resolves once `ready(counters)` holds, checked now and as each request arrives or ends (a wait on events, not a poll). */
  until(ready: (counters: FakeHubCounters) => boolean): Promise<void>;
  /** Drop every connection and stop listening. */
  close(): Promise<void>;
}

const LOG_CAP = 100_000;
/** Tolerance (ms) for clocks/timers when judging whether a Retry-After was honoured. */
const RETRY_AFTER_GRACE_MS = 20;

function freshCounters(): FakeHubCounters {
  return { total: 0, list: 0, detail: 0, tree: 0, other: 0, inFlight: 0, maxInFlight: 0, overQuota: 0,
    ignoredRetryAfter: 0, faultsInjected: {}, authorized: 0 };
}

/** Start a fake Hub on 127.0.0.1 (random port). */
export async function startFakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  let options: FakeHubOptions = { ...opts };
  let src: CorpusSource = makeSource(options);
  let faults = new FaultPicker(options.faults);
  let quota = options.quota ? new FixedWindowQuota(options.quota.limit, options.quota.windowSec) : undefined;
  let retryAfterUntil = 0;
  let requestSeq = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const check of [...waiters]) check();
  };
  const hub: FakeHub = {
    url: '',
    counters: freshCounters(),
    requests: [],
    setOptions(patch) {
      options = { ...options, ...patch };
      if ('datasets' in patch || 'synthetic' in patch || 'syntheticMoved' in patch) src = makeSource(options);
      if ('faults' in patch) faults = new FaultPicker(options.faults);
      if ('quota' in patch) quota = options.quota ? new FixedWindowQuota(options.quota.limit, options.quota.windowSec) : undefined;
    },
    resetCounters() {
      const inFlight = hub.counters.inFlight;
      Object.assign(hub.counters, freshCounters(), { inFlight, maxInFlight: inFlight });
      hub.requests.length = 0;
      retryAfterUntil = 0;
    },
    until(ready) {
      return new Promise<void>((resolve) => {
        const check = (): void => {
          if (!ready(hub.counters)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const noteRetryAfter = (untilMs: number): void => {
    retryAfterUntil = Math.max(retryAfterUntil, untilMs);
  };

  /** Write a complete reply (Content-Length set; no body for HEAD). */
  const send = (res: ServerResponse, reply: Reply, head: boolean): void => {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body, 'utf8');
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) });
    res.end(head ? undefined : body);
  };

  const tooMany = (q: QuotaState | undefined, sec: number, asDate: boolean, why: string): Reply => {
    const now = Date.now();
    const untilMs = asDate ? Math.ceil((now + sec * 1000) / 1000) * 1000 : now + sec * 1000;
    noteRetryAfter(untilMs);
    const injected = options.faults?.rateLimit429;
    const rl = q ? rateLimitHeaders(0, q.resetSec, q.limit, q.windowSec)
      : rateLimitHeaders(injected?.remaining ?? 0, injected?.resetSec ?? sec, options.quota?.limit ?? 500, options.quota?.windowSec ?? 300);
    return errorReply(429, `You have been rate-limited (${why}) on the "api" bucket; retry after ${sec} seconds (reset at ${new Date(untilMs).toISOString()}).`,
      undefined, { ...rl, 'Retry-After': asDate ? new Date(untilMs).toUTCString() : String(sec) });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const c = hub.counters;
    const reqNo = ++c.total;
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const route = parseRoute(method, url.pathname);
    options.onRequest?.(reqNo, url);
    c[route.kind]++;
    c.inFlight++;
    c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
    const auth = req.headers.authorization;
    if (auth !== undefined) c.authorized++;
    if (now < retryAfterUntil - RETRY_AFTER_GRACE_MS) c.ignoredRetryAfter++;
    const entry: FakeHubRequest = { method, url: req.url ?? '/', authorization: auth, at: now, status: 0 };
    hub.requests.push(entry);
    if (hub.requests.length > LOG_CAP + 10_000) hub.requests.splice(0, hub.requests.length - LOG_CAP);
    changed();
    let closed = false;
    const counters = c;
    res.on('close', () => {
      if (closed) return;
      closed = true;
      counters.inFlight--;
      entry.status = res.headersSent ? res.statusCode : 0;
      changed();
    });
    res.setHeader('X-Request-Id', `Root=1-${Math.floor(now / 1000).toString(16)}-${(++requestSeq).toString(16).padStart(24, '0')}`);
    const head = method === 'HEAD';

    let q: QuotaState | undefined;
    if (quota && url.pathname.startsWith('/api/')) {
      q = quota.arrive(now);
      const h = rateLimitHeaders(q.remaining, q.resetSec, q.limit, q.windowSec);
      for (const [k, v] of Object.entries(h)) res.setHeader(k, v);
    }
    if (options.latencyMs) await sleep(options.latencyMs);
    if (q?.over) {
      c.overQuota++;
      send(res, tooMany(q, q.resetSec, false, 'quota exceeded'), head);
      return;
    }

    const fault = faults.pick(reqNo, route.kind);
    if (fault) c.faultsInjected[fault] = (c.faultsInjected[fault] ?? 0) + 1;
    const plan = options.faults ?? {};
    switch (fault) {
      case 'reset':
        req.socket.destroy();
        return;
      case '429':
        send(res, tooMany(undefined, plan.retryAfterSec ?? 1, plan.retryAfterAsDate === true, 'injected'), head);
        return;
      case '503':
        send(res, errorReply(503, 'Service Unavailable'), head);
        return;
      case 'slow':
        await sleep(plan.slowMs ?? 2000);
        break;
      default:
        break;
    }
    if (res.destroyed) return;

    let canSeePrivate = true;
    if (options.token !== undefined) {
      if (auth !== undefined && auth !== `Bearer ${options.token}`) {
        send(res, errorReply(401, 'Invalid credentials in Authorization header'), head);
        return;
      }
      canSeePrivate = auth !== undefined;
    }
    const ctx: RouteContext = {
      src, base: `http://${req.headers.host ?? hub.url.slice('http://'.length)}`, hasAuth: auth !== undefined, canSeePrivate,
      maxPageSize: options.maxPageSize ?? 1000, defaultPageSize: options.defaultPageSize ?? 100,
      rejectLimitAbove: options.rejectLimitAbove, repeat: options.reorderEveryPage ? 3 : 0,
      refuseExpand: options.refuseExpand ?? [],
    };
    if (route.kind === 'detail' && route.id === 'huge/body' && options.hugeBodyBytes !== undefined) {
      await streamHuge(res, options.hugeBodyBytes);
      return;
    }
    if (route.kind === 'list' && options.hugeListPage !== undefined && fault === null) {
      const refused = checkList(ctx, url);
      if (refused) send(res, refused, head);
      else await streamListPage(res, options.hugeListPage);
      return;
    }
    let reply: Reply;
    switch (route.kind) {
      case 'list': reply = handleList(ctx, url); break;
      case 'detail': reply = handleDetail(ctx, route, url); break;
      case 'tree': reply = handleTree(ctx, route, url); break;
      default: reply = errorReply(404, `Sorry, we can't find the page you are looking for: ${url.pathname}`);
    }
    if (fault === 'malformed') {
      send(res, { status: 200, headers: reply.headers, body: malformed(reply.body) }, head);
    } else if (fault === 'truncate') {
      const body = Buffer.from(reply.body.length > 1 ? reply.body : '[{"id":"x"}]', 'utf8');
      res.writeHead(200, { ...reply.headers, 'Content-Length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    } else {
      send(res, reply, head);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, jsonReply(500, { error: `fake hub: ${String(err)}` }), false);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}

function makeSource(o: FakeHubOptions): CorpusSource {
  if (o.datasets) return new ExplicitCorpus(o.datasets);
  if (o.synthetic !== undefined) return new SyntheticCorpus(o.synthetic, o.syntheticMoved);
  return new ExplicitCorpus(loadFixtureCorpus());
}

/** Stream `{"_id":…,"id":"huge/body","description":"xxxx…"}` of exactly `bytes` bytes (when possible), honouring backpressure. */
async function streamHuge(res: ServerResponse, bytes: number): Promise<void> {
  const prefix = '{"_id":"000000000000000000000000","id":"huge/body","description":"';
  const suffix = '"}';
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  const fill = Math.max(0, bytes - prefix.length - suffix.length);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  if (!res.write(prefix)) await drained(res);
  let left = fill;
  while (left > 0 && !res.destroyed) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= part.length;
    if (!res.write(part)) await drained(res);
  }
  if (!res.destroyed) res.end(suffix);
}

/** A generated listing page of `bytes` bytes or more (see FakeHubOptions.hugeListPage), streamed with backpressure. */
async function streamListPage(res: ServerResponse, o: { bytes: number; itemBytes?: number; hugeItemBytes?: number }): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  const itemBytes = o.itemBytes ?? 10_000;
  const filler = 'x'.repeat(Math.max(0, itemBytes - 120));
  let sent = 0;
  for (let i = 1; sent < o.bytes && !res.destroyed; i++) {
    const id = `big/item-${String(i).padStart(6, '0')}`;
    const head = `${i === 1 ? '[' : ','}{"_id":"${i.toString(16).padStart(24, '0')}","id":"${id}","downloads":${i},"description":"`;
    if (!res.write(head)) await drained(res);
    if (i === 2 && o.hugeItemBytes !== undefined) {
      const chunk = Buffer.alloc(64 * 1024, 'y');
      for (let left = o.hugeItemBytes; left > 0 && !res.destroyed; left -= chunk.length) {
        if (!res.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await drained(res);
      }
      sent += o.hugeItemBytes;
    }
    const tail = `${filler}"}`;
    if (!res.write(tail)) await drained(res);
    sent += head.length + tail.length;
  }
  if (!res.destroyed) res.end(']');
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}
