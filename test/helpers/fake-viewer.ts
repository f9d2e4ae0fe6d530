/**
 * A fake dataset viewer (datasets-server) for tests and benchmarks: `GET /size?dataset=<id>` on its
 * own 127.0.0.1 port, answering like the real one (docs/viewer-statistics.md): a `size` object with
 * totals, configs and splits (partial with estimates, pending or failed subsets, nothing sized), or an
 * error body with one of the viewer's documented `X-Error-Code`s, or a plain-text 500 without one. Every dataset gets a
 * deterministic answer derived from its id; `scenarios` make chosen ids misbehave.
 *
 * Imports only node: built-ins; nothing happens until {@link startFakeViewer} is called.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The viewer's documented error codes (its OpenAPI and libapi), with their status and a body like the real one's. */
export const VIEWER_ERRORS = {
  ResponseNotFound: { status: 404, error: 'Not found.' },
  ResponseNotReady: { status: 500, error: 'The server is busier than usual and the response is not ready yet. Please retry later.' },
  ExternalUnauthenticatedError: { status: 401, error: 'The dataset does not exist, or is not accessible without authentication (private or gated). Please check the spelling of the dataset name or retry with authentication.' },
  ExternalAuthenticatedError: { status: 404, error: 'The dataset does not exist, or is not accessible with the current credentials (private or gated). Please check the spelling of the dataset name or retry with other authentication credentials.' },
  DatasetInBlockListError: { status: 501, error: 'This dataset has been disabled for now. Please open an issue in https://github.com/huggingface/dataset-viewer if you want this dataset to be supported.' },
  DatasetWithTooManyConfigsError: { status: 501, error: 'The maximum number of configs allowed is 3000, dataset has 3001 configs.' },
  UnexpectedError: { status: 500, error: 'Unexpected error.' },
} as const;

export type ViewerErrorCode = keyof typeof VIEWER_ERRORS;

export type ViewerScenario =
  | { kind: 'ok' }
  /** the Parquet conversion stopped at 5 GB: `partial: true`, with `estimated_num_rows` at every level */
  | { kind: 'partial' }
  /** totals and some split numbers left out */
  | { kind: 'missing-numbers' }
  /** an older answer: no `estimated_num_rows` anywhere */
  | { kind: 'legacy' }
  /** the `extra` subset is still being computed: listed in `pending`, left out of the totals */
  | { kind: 'pending' }
  /** the `extra` subset could not be sized: listed in `failed`, left out of the totals */
  | { kind: 'failed' }
  /** no subset sized (zeros, `configs: []`), the only one pending (`list: 'pending'`) or failed (default) */
  | { kind: 'nothing-sized'; list?: 'pending' | 'failed' }
  /** 404 `ResponseNotFound` (nothing for this dataset) */
  | { kind: 'not-found' }
  /** 500 `ResponseNotReady` (being computed) */
  | { kind: 'not-ready' }
  /** an error answer with one of the viewer's documented codes (its status and an `X-Error-Code` header) */
  | { kind: 'error-code'; code: ViewerErrorCode }
  /** the body given, verbatim, as a 200 `application/json` (e.g. one of the viewer's documented examples) */
  | { kind: 'body'; text: string }
  /** a plain `text/plain` 500 without a code, the first `times` requests (default: always), then ok */
  | { kind: 'error500'; times?: number }
  /** 429 with `Retry-After: <seconds>` the first `times` requests (default 1), then ok */
  | { kind: '429'; retryAfter: number; times?: number }
  /** the answer after `ms` */
  | { kind: 'slow'; ms: number }
  /** a 200 body that is not JSON, the first `times` requests (default: always), then ok */
  | { kind: 'malformed'; times?: number }
  /** a 200 JSON body without `size` */
  | { kind: 'wrong-shape' }
  /** a 302 to `location` (e.g. another origin) */
  | { kind: 'redirect'; location: string };

export interface FakeViewerOptions {
  /** per-dataset behaviour; every other id answers `ok` */
  scenarios?: Record<string, ViewerScenario>;
  /** delay (ms) before every answer */
  latencyMs?: number;
}

