/**
 * The listing's requests: one retry budget per page (status, network and body failures together),
 * and a page asked ahead that never starves the request slots (`--concurrency 1` with details).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { BodyError, HttpError } from '../src/errors.js';
import { HubClient } from '../src/http/client.js';
import { listDatasets, type ListEvent } from '../src/hub/list.js';
import type { RawDataset } from '../src/types.js';
import { ndjsonLines, runCli } from './helpers/cli.js';
import { startFakeHub, type FakeHub, type FakeHubOptions, type FaultKind } from './helpers/fake-hub.js';

const hubs: FakeHub[] = [];
const clients: HubClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hubWith(opts: FakeHubOptions): Promise<FakeHub> {
  const hub = await startFakeHub(opts);
  hubs.push(hub);
  return hub;
}

function clientFor(hub: FakeHub, maxRetries: number): HubClient {
  const client = new HubClient({ endpoint: hub.url, token: null, timeoutMs: 10_000, maxRetries, concurrency: 2, userAgent: 'test', backoffBaseMs: 1, backoffCapMs: 2 });
  clients.push(client);
  return client;
}

const corpus: RawDataset[] = 'ABCDEF'.split('').map((c, i) => ({ id: `org/${c}`, downloads: 600 - i * 100, description: 'd'.repeat(400) }));

/** The failure every listing request meets, in turn (`faults[i]` for request i + 1). */
function failing(faults: FaultKind[]): Record<number, FaultKind> {
  return Object.fromEntries(faults.map((f, i) => [i + 1, f]));
}

async function drain(gen: AsyncIterable<ListEvent>): Promise<ListEvent[]> {
  const events: ListEvent[] = [];
  for await (const ev of gen) events.push(ev);
  return events;
}

describe('one retry budget per listing page', () => {
  it('a page whose body breaks off, between 503s, gives up after --max-retries retries in total', async () => {
    const hub = await hubWith({ datasets: corpus, faults: { atRequests: failing(['503', 'truncate', '503', 'truncate', '503', 'truncate', '503', 'truncate', '503', 'truncate']) } });
    const client = clientFor(hub, 3);
    const err = await drain(listDatasets(client, { start: '/api/datasets?sort=downloads&limit=100' })).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BodyError);
    expect((err as BodyError).code).toBe('ETL_BAD_BODY');
    expect((err as BodyError).message).toContain('(after 4 attempts)');
    // 3 retries: 503, body broke off, 503 — then the fourth answer's body broke off too
    expect(client.requests).toBe(4);
    expect(client.retries.total).toBe(3);
  });

  it('body re-reads use up the budget that a later 503 would need', async () => {
    const hub = await hubWith({ datasets: corpus, faults: { atRequests: failing(['truncate', 'truncate', '503', '503', '503']) } });
    const client = clientFor(hub, 2);
    const err = await drain(listDatasets(client, { start: '/api/datasets?sort=downloads&limit=100' })).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect(client.requests).toBe(3);
  });

  it('a page read again within the budget is listed whole', async () => {
    const hub = await hubWith({ datasets: corpus, faults: { atRequests: failing(['truncate', '503', 'truncate']) } });
    const client = clientFor(hub, 3);
    const events = await drain(listDatasets(client, { start: '/api/datasets?sort=downloads&limit=100' }));
    const ids = new Set(events.flatMap((e) => (e.kind === 'item' ? [e.item.id] : [])));
    expect([...ids].sort()).toEqual(corpus.map((d) => d.id));
    expect(client.requests).toBe(4);
  });
});

describe('the page asked ahead is held as bytes and parsed at its turn', () => {
  it('an item of that page that does not parse makes the page be read again, and the listing ends whole', async () => {
    // page 2 answers first with an element the byte scanner accepts (balanced) but JSON.parse refuses
    let page2 = 0;
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const next = `<http://127.0.0.1:${(server.address() as AddressInfo).port}/api/datasets?limit=2&cursor=2>; rel="next"`;
      if (url.searchParams.get('cursor') === '2') {
        page2 += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(page2 === 1 ? '[{"id":"o/c"},{"id":}]' : '[{"id":"o/c"},{"id":"o/d"}]');
      } else {
        res.writeHead(200, { 'content-type': 'application/json', link: next });
        res.end('[{"id":"o/a"},{"id":"o/b"}]');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const client = new HubClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: null, timeoutMs: 10_000, maxRetries: 2, concurrency: 2, userAgent: 'test', backoffBaseMs: 1, backoffCapMs: 2 });
    clients.push(client);
    const logged: string[] = [];
    const events = await drain(listDatasets(client, { start: '/api/datasets?limit=2', log: (m) => logged.push(m) }));
    const ids = events.flatMap((e) => (e.kind === 'item' ? [e.item.id] : []));
    expect(new Set(ids)).toEqual(new Set(['o/a', 'o/b', 'o/c', 'o/d']));
    expect(page2).toBe(2);
    expect(events.filter((e) => e.kind === 'page').map((e) => (e as { next: string | null }).next === null)).toEqual([false, true]);
    expect(logged.some((m) => m.includes('not valid JSON'))).toBe(true);
  });
});

describe('the page asked ahead holds no request slot', () => {
  // more datasets than the detail stage holds at once (1,024): once it is full, the listing is read
  // no further until details end, and a page asked ahead must not be holding the only slot then
  // (before, the run stalled there: with nothing left to wait on, it even exited 0 with no output)
  it('collect --all --file-sizes --concurrency 1 ends on a listing of several pages', async () => {
    const hub = await hubWith({ synthetic: 1200, maxPageSize: 100 });
    const r = await runCli(['collect', '--all', '--file-sizes', '--concurrency', '1', '--ndjson', '--endpoint', hub.url], { timeoutMs: 45_000 });
    expect(r.signal, 'the run hung and was killed').toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(1200);
    expect(hub.counters.list).toBe(12);
    expect(hub.counters.detail + hub.counters.tree).toBeGreaterThanOrEqual(1200);
  }, 60_000);
});
