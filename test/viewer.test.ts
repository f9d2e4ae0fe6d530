/**
 * Viewer statistics against a fake dataset viewer on its own port: the block for every kind of
 * answer, which failures are retried and which become `errors` entries, the token's scope, the
 * viewer's own rate-limit state (a viewer 429 never pauses the Hub client), and the ordered stage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HubClient, viewerRetryPolicy, type HttpClientOptions } from '../src/http/client.js';
import { fetchViewerBlock, sizeUrl } from '../src/hub/viewer.js';
import { createHubClient } from '../src/client.js';
import { viewerStats } from '../src/enrichers/viewer-stats.js';
import { emptyRecord, recordFromUnknown, mergeRecords } from '../src/record/build.js';
import { viewerBlockFromSize, viewerBlockFromUnknown } from '../src/record/viewer.js';
import type { DatasetRecord } from '../src/types.js';
import { VIEWER_KEYS } from './helpers/record-shape.js';
import { VIEWER_ERRORS, fakeSizeAnswer, startFakeViewer, type FakeViewer, type FakeViewerOptions, type ViewerErrorCode } from './helpers/fake-viewer.js';

const CODES = Object.keys(VIEWER_ERRORS) as ViewerErrorCode[];

const TOKEN = 'hf_viewer_test_token_0123456789';
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function fakeViewer(opts: FakeViewerOptions = {}): Promise<FakeViewer> {
  const v = await startFakeViewer(opts);
  closers.push(() => v.close());
  return v;
}

function client(endpoint: string, extra: Partial<HttpClientOptions> = {}): HubClient {
  const c = new HubClient({ endpoint, token: TOKEN, timeoutMs: 5000, maxRetries: 2, concurrency: 4, userAgent: 'test', backoffBaseMs: 5, ...extra });
  closers.push(() => c.close());
  return c;
}

const viewerClient = (endpoint: string, extra: Partial<HttpClientOptions> = {}): HubClient =>
  client(endpoint, { retry: viewerRetryPolicy({ limit: extra.maxRetries ?? 2, backoffBaseMs: 5 }), ...extra });

/** A plain server on another port that logs what it received. */
async function otherOrigin(): Promise<{ url: string; seen: Array<{ url: string; authorization: string | undefined; at: number }> }> {
  const seen: Array<{ url: string; authorization: string | undefined; at: number }> = [];
  const s: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url?.startsWith('/size') ? fakeSizeAnswer('elsewhere/x') : []));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