export interface FakeViewerRequest {
  url: string;
  dataset: string | null;
  authorization: string | undefined;
  at: number;
  status: number;
}

export interface FakeViewer {
  url: string;
  requests: FakeViewerRequest[];
  counters: { total: number; inFlight: number; maxInFlight: number };
  setOptions(patch: Partial<FakeViewerOptions>): void;
  resetCounters(): void;
  close(): Promise<void>;
}

const LOG_CAP = 100_000;

/** A deterministic number from an id (same id, same numbers). */
function seeded(id: string, salt: string, max: number): number {
  return createHash('sha256').update(`${salt}:${id}`).digest().readUInt32BE(0) % max;
}

export interface FakeSizeOptions {
  /** `partial: true`, each split converted up to about a third, with `estimated_num_rows` at every level */
  partial?: boolean;
  /** totals and some split numbers left out */
  missingNumbers?: boolean;
  /** an older answer: no `estimated_num_rows` field at all */
  legacy?: boolean;
  /** the `extra` subset is pending or failed: left out of configs, splits and totals, and listed in that list */
  unsized?: 'pending' | 'failed';
  /** no subset sized at all: zeros, `configs: []`, `splits: []`, every subset listed in `unsized` (default failed) */
  nothingSized?: boolean;
}

/** The `/size` answer the fake gives for `id` (exported so tests can compare). */
export function fakeSizeAnswer(id: string, opts: FakeSizeOptions = {}): Record<string, unknown> {
  const all = ['default', 'extra'];
  const configs = opts.nothingSized ? [] : opts.unsized ? ['default'] : all;
  const unsized = opts.nothingSized ? all : opts.unsized ? ['extra'] : [];
  const estimate = (v: number | null): Record<string, unknown> => (opts.legacy ? {} : { estimated_num_rows: v });
  const splits: Array<Record<string, unknown>> = [];
  for (const config of configs) {
    for (const split of ['train', 'test']) {
      const whole = 1 + seeded(id, `${config}/${split}`, 100_000);
      const rows = opts.partial ? Math.ceil(whole / 3) : whole;
      const entry: Record<string, unknown> = { dataset: id, config, split, num_bytes_parquet_files: rows * 40, num_bytes_memory: rows * 120, num_rows: rows, num_columns: 3, ...estimate(opts.partial ? whole : null) };
      if (opts.missingNumbers && split === 'test') {
        delete entry.num_bytes_memory;
        delete entry.num_columns;
      }
      splits.push(entry);
    }
  }
  const sum = (list: Array<Record<string, unknown>>, key: string): number => list.reduce((a, s) => a + ((s[key] as number | undefined) ?? 0), 0);
  const dataset: Record<string, unknown> = {
    dataset: id,
    num_bytes_original_files: splits.length === 0 ? 0 : sum(splits, 'num_bytes_parquet_files') + 7,
    num_bytes_parquet_files: sum(splits, 'num_bytes_parquet_files'),
    num_bytes_memory: sum(splits, 'num_bytes_memory'),
    num_rows: sum(splits, 'num_rows'),
    ...estimate(opts.partial ? sum(splits, 'estimated_num_rows') : null),
  };
  if (opts.missingNumbers) delete dataset.num_bytes_original_files;
  const configEntries = configs.map((config) => {
    const own = splits.filter((s) => s.config === config);
    return { dataset: id, config, num_rows: sum(own, 'num_rows'), num_columns: 3, ...estimate(opts.partial ? sum(own, 'estimated_num_rows') : null) };
  });
  // like the real answer: a config-level entry, and split-level ones naming the same config
  const listed = unsized.flatMap((config) => [
    { kind: 'config-size', dataset: id, config, split: null },
    { kind: 'split-size', dataset: id, config, split: 'train' },
  ]);
  const which = opts.unsized ?? 'failed';
  return {
    size: { dataset, configs: configEntries, splits },
    pending: which === 'pending' ? listed : [],
    failed: which === 'failed' ? listed : [],
    partial: opts.partial === true,
  };
}

