/**
 * `sync` through the real CLI against a fake Hub whose corpus moves between syncs: the catalog
 * equals what the fake serves, events and downloads history are right, removed datasets come back
 * as restored, and file sizes are fetched only for what changed.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRecord } from '../src/record/build.js';
import type { DatasetRecord } from '../src/types.js';
import { count, query } from './helpers/catalog-db.js';
import { runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { MovingCorpus } from './helpers/moving-corpus.js';

let hub: FakeHub;
let dir: string;
let db: string;

beforeEach(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: 10 });
  dir = tempDir('hfds-sync-');
  db = join(dir, 'hub.duckdb');
});
afterEach(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = (...extra: string[]) => runCli(['sync', '--db', db, '--endpoint', hub.url, ...extra]);

function withoutTime(r: DatasetRecord): Omit<DatasetRecord, 'collected_at'> {
  const { collected_at: _, ...rest } = r;
  return rest;
}

/** The catalog's present datasets equal what the fake lists now, field for field. */
async function expectCatalogMatches(corpus: MovingCorpus): Promise<void> {
  const rows = await query<Record<string, any>>(db, `SELECT *, record::VARCHAR AS json FROM datasets WHERE removed_at IS NULL ORDER BY id`);
  expect(rows.map((r) => r.id)).toEqual(corpus.ids().sort());
  for (const row of rows) {
    const expected = buildRecord(corpus.items.get(row.id)!, { endpoint: hub.url, collectedAt: '' });
    const stored = JSON.parse(row.json) as DatasetRecord;
    expect(withoutTime(stored)).toEqual(withoutTime(expected));
    expect(row.sha).toBe(expected.sha);
    expect(row.author).toBe(expected.author);
    expect(Number(row.downloads)).toBe(expected.statistics.downloads);
    expect(Number(row.likes)).toBe(expected.statistics.likes);
    expect(row.license).toEqual(expected.info.license);
    expect(row.languages).toEqual(expected.info.languages);
    expect(row.task_categories).toEqual(expected.info.task_categories);
    expect((row.created_at as Date).toISOString()).toBe(expected.statistics.created_at);
    expect((row.last_modified as Date).toISOString()).toBe(expected.statistics.last_modified);
    expect(row.total_size_bytes === null ? null : Number(row.total_size_bytes)).toBe(expected.statistics.total_size_bytes);
    expect(row.num_rows).toBeNull();
    expect(row.gated).toBe(String(expected.additional.gated));
  }
  const files = await query<{ id: string; path: string }>(db, 'SELECT id, path FROM files ORDER BY id, path');
  const want = corpus.ids().flatMap((id) => buildRecord(corpus.items.get(id)!, { endpoint: hub.url, collectedAt: '' }).files.map((f) => ({ id, path: f.path })));
  want.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  expect(files).toEqual(want);
}