describe('viewerBlockFromSize', () => {
  it('takes the totals from size.dataset and one entry per split; missing numbers are null', () => {
    const body = {
      size: {
        dataset: { dataset: 'ibm/duorc', num_bytes_original_files: 58710973, num_bytes_parquet_files: 58710973, num_bytes_memory: 1060742354, num_rows: 187213 },
        configs: [{ dataset: 'ibm/duorc', config: 'ParaphraseRC', num_rows: 100972, num_columns: 7 }],
        splits: [
          { dataset: 'ibm/duorc', config: 'ParaphraseRC', split: 'train', num_bytes_parquet_files: 26005668, num_bytes_memory: 494389683, num_rows: 69524, num_columns: 7 },
          { dataset: 'ibm/duorc', config: 'ParaphraseRC', split: 'test', num_rows: 'many' },
          'junk',
        ],
      },
      pending: [],
      failed: [],
      partial: false,
    };
    expect(viewerBlockFromSize(body)).toEqual({
      available: true,
      partial: false,
      num_rows: 187213,
      estimated_num_rows: null, // an older answer: no such field
      num_bytes_original_files: 58710973,
      num_bytes_parquet_files: 58710973,
      num_bytes_memory: 1060742354,
      pending: [],
      failed: [],
      splits: [
        { config: 'ParaphraseRC', split: 'train', num_rows: 69524, estimated_num_rows: null, num_columns: 7, num_bytes_parquet_files: 26005668, num_bytes_memory: 494389683 },
        { config: 'ParaphraseRC', split: 'test', num_rows: null, estimated_num_rows: null, num_columns: null, num_bytes_parquet_files: null, num_bytes_memory: null },
      ],
    });
    const block = viewerBlockFromSize(body)!;
    expect(Object.keys(block)).toEqual(VIEWER_KEYS.block);
    expect(Object.keys(block.splits[0]!)).toEqual(VIEWER_KEYS.split);
    expect(viewerBlockFromSize({ size: {} })).toEqual({ available: true, partial: null, num_rows: null, estimated_num_rows: null, num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null, pending: [], failed: [], splits: [] });
    expect(viewerBlockFromSize({ rows: 1 })).toBeNull();
    expect(viewerBlockFromSize([1])).toBeNull();
  });

  it('partial: the estimates at dataset and split level; pending and failed: distinct config names in answer order', () => {
    const partial = viewerBlockFromSize(fakeSizeAnswer('a/big', { partial: true }))!;
    expect(partial.partial).toBe(true);
    expect(partial.estimated_num_rows).toBeGreaterThan(partial.num_rows!);
    for (const s of partial.splits) expect(s.estimated_num_rows).toBeGreaterThan(s.num_rows!);
    expect(partial.estimated_num_rows).toBe(partial.splits.reduce((a, s) => a + s.estimated_num_rows!, 0));

    const entry = (config: unknown, split: unknown = null) => ({ kind: 'split-size', dataset: 'a/b', config, split });
    const body = {
      size: { dataset: { num_rows: 10, estimated_num_rows: null }, configs: [{ config: 'c', num_rows: 10 }], splits: [{ config: 'c', split: 'train', num_rows: 10 }] },
      pending: [entry('z'), entry('a', 'train'), entry('z', 'test'), entry(null), 'junk', { kind: 'config-size' }],
      failed: [entry('y'), entry('y', 'test')],
      partial: false,
    };
    expect(viewerBlockFromSize(body)).toMatchObject({ num_rows: 10, estimated_num_rows: null, pending: ['z', 'a', null], failed: ['y'] });
    expect(viewerBlockFromSize({ ...body, pending: 'nope', failed: null })).toMatchObject({ pending: [], failed: [] });

    // the other subsets sized: their totals stand
    const some = viewerBlockFromSize(fakeSizeAnswer('a/b', { unsized: 'pending' }))!;
    expect(some).toMatchObject({ pending: ['extra'], failed: [], num_rows: expect.any(Number) });
    expect(some.splits.map((s) => s.config)).toEqual(['default', 'default']);
  });

  it('nothing sized and some subsets pending or failed: the totals are null, not the viewer\'s zeros', () => {
    const none = viewerBlockFromSize(fakeSizeAnswer('a/b', { nothingSized: true }))!;
    expect(none).toEqual({
      available: true, partial: false, num_rows: null, estimated_num_rows: null, num_bytes_original_files: null,
      num_bytes_parquet_files: null, num_bytes_memory: null, pending: [], failed: ['default', 'extra'], splits: [],
    });
    expect(viewerBlockFromSize(fakeSizeAnswer('a/b', { nothingSized: true, unsized: 'pending' }))).toMatchObject({ num_rows: null, pending: ['default', 'extra'] });
    // nothing sized and nothing pending or failed: an empty dataset, its zeros stand
    const empty = { size: { dataset: { num_rows: 0, num_bytes_parquet_files: 0 }, configs: [], splits: [] }, pending: [], failed: [], partial: false };
    expect(viewerBlockFromSize(empty)).toMatchObject({ num_rows: 0, num_bytes_parquet_files: 0 });
    // one subset sized beside a failed one: the sized part's numbers stand
    const one = { ...empty, size: { ...empty.size, configs: [{ config: 'a', num_rows: 0 }] }, failed: [{ config: 'b' }] };
    expect(viewerBlockFromSize(one)).toMatchObject({ num_rows: 0, failed: ['b'] });
  });

  it('a stored block written before estimates, pending and failed reads back with null and empty lists', () => {
    const old = { available: true, partial: false, num_rows: 5, num_bytes_original_files: 1, num_bytes_parquet_files: 2, num_bytes_memory: 3, splits: [{ config: 'c', split: 's', num_rows: 5, num_columns: 1, num_bytes_parquet_files: 2, num_bytes_memory: 3 }] };
    const back = viewerBlockFromUnknown(old)!;
    expect(back).toMatchObject({ num_rows: 5, estimated_num_rows: null, pending: [], failed: [] });
    expect(Object.keys(back)).toEqual(VIEWER_KEYS.block);
    const fresh = viewerBlockFromSize(fakeSizeAnswer('a/b', { partial: true, unsized: 'failed' }))!;
    expect(viewerBlockFromUnknown(JSON.parse(JSON.stringify(fresh)))).toEqual(fresh);
    expect(viewerBlockFromUnknown({ ...fresh, pending: ['a', 7, 'a', null] })).toMatchObject({ pending: ['a', null] });
  });

  it('an input record keeps a viewer block of the right shape (enrich), and a fetched one wins', () => {
    const ctx = { endpoint: 'https://huggingface.co', collectedAt: 't' };
    const given = recordFromUnknown({ id: 'a/b', viewer: { available: false, reason: 'ResponseNotReady', extra: 1 } }, ctx);
    expect(given.viewer).toEqual({ available: false, reason: 'ResponseNotReady' });
    expect(recordFromUnknown({ id: 'a/b', viewer: 'nope' }, ctx).viewer).toBeNull();
    expect(emptyRecord('a/b', ctx).viewer).toBeNull();
    const fetched = { ...emptyRecord('a/b', ctx), viewer: viewerBlockFromSize(fakeSizeAnswer('a/b')) };
    expect(mergeRecords(given, fetched).viewer).toEqual(fetched.viewer);
    expect(mergeRecords(given, emptyRecord('a/b', ctx)).viewer).toEqual(given.viewer);
  });
});