export async function startFakeViewer(opts: FakeViewerOptions = {}): Promise<FakeViewer> {
  let options: FakeViewerOptions = { ...opts };
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const viewer: FakeViewer = {
    url: '',
    requests: [],
    counters: { total: 0, inFlight: 0, maxInFlight: 0 },
    setOptions(patch) {
      options = { ...options, ...patch };
    },
    resetCounters() {
      viewer.requests.length = 0;
      viewer.counters = { total: 0, inFlight: 0, maxInFlight: 0 };
      seen.clear();
    },
    close: async () => undefined,
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
    return status;
  };

  const viewerError = (res: ServerResponse, code: ViewerErrorCode): number =>
    json(res, VIEWER_ERRORS[code].status, { error: VIEWER_ERRORS[code].error }, { 'x-error-code': code });

  async function answer(req: IncomingMessage, res: ServerResponse, entry: FakeViewerRequest): Promise<number> {
    const u = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'GET' || u.pathname !== '/size') return json(res, 404, { error: 'Not Found' });
    const id = u.searchParams.get('dataset');
    entry.dataset = id;
    if (!id) return json(res, 422, { error: "Parameter 'dataset' is required" }, { 'x-error-code': 'MissingRequiredParameter' });
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (options.latencyMs) await sleep(options.latencyMs);
    const sc = options.scenarios?.[id] ?? { kind: 'ok' };
    switch (sc.kind) {
      case 'ok':
        return json(res, 200, fakeSizeAnswer(id));
      case 'partial':
        return json(res, 200, fakeSizeAnswer(id, { partial: true }));
      case 'missing-numbers':
        return json(res, 200, fakeSizeAnswer(id, { missingNumbers: true }));
      case 'legacy':
        return json(res, 200, fakeSizeAnswer(id, { legacy: true }));
      case 'pending':
      case 'failed':
        return json(res, 200, fakeSizeAnswer(id, { unsized: sc.kind }));
      case 'nothing-sized':
        return json(res, 200, fakeSizeAnswer(id, { nothingSized: true, unsized: sc.list ?? 'failed' }));
      case 'not-found':
        return viewerError(res, 'ResponseNotFound');
      case 'not-ready':
        return viewerError(res, 'ResponseNotReady');
      case 'error-code':
        return viewerError(res, sc.code);
      case 'body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(sc.text) });
        res.end(sc.text);
        return 200;
      case 'error500':
        if (sc.times === undefined || n <= sc.times) {
          // what the real service sends when it crashed: no JSON, no code
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 22 });
          res.end('Internal Server Error.');
          return 500;
        }
        return json(res, 200, fakeSizeAnswer(id));
      case '429':
        if (n <= (sc.times ?? 1)) return json(res, 429, { error: 'Too Many Requests' }, { 'retry-after': String(sc.retryAfter) });
        return json(res, 200, fakeSizeAnswer(id));
      case 'slow':
        await sleep(sc.ms);
        return json(res, 200, fakeSizeAnswer(id));
      case 'malformed':
        if (sc.times === undefined || n <= sc.times) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"size": {"dataset": {"num_rows": 12');
          return 200;
        }
        return json(res, 200, fakeSizeAnswer(id));
      case 'wrong-shape':
        return json(res, 200, { rows: 12 });
      case 'redirect':
        res.writeHead(302, { location: sc.location, 'content-length': 0 });
        res.end();
        return 302;
    }
  }

  const server = createServer((req, res) => {
    const entry: FakeViewerRequest = { url: req.url ?? '', dataset: null, authorization: req.headers.authorization, at: Date.now(), status: 0 };
    if (viewer.requests.length < LOG_CAP) viewer.requests.push(entry);
    viewer.counters.total += 1;
    viewer.counters.inFlight += 1;
    viewer.counters.maxInFlight = Math.max(viewer.counters.maxInFlight, viewer.counters.inFlight);
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      viewer.counters.inFlight -= 1;
    };
    res.on('close', done);
    answer(req, res, entry).then(
      (status) => {
        entry.status = status;
      },
      () => {
        res.destroy();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  viewer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  viewer.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return viewer;
}