async function eventCounts(syncId: number): Promise<Record<string, number>> {
  const rows = await query<{ kind: string; n: bigint }>(db, `SELECT kind, count(*) AS n FROM events WHERE sync_id = ${syncId} GROUP BY kind`);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

describe('sync against a moving Hub', () => {
  it('adds, updates, removes and restores; the catalog equals what the Hub serves; history once per sync', async () => {
    const corpus = new MovingCorpus(35);
    corpus.serve(hub);
    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/sync 1 complete: 4 pages, 35 datasets, 35 added, 0 updated, 0 restored, 0 removed, 4 requests/);
    await expectCatalogMatches(corpus);
    expect(await eventCounts(1)).toEqual({ added: 35 });
    expect(await count(db, 'SELECT count(*) FROM downloads_history WHERE sync_id = 1')).toBe(35);

    // the Hub moves: 3 new datasets, 2 commits, 2 removals, downloads drift
    const added = corpus.add(3);
    const ids = corpus.ids();
    corpus.commit(ids[5]!);
    corpus.commit(ids[6]!);
    const gone = [corpus.remove(ids[10]!), corpus.remove(ids[11]!)];
    corpus.drift();
    corpus.serve(hub);
    const second = await sync();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/sync 2 complete: 4 pages, 36 datasets, 3 added, 2 updated, 0 restored, 2 removed/);
    await expectCatalogMatches(corpus);
    expect(await eventCounts(2)).toEqual({ added: 3, updated: 2, removed: 2 });
    const newIds = await query<{ id: string }>(db, `SELECT id FROM events WHERE sync_id = 2 AND kind = 'added' ORDER BY id`);
    expect(newIds.map((r) => r.id)).toEqual([...added].sort());
    const removed = await query<{ id: string; removed_at: Date | null }>(db, 'SELECT id, removed_at FROM datasets WHERE removed_at IS NOT NULL ORDER BY id');
    expect(removed.map((r) => r.id)).toEqual(gone.map((g) => String(g.id)).sort());
    expect(await count(db, `SELECT count(*) FROM files WHERE id IN ('${gone[0]!.id}', '${gone[1]!.id}')`)).toBe(0);
    expect(await count(db, 'SELECT count(*) FROM datasets')).toBe(38); // rows are never deleted
    // history: every listed dataset once, with the drifted numbers
    const hist = await query<{ id: string; downloads: bigint }>(db, 'SELECT id, downloads FROM downloads_history WHERE sync_id = 2');
    expect(hist.length).toBe(36);
    for (const h of hist) expect(Number(h.downloads)).toBe(corpus.items.get(h.id)!.downloads);
    const syncs = await query<Record<string, any>>(db, 'SELECT * FROM syncs ORDER BY sync_id');
    expect(syncs.map((s) => [s.sync_id, s.complete, Number(s.added), Number(s.updated), Number(s.removed), Number(s.unchanged), Number(s.requests)]))
      .toEqual([[1, true, 35, 0, 0, 0, 4], [2, true, 3, 2, 2, 31, 4]]);

    // one comes back
    corpus.restore(gone[0]!);
    corpus.serve(hub);
    const third = await sync();
    expect(third.code, third.stderr).toBe(0);
    expect(await eventCounts(3)).toEqual({ restored: 1 });
    await expectCatalogMatches(corpus);
    const back = await query<Record<string, any>>(db, `SELECT removed_at, first_seen_at, last_seen_at FROM datasets WHERE id = '${gone[0]!.id}'`);
    expect(back[0]!.removed_at).toBeNull();
    expect((back[0]!.first_seen_at as Date).getTime()).toBeLessThan((back[0]!.last_seen_at as Date).getTime());
  });

  it('--file-sizes fetches details only for datasets added, updated or restored (or whose fetch failed)', async () => {
    const corpus = new MovingCorpus(25);
    const broken = corpus.ids()[3]!;
    corpus.items.get(broken)!.__fake = { detailStatus: 500 };
    corpus.serve(hub);
    const first = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--file-sizes', '--max-retries', '0']);
    expect(first.code, first.stderr).toBe(0);
    expect(hub.counters.detail).toBe(25);
    const sized = await count(db, 'SELECT count(*) FROM files WHERE size IS NOT NULL');
    expect(sized).toBeGreaterThan(0);
    expect(await count(db, `SELECT count(*) FROM files WHERE size IS NULL AND id <> '${broken}'`)).toBe(0);

    const added = corpus.add(2);
    const changed = corpus.ids()[0]!;
    corpus.commit(changed);
    corpus.drift();
    delete corpus.items.get(broken)!.__fake; // the failed one answers now
    corpus.serve(hub);
    hub.resetCounters();
    const second = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--file-sizes']);
    expect(second.code, second.stderr).toBe(0);
    const details = hub.requests.filter((r) => /^\/api\/datasets\/[^?]+\?blobs=true/.test(r.url)).map((r) => decodeURIComponent(r.url.slice('/api/datasets/'.length).split('?')[0]!));
    expect(details.sort()).toEqual([...added, changed, broken].sort());
    // every present dataset has its sizes, the carried ones included, and total_size_bytes is their sum
    expect(await count(db, 'SELECT count(*) FROM files WHERE size IS NULL')).toBe(0);
    const sums = await query<{ id: string; t: bigint; s: bigint }>(db, 'SELECT d.id, d.total_size_bytes AS t, sum(f.size) AS s FROM datasets d JOIN files f USING (id) GROUP BY d.id, d.total_size_bytes');
    expect(sums.length).toBe(27);
    for (const r of sums) expect(r.t).toBe(r.s);
    const extra = await query<{ size: bigint | null }>(db, `SELECT size FROM files WHERE id = '${changed}' AND path LIKE 'data/extra-%'`);
    expect(extra.length).toBe(1);
    expect(extra[0]!.size).not.toBeNull();

    // a sync without --file-sizes keeps the stored sizes of unchanged datasets
    corpus.drift();
    corpus.serve(hub);
    hub.resetCounters();
    const third = await sync();
    expect(third.code, third.stderr).toBe(0);
    expect(hub.counters.detail).toBe(0);
    expect(await count(db, 'SELECT count(*) FROM files WHERE size IS NULL')).toBe(0);
  });
});