describe('fetchViewerBlock', () => {
  it('gives the block of each kind of answer; only real failures are retried and recorded', async () => {
    const v = await fakeViewer({
      scenarios: {
        'a/partial': { kind: 'partial' },
        'a/missing': { kind: 'missing-numbers' },
        'a/not-found': { kind: 'not-found' },
        'a/not-ready': { kind: 'not-ready' },
        ...Object.fromEntries(CODES.map((code) => [`code/${code}`, { kind: 'error-code', code } as const])),
        'a/500': { kind: 'error500' },
        'a/500-once': { kind: 'error500', times: 1 },
        'a/malformed': { kind: 'malformed' },
        'a/malformed-once': { kind: 'malformed', times: 1 },
        'a/wrong': { kind: 'wrong-shape' },
      },
    });
    const c = viewerClient(v.url);
    const ask = (id: string) => fetchViewerBlock(c, id);

    const ok = await ask('a/ok');
    expect(ok).toEqual({ viewer: viewerBlockFromSize(fakeSizeAnswer('a/ok')), error: null });
    expect(ok.viewer).toMatchObject({ available: true, partial: false, num_rows: expect.any(Number) });
    expect((await ask('a/partial')).viewer).toMatchObject({ available: true, partial: true });
    const missing = (await ask('a/missing')).viewer;
    expect(missing).toMatchObject({ available: true, num_bytes_original_files: null, num_rows: expect.any(Number) });
    expect(missing.available && missing.splits[1]).toMatchObject({ split: 'test', num_columns: null, num_bytes_memory: null });

    for (const [id, code] of [['a/not-found', 'ResponseNotFound'], ['a/not-ready', 'ResponseNotReady']] as const) {
      expect(await ask(id)).toEqual({ viewer: { available: false, reason: code }, error: null });
    }
    // every code the viewer documents (401, 404, 500, 501 alike): its word, not a failure
    for (const code of CODES) expect(await ask(`code/${code}`)).toEqual({ viewer: { available: false, reason: code }, error: null });
    // a plain-text 500 without a code is an ordinary server error: retried, then recorded
    expect(await ask('a/500')).toEqual({
      viewer: { available: false, reason: 'HTTP 500' },
      error: { stage: 'viewer', status: 500, code: 'ETL_HTTP_STATUS', message: expect.stringContaining('HTTP 500') },
    });
    expect((await ask('a/500-once')).viewer).toMatchObject({ available: true });
    expect(await ask('a/malformed')).toEqual({
      viewer: { available: false, reason: 'ETL_BAD_BODY' },
      error: { stage: 'viewer', status: null, code: 'ETL_BAD_BODY', message: expect.stringContaining('after 3 attempts') },
    });
    expect((await ask('a/malformed-once')).viewer).toMatchObject({ available: true });
    expect((await ask('a/wrong')).viewer).toEqual({ available: false, reason: 'ETL_BAD_BODY' });

    const tries = (id: string): number => v.requests.filter((r) => r.dataset === id).length;
    expect([tries('a/not-found'), tries('a/not-ready'), ...CODES.map((code) => tries(`code/${code}`))]).toEqual(Array(2 + CODES.length).fill(1)); // the viewer's word: not retried
    expect([tries('a/500'), tries('a/500-once'), tries('a/malformed'), tries('a/malformed-once')]).toEqual([3, 2, 3, 2]);
    expect(c.requests).toBe(v.counters.total);
  });

  it('refuses an oversized body, and names a timeout', async () => {
    const v = await fakeViewer({ scenarios: { 'a/slow': { kind: 'slow', ms: 3000 } } });
    const small = viewerClient(v.url, { maxBodyBytes: 100 });
    expect(await fetchViewerBlock(small, 'a/big')).toEqual({
      viewer: { available: false, reason: 'ETL_BODY_TOO_LARGE' },
      error: { stage: 'viewer', status: null, code: 'ETL_BODY_TOO_LARGE', message: expect.stringContaining('larger than') },
    });
    const impatient = viewerClient(v.url, { timeoutMs: 300, maxRetries: 0 });
    expect((await fetchViewerBlock(impatient, 'a/slow')).viewer).toEqual({ available: false, reason: 'ETL_TIMEOUT' });
  });

  it('stops asking a viewer that cannot be reached at all', async () => {
    const gone = await otherOrigin();
    const url = gone.url;
    await closers.pop()!(); // nothing listens there now
    const c = viewerClient(url, { maxRetries: 1 });
    const first = await fetchViewerBlock(c, 'a/1');
    expect(first.viewer).toEqual({ available: false, reason: 'ETL_UNREACHABLE' });
    const before = c.requests;
    const second = await fetchViewerBlock(c, 'a/2');
    expect(second).toEqual({ viewer: { available: false, reason: 'ETL_UNREACHABLE' }, error: expect.objectContaining({ stage: 'viewer', code: 'ETL_UNREACHABLE' }) });
    expect(c.requests).toBe(before);
  });

  it('asks /size with the id as one encoded query value', async () => {
    const v = await fakeViewer();
    const c = viewerClient(`${v.url}/`);
    expect(sizeUrl(c, 'a b/c&d')).toBe(`${v.url}/size?dataset=a+b%2Fc%26d`);
    await fetchViewerBlock(c, 'a b/c&d');
    expect(v.requests.map((r) => r.dataset)).toEqual(['a b/c&d']);
  });
});

