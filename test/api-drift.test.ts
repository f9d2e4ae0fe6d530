/**
 * When the real Hub moves: `expand` values it stops accepting, listing pages larger than the body
 * cap, a page read again after its body broke off, 429s from another limit, and fields that go
 * missing or change type. Against the fake Hub (in process, and through the real CLI).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { HubClient } from '../src/http/client.js';
import { RateLimiter } from '../src/http/rate-limiter.js';
import { fetchDetail } from '../src/hub/detail.js';
import { acceptedExpand, dropRefusedExpand, expandValuesOf, withoutExpand } from '../src/hub/expand-drift.js';
import { firstPagePath, LIST_EXPAND, listDatasets, type ListEvent } from '../src/hub/list.js';
import type { QueryOptions, RawDataset } from '../src/types.js';
import { ndjsonLines, outputFiles, readJson, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './helpers/fake-hub.js';

const hubs: FakeHub[] = [];
const clients: HubClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const h of hubs.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function hubWith(opts: FakeHubOptions): Promise<FakeHub> {
  const hub = await startFakeHub(opts);
  hubs.push(hub);
  return hub;
}

interface Logged {
  level: string;
  msg: string;
}

function clientFor(hub: FakeHub, extra: Partial<ConstructorParameters<typeof HubClient>[0]> = {}): { client: HubClient; logs: Logged[] } {
  const logs: Logged[] = [];
  const client = new HubClient({
    endpoint: hub.url, token: null, timeoutMs: 10_000, maxRetries: 3, concurrency: 4, userAgent: 'test',
    backoffBaseMs: 1, backoffCapMs: 2, log: (level, msg) => logs.push({ level, msg }), ...extra,
  });
  clients.push(client);
  return { client, logs };
}

function out(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const QUERY: QueryOptions = { search: null, author: null, filter: [], sort: 'downloads', since: null, limit: null, file_sizes: false, viewer_stats: false };

async function collectEvents(gen: AsyncIterable<ListEvent>): Promise<ListEvent[]> {
  const events: ListEvent[] = [];
  for await (const ev of gen) events.push(ev);
  return events;
}

const itemsOf = (events: ListEvent[]): RawDataset[] => events.flatMap((e) => (e.kind === 'item' ? [e.item] : []));
const listRequests = (hub: FakeHub): Array<{ url: string; status: number }> => hub.requests.filter((r) => r.url.startsWith('/api/datasets?'));
const driftWarnings = (logs: Logged[]): Logged[] => logs.filter((l) => /no longer accepts expand/.test(l.msg));

describe('expand values the Hub no longer accepts', () => {
  it('reads the accepted values out of the 400 and strips refused values from a URL, other bytes untouched', () => {
    const err = new HttpError({ status: 400, method: 'GET', url: 'x', detail: '"expand" must be one of [author, cardData, sha]' });
    expect(acceptedExpand(err)).toEqual(['author', 'cardData', 'sha']);
    expect(acceptedExpand(new HttpError({ status: 400, method: 'GET', url: 'x', detail: '"expand[3]" must be one of [a, b]' }))).toEqual(['a', 'b']);
    expect(acceptedExpand(new HttpError({ status: 400, method: 'GET', url: 'x', detail: '"limit" must be less than or equal to 500' }))).toBeNull();
    expect(acceptedExpand(new HttpError({ status: 500, method: 'GET', url: 'x', detail: '"expand" must be one of [a]' }))).toBeNull();
    const url = '/api/datasets?sort=downloads&expand%5B%5D=mainSize&expand[]=sha&expand=usedStorage&cursor=eyJ%3D';
    expect(expandValuesOf(url)).toEqual(['mainSize', 'sha', 'usedStorage']);
    expect(withoutExpand(url, new Set(['mainSize', 'usedStorage']))).toBe('/api/datasets?sort=downloads&expand[]=sha&cursor=eyJ%3D');
    expect(withoutExpand('/api/datasets?expand[]=a', new Set(['a']))).toBe('/api/datasets');
  });

  it('listing: one warning naming every dropped value, ONE extra request, the values stripped from every later page', async () => {
    const hub = await hubWith({ synthetic: 2500, refuseExpand: ['mainSize', 'usedStorage'] });
    const { client, logs } = clientFor(hub);
    const events = await collectEvents(listDatasets(client, { start: firstPagePath(QUERY), log: (msg) => logs.push({ level: 'warn', msg }) }));
    const items = itemsOf(events);
    expect(items).toHaveLength(2500);
    expect(items.every((it) => it.mainSize === undefined && it.usedStorage === undefined && typeof it.downloadsAllTime === 'number')).toBe(true);
    const reqs = listRequests(hub);
    expect(reqs.map((r) => r.status)).toEqual([400, 200, 200, 200]); // 3 pages + 1
    for (const r of reqs.slice(1)) {
      expect(r.url).not.toMatch(/mainSize|usedStorage/);
      expect(r.url).toMatch(/limit=1000/); // a refused expand is not taken for a refused page size
    }
    const warnings = driftWarnings(logs);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toEqual({ level: 'warn', msg: expect.stringMatching(/values "mainSize", "usedStorage"; asking without them/) });
    expect(logs.some((l) => /refused limit/.test(l.msg))).toBe(false);
    // the resume points carry the stripped URLs
    for (const ev of events) if (ev.kind === 'page' && ev.next) expect(ev.next).not.toMatch(/mainSize/);
  });

  it('listing: a value refused mid-run (the page asked ahead carries it) and a resumed cursor that carries it', async () => {
    const hub = await hubWith({ synthetic: 2500 });
    hub.setOptions({ onRequest: (n) => (n === 2 ? hub.setOptions({ refuseExpand: ['trendingScore'] }) : undefined) });
    const { client, logs } = clientFor(hub);
    const events = await collectEvents(listDatasets(client, { start: firstPagePath(QUERY) }));
    expect(itemsOf(events)).toHaveLength(2500);
    expect(listRequests(hub).map((r) => r.status)).toEqual([200, 400, 200, 200]);
    expect(driftWarnings(logs)).toHaveLength(1);

    // a resumed run: its stored cursor is the Link of the first run, with every expand value
    const fresh = await hubWith({ synthetic: 2500 });
    const page1 = await fetch(`${fresh.url}${firstPagePath(QUERY)}`);
    const cursorUrl = /<([^>]+)>/.exec(page1.headers.get('link') ?? '')![1]!;
    await page1.arrayBuffer();
    expect(cursorUrl).toMatch(/expand%5B%5D=trendingScore|expand\[\]=trendingScore/);
    fresh.setOptions({ refuseExpand: ['trendingScore'] });
    fresh.resetCounters();
    const resumed = clientFor(fresh);
    const rest = await collectEvents(listDatasets(resumed.client, { start: new URL(cursorUrl).pathname + new URL(cursorUrl).search }));
    expect(itemsOf(rest)).toHaveLength(1500);
    expect(itemsOf(rest).every((it) => it.trendingScore === undefined)).toBe(true);
    expect(listRequests(fresh).map((r) => r.status)).toEqual([400, 200, 200]);
    expect(driftWarnings(resumed.logs)).toHaveLength(1);
  });

  it('only another 400 falls back to 500 a page; a 400 with nothing to drop is not an expand refusal', async () => {
    const hub = await hubWith({ synthetic: 1200, refuseExpand: ['likes'], rejectLimitAbove: 500 });
    const { client, logs } = clientFor(hub);
    const events = await collectEvents(listDatasets(client, { start: firstPagePath(QUERY), log: (msg) => logs.push({ level: 'warn', msg }) }));
    expect(itemsOf(events)).toHaveLength(1200);
    expect(logs.filter((l) => /refused limit=1000/.test(l.msg))).toHaveLength(1);
    expect(driftWarnings(logs)).toHaveLength(1);
    expect(listRequests(hub).filter((r) => r.status === 200).every((r) => /limit=500/.test(r.url) && !/likes/.test(r.url))).toBe(true);

    // a 400 about expand that lists every value asked as accepted: nothing to drop, the error stands
    const odd = new HttpError({ status: 400, method: 'GET', url: 'x', detail: '"expand" must be one of [author, likes]' });
    expect(dropRefusedExpand(client, odd, '/api/datasets?expand[]=author&expand[]=likes')).toBe(false);
    expect(dropRefusedExpand(client, new HttpError({ status: 400, method: 'GET', url: 'x', detail: 'Invalid cursor' }), '/api/datasets?expand[]=x')).toBe(false);
  });

  it('detail: the value is dropped once for the run, concurrent calls warn once, the fields are missing', async () => {
    const hub = await hubWith({ synthetic: 50, refuseExpand: ['mainSize'] });
    const { client, logs } = clientFor(hub);
    const listed = itemsOf(await collectEvents(listDatasets(client, { start: '/api/datasets?limit=6&sort=downloads&expand[]=likes' })));
    hub.resetCounters();
    const wanted = ['downloadsAllTime', 'mainSize', 'usedStorage'];
    const details = await Promise.all(listed.slice(0, 4).map((it) => fetchDetail(client, String(it.id), undefined, wanted)));
    for (const d of details) {
      expect(d.mainSize).toBeUndefined();
      expect(typeof d.usedStorage).toBe('number');
      expect(typeof d.downloadsAllTime).toBe('number');
    }
    expect(driftWarnings(logs)).toHaveLength(1);
    const refusals = hub.requests.filter((r) => r.status === 400).length;
    expect(refusals).toBeGreaterThanOrEqual(1);
    expect(refusals).toBeLessThanOrEqual(4); // at most one each for the calls already in flight
    hub.resetCounters();
    const later = await fetchDetail(client, String(listed[5]!.id), undefined, wanted);
    expect(later.mainSize).toBeUndefined();
    expect(hub.requests.map((r) => r.status)).toEqual([200]); // stripped before it was sent
    expect(hub.requests[0]!.url).not.toMatch(/mainSize/);
  });
});

describe('listing pages are capped per item, not as a whole', () => {
  it('a page over 64 MB made of small items is read whole', async () => {
    const hub = await hubWith({ hugeListPage: { bytes: 66 * 1024 * 1024, itemBytes: 20_000 } });
    const { client } = clientFor(hub);
    expect(client.maxBodyBytes).toBe(64 * 1024 * 1024);
    let items = 0;
    let last: ListEvent | null = null;
    const ids = new Set<unknown>();
    for await (const ev of listDatasets(client, { start: firstPagePath(QUERY) })) {
      if (ev.kind === 'item') {
        items += 1;
        ids.add(ev.item.id);
      }
      last = ev;
    }
    expect(items).toBeGreaterThan((64 * 1024 * 1024) / 20_000);
    expect(ids.size).toBe(items);
    expect(last).toMatchObject({ kind: 'page', next: null });
  }, 60_000);

  it('one item over 64 MB ends the run with one line naming the page (CLI), files closed incomplete', async () => {
    const hub = await hubWith({ hugeListPage: { bytes: 100_000, itemBytes: 2_000, hugeItemBytes: 65 * 1024 * 1024 } });
    const dir = out();
    const r = await runCli(['collect', '--all', '--no-individual', '--out', dir, '--endpoint', hub.url]);
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain(`one item of the listing page ${hub.url}/api/datasets?sort=downloads&limit=1000 is larger than 64 MB; refused`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(listRequests(hub)).toHaveLength(1); // not fetched again
    const agg = readJson(outputFiles(dir).aggregate[0]!);
    expect(agg.summary.complete).toBe(false);
    expect(agg.datasets.map((d: { id: string }) => d.id)).toEqual(['big/item-000001']);
  }, 60_000);
});

describe('a listing page read again after its body broke off', () => {
  it.each([4, 1])('takes its Link from the answer it was read from (the ranking moved in between; concurrency %i)', async (concurrency) => {
    const corpus: RawDataset[] = 'ABCDEF'.split('').map((c, i) => ({ id: `org/${c}`, downloads: 600 - i * 100, description: 'd'.repeat(400) }));
    const moved = [{ id: 'org/N', downloads: 10_000, description: 'new' }, ...corpus];
    let firstPageAsks = 0;
    const hub = await hubWith({
      datasets: corpus,
      faults: { atRequests: { 1: 'truncate' } },
      onRequest: (_n, url) => {
        if (url.pathname === '/api/datasets' && !url.searchParams.has('cursor') && ++firstPageAsks === 2) hub.setOptions({ datasets: moved });
      },
    });
    const { client } = clientFor(hub, { concurrency });
    const events = await collectEvents(listDatasets(client, { start: '/api/datasets?sort=downloads&limit=3' }));
    const ids = new Set(itemsOf(events).map((it) => it.id));
    // with the first answer's Link (cursor after org/C) the walk would resume after C, which the broken body never delivered
    expect([...ids].sort()).toEqual(['org/A', 'org/B', 'org/C', 'org/D', 'org/E', 'org/F', 'org/N']);
    const pages = events.filter((e) => e.kind === 'page');
    expect(pages).toHaveLength(3);
  });
});

describe('429 semantics (the RateLimit reading decides the wait), delays recorded on a virtual clock', () => {
  async function pauses(rateLimit429: { remaining: number; resetSec: number }): Promise<number[]> {
    const hub = await hubWith({ synthetic: 5, faults: { atRequests: { 1: '429' }, retryAfterSec: 2, rateLimit429 } });
    let now = 1_000_000;
    const delays: number[] = [];
    const limiter = new RateLimiter({ now: () => now, sleep: async (ms) => { delays.push(ms); now += ms; }, random: () => 0 });
    const { client } = clientFor(hub, { limiter });
    const { data } = await client.getJson(`${hub.url}/api/datasets?limit=5`);
    expect(data).toHaveLength(5);
    expect(hub.requests.map((r) => r.status)).toEqual([429, 200]);
    return delays;
  }

  it('r>0: the 429 comes from another limit, its Retry-After is the wait', async () => {
    expect(await pauses({ remaining: 40, resetSec: 250 })).toEqual([2050]);
  });

  it('r=0: the RateLimit reset t is the wait, and wins over Retry-After', async () => {
    const delays = await pauses({ remaining: 0, resetSec: 40 });
    expect(delays[0]).toBe(40_050);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40_000);
  });
});

describe('fields the Hub stops sending, or sends with another type', () => {
  const corpus = (): RawDataset[] => [
    { id: 'drift/bare' },
    { id: 'drift/numbers', author: 7, sha: 12, description: 5, citation: ['x'], createdAt: 1_700_000_000, lastModified: {}, downloads: '12', likes: '3', tags: 'language:en', siblings: { rfilename: 'a.csv' }, cardData: ['mit'], private: 'no', gated: 'sometimes', disabled: 1, usedStorage: '9', paperswithcode_id: 3 },
    { id: 'drift/more', description: 9, downloads: 'many', tags: { a: 1 }, siblings: [{ rfilename: 'ok.csv' }, { rfilename: 3 }, 'x'] },
    { id: 'drift/fine', author: 'drift', sha: 'abc', description: 'fine', downloads: 10, likes: 2, tags: ['language:fr'], siblings: [{ rfilename: 'a.csv' }], cardData: { license: 'mit' }, createdAt: '2024-01-01T00:00:00.000Z', gated: 'auto', paperswithcode_id: null },
  ];

  it('collect: missing fields are null, wrong types are taken as missing and counted once per field at the end', async () => {
    const hub = await hubWith({ datasets: corpus() });
    const dir = out();
    const r = await runCli(['collect', '--all', '--no-individual', '--out', dir, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const agg = readJson(outputFiles(dir).aggregate[0]!);
    const byId = new Map<string, any>(agg.datasets.map((d: { id: string }) => [d.id, d]));
    expect(byId.size).toBe(4);
    const bare = byId.get('drift/bare');
    expect(bare).toMatchObject({ author: 'drift', sha: null, info: { description: null, tags: [], license: [] }, statistics: { downloads: null, likes: null, created_at: null, file_count: 0 }, files: [] });
    const n = byId.get('drift/numbers');
    expect(n).toMatchObject({ author: 'drift', sha: null, links: { paperswithcode_id: null }, info: { description: null, citation: null, tags: [], license: [] },
      statistics: { downloads: null, likes: null, created_at: null, last_modified: null, used_storage_bytes: null, file_count: 0 },
      files: [], additional: { private: false, gated: false, disabled: false, card_data: {} }, errors: [] });
    expect(byId.get('drift/more').files).toEqual([{ path: 'ok.csv', size: null, lfs: null }]);
    expect(byId.get('drift/fine')).toMatchObject({ info: { license: ['mit'], languages: ['fr'] }, statistics: { downloads: 10 }, additional: { gated: 'auto' } });

    const lines = r.stderr.split('\n').filter((l) => /unexpected type/.test(l));
    const count = (field: string): number => Number(new RegExp(`"${field}" of an unexpected type \\(not [^)]*\\) for (\\d+) dataset`).exec(lines.join('\n'))?.[1] ?? 0);
    expect(count('description')).toBe(2);
    expect(count('downloads')).toBe(2);
    expect(count('tags')).toBe(2);
    expect(count('author')).toBe(1);
    expect(count('cardData')).toBe(1);
    expect(count('gated')).toBe(1);
    expect(count('paperswithcode_id')).toBe(1);
    expect(lines.filter((l) => /"downloads"/.test(l))).toHaveLength(1); // one line per field, not per record
    // at the end of the run: after the last progress, before the summary line
    const all = r.stderr.trim().split('\n');
    expect(all.findIndex((l) => /unexpected type/.test(l))).toBeGreaterThan(-1);
    expect(all.at(-1)).toMatch(/collected 4 datasets/);
  }, 60_000);

  it('enrich (detail answers): the same, once per field at the end; a plain run warns nothing', async () => {
    const hub = await hubWith({ datasets: corpus() });
    const r = await runCli(['enrich', '--endpoint', hub.url], { input: 'drift/bare\ndrift/numbers\ndrift/more\ndrift/fine\n' });
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    expect(records.map((x) => x.id)).toEqual(['drift/bare', 'drift/numbers', 'drift/more', 'drift/fine']);
    expect(records.every((x) => x.errors.length === 0)).toBe(true);
    expect(records[1]).toMatchObject({ sha: null, info: { description: null }, statistics: { downloads: null }, files: [] });
    const lines = r.stderr.split('\n').filter((l) => /unexpected type/.test(l));
    expect(lines.filter((l) => /"description"/.test(l))).toEqual([expect.stringContaining('for 2 datasets')]);

    const clean = await hubWith({ synthetic: 20 });
    const ok = await runCli(['collect', '--limit', '20', '--no-individual', '--out', out(), '--endpoint', clean.url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/unexpected type|no longer accepts/);
  }, 60_000);

  it('collect through the CLI with a refused expand value: one warning, fields null, exit 0', async () => {
    const hub = await hubWith({ synthetic: 1500, refuseExpand: ['mainSize', 'downloadsAllTime'] });
    const dir = out();
    const r = await runCli(['collect', '--all', '--no-individual', '--out', dir, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /no longer accepts expand values "downloadsAllTime", "mainSize"/.test(l))).toHaveLength(1);
    const agg = readJson(outputFiles(dir).aggregate[0]!);
    expect(agg.summary).toMatchObject({ total_datasets: 1500, requests: 3, complete: true });
    expect(agg.datasets.every((d: any) => d.statistics.downloads_all_time === null && d.statistics.total_size_bytes === null && typeof d.statistics.used_storage_bytes === 'number')).toBe(true);
    expect(LIST_EXPAND).toContain('mainSize');
  }, 60_000);
});