describe('the token and the viewer origin', () => {
  it('goes to the viewer origin, never to a redirect target elsewhere', async () => {
    const third = await otherOrigin();
    const v = await fakeViewer({ scenarios: { 'a/moved': { kind: 'redirect', location: `${third.url}/size?dataset=elsewhere%2Fx` } } });
    const c = viewerClient(v.url);
    expect((await fetchViewerBlock(c, 'a/ok')).viewer.available).toBe(true);
    expect((await fetchViewerBlock(c, 'a/moved')).viewer.available).toBe(true);
    expect(v.requests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(third.seen).toEqual([{ url: '/size?dataset=elsewhere%2Fx', authorization: undefined, at: expect.any(Number) }]);
  });
});

describe('rate limits per origin', () => {
  it('a 429 from the viewer pauses viewer requests only, never the Hub client', async () => {
    const v = await fakeViewer({ scenarios: { 'a/limited': { kind: '429', retryAfter: 2 } } });
    const hub = await otherOrigin();
    const viewer = viewerClient(v.url);
    const hubClient = client(hub.url);
    const limited = fetchViewerBlock(viewer, 'a/limited');
    // wait until the 429 has been answered (the pause is then in force)
    for (let i = 0; i < 500 && !v.requests.some((r) => r.status === 429); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 5; i++) await hubClient.getJson(`${hub.url}/api/datasets?page=${i}`);
    const second = fetchViewerBlock(viewer, 'a/other');
    expect((await limited).viewer.available).toBe(true);
    expect((await second).viewer.available).toBe(true);
    const retried = v.requests.filter((r) => r.dataset === 'a/limited');
    expect(retried.map((r) => r.status)).toEqual([429, 200]);
    expect(retried[1]!.at - retried[0]!.at).toBeGreaterThanOrEqual(1900); // the viewer waited its Retry-After
    const other = v.requests.find((r) => r.dataset === 'a/other')!;
    expect(other.at - retried[0]!.at).toBeGreaterThanOrEqual(1900); // every viewer request waited
    expect(hub.seen.every((s) => s.at < retried[1]!.at)).toBe(true); // the Hub went on while the viewer waited
    expect(viewer.limiter).not.toBe(hubClient.limiter);
  });
});

describe('viewerStats (the stage)', () => {
  it('keeps the order while answers come back out of order, and bounds the requests', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `org/ds-${i}`);
    const scenarios: FakeViewerOptions['scenarios'] = {};
    for (let i = 0; i < ids.length; i += 7) scenarios[ids[i]!] = { kind: 'slow', ms: 60 };
    scenarios[ids[5]!] = { kind: 'not-ready' };
    const v = await fakeViewer({ scenarios });
    // the package's stage, over a handle whose viewer client talks to the fake viewer
    const handle = createHubClient({ endpoint: 'http://127.0.0.1:9', viewerEndpoint: v.url, concurrency: 3, token: null }, {});
    closers.push(() => handle.close());
    const ctx = { endpoint: 'https://huggingface.co', collectedAt: 't' };
    const out: DatasetRecord[] = [];
    await pipeline(
      Readable.from(ids.map((id) => emptyRecord(id, ctx))),
      viewerStats(handle, { concurrency: 3 }),
      new Writable({ objectMode: true, write(r: DatasetRecord, _e, cb) { out.push(r); cb(); } }),
    );
    expect(out.map((r) => r.id)).toEqual(ids);
    expect(out[5]!.viewer).toEqual({ available: false, reason: 'ResponseNotReady' });
    expect(out.filter((r) => r.viewer?.available).length).toBe(59);
    expect(out.every((r) => r.errors.length === 0)).toBe(true);
    expect(v.counters.maxInFlight).toBeLessThanOrEqual(3);
    expect(v.counters.total).toBe(60);
  });
});
