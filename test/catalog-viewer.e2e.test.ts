/**
 * `sync --viewer-stats` through the real CLI, against a fake Hub whose corpus moves and a fake
 * dataset viewer on its own port: the catalog's `num_rows` and `estimated_num_rows` are the viewer's,
 * and a later sync asks the viewer only about datasets added, updated or restored, or whose last
 * answer was not ready, failed or listed pending subsets; every other dataset keeps its stored block.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetRecord, ViewerAvailable } from '../src/types.js';
import { query } from './helpers/catalog-db.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { fakeSizeAnswer, startFakeViewer, type FakeViewer } from './helpers/fake-viewer.js';
import { loadFixtureCorpus } from './helpers/corpus.js';
import { MovingCorpus } from './helpers/moving-corpus.js';

let hub: FakeHub;
let viewer: FakeViewer;
let dir: string;
let db: string;

beforeEach(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: 10 });
  viewer = await startFakeViewer();
  dir = tempDir('hfds-sync-viewer-');
  db = join(dir, 'hub.duckdb');
});
afterEach(async () => {
  await hub.close();
  await viewer.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = () => runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url, '--viewer-stats', '--max-retries', '0', '--token', 'hf_sync_secret']);
const sizeOf = (answer: Record<string, unknown>): number => (answer as { size: { dataset: { num_rows: number } } }).size.dataset.num_rows;
const asked = (): string[] => viewer.requests.map((r) => r.dataset!).sort();

describe('sync --viewer-stats', () => {
  it('stores the viewer block, num_rows and estimated_num_rows, then asks again only for what changed, was not ready, failed or pending', async () => {
    const corpus = new MovingCorpus(24);
    const ids = corpus.ids();
    const [notReady, failing, missing, pending, partial, nothing] = [ids[2]!, ids[3]!, ids[4]!, ids[5]!, ids[6]!, ids[8]!];
    viewer.setOptions({
      scenarios: {
        [notReady]: { kind: 'not-ready' }, [failing]: { kind: 'error500' }, [missing]: { kind: 'not-found' },
        [pending]: { kind: 'pending' }, [partial]: { kind: 'partial' }, [nothing]: { kind: 'nothing-sized', list: 'pending' },
      },
    });
    corpus.serve(hub);

    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(asked()).toEqual([...ids].sort());
    // the token went to the viewer's origin too
    expect(viewer.requests.every((r) => r.authorization === 'Bearer hf_sync_secret')).toBe(true);
    const rows = await query<{ id: string; num_rows: bigint | null; estimated_num_rows: bigint | null; json: string }>(db, 'SELECT id, num_rows, estimated_num_rows, record::VARCHAR AS json FROM datasets ORDER BY id');
    expect(rows.length).toBe(24);
    for (const row of rows) {
      const rec = JSON.parse(row.json) as DatasetRecord;
      if (row.id === notReady) expect(rec.viewer).toEqual({ available: false, reason: 'ResponseNotReady' });
      else if (row.id === missing) expect(rec.viewer).toEqual({ available: false, reason: 'ResponseNotFound' });
      else if (row.id === failing) {
        expect(rec.viewer).toEqual({ available: false, reason: 'HTTP 500' });
        expect(rec.errors.map((e) => e.stage)).toEqual(['viewer']);
      } else if (row.id === pending) {
        expect(rec.viewer).toMatchObject({ available: true, pending: ['extra'], num_rows: sizeOf(fakeSizeAnswer(row.id, { unsized: 'pending' })) });
      } else if (row.id === nothing) {
        expect(rec.viewer).toMatchObject({ available: true, pending: ['default', 'extra'], num_rows: null });
      } else if (row.id === partial) {
        expect(rec.viewer).toMatchObject({ available: true, partial: true, num_rows: sizeOf(fakeSizeAnswer(row.id, { partial: true })) });
      } else {
        const want = sizeOf(fakeSizeAnswer(row.id));
        expect(rec.viewer).toMatchObject({ available: true, num_rows: want });
        expect(Number(row.num_rows)).toBe(want);
      }
      if (rec.viewer?.available !== true) expect(row.num_rows).toBeNull();
      else expect(row.num_rows === null ? null : Number(row.num_rows)).toBe(rec.viewer.num_rows);
      // the catalog's column is the block's estimate: set for the partial answer only
      expect(row.estimated_num_rows === null ? null : Number(row.estimated_num_rows)).toBe(rec.viewer?.available ? rec.viewer.estimated_num_rows : null);
      if (row.id === partial) expect(Number(row.estimated_num_rows)).toBeGreaterThan(Number(row.num_rows));
    }
    const syncs = await query<{ requests: bigint }>(db, 'SELECT requests FROM syncs WHERE sync_id = 1');
    expect(Number(syncs[0]!.requests)).toBe(3 + 24); // 3 listing pages + one /size a dataset

    // a sync without --viewer-stats asks nothing and keeps every stored block, final or not
    viewer.resetCounters();
    const plain = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(viewer.requests.length).toBe(0);
    const unasked = await query<{ id: string; json: string }>(db, 'SELECT id, record::VARCHAR AS json FROM datasets ORDER BY id');
    expect(unasked.map((r) => (JSON.parse(r.json) as DatasetRecord).viewer)).toEqual(rows.map((r) => (JSON.parse(r.json) as DatasetRecord).viewer));

    // the Hub moves; the viewer now answers everything
    viewer.setOptions({ scenarios: {} });
    viewer.resetCounters();
    const added = corpus.add(2);
    corpus.commit(ids[7]!);
    corpus.drift();
    corpus.serve(hub);
    const second = await sync();
    expect(second.code, second.stderr).toBe(0);
    // added, updated, not ready, failed and pending are asked again; ResponseNotFound is the viewer's word for this sha
    expect(asked()).toEqual([...added, ids[7]!, notReady, failing, pending, nothing].sort());
    const after = await query<{ id: string; num_rows: bigint | null; json: string }>(db, 'SELECT id, num_rows, record::VARCHAR AS json FROM datasets ORDER BY id');
    for (const row of after) {
      const rec = JSON.parse(row.json) as DatasetRecord;
      if (row.id === missing) expect(rec.viewer).toEqual({ available: false, reason: 'ResponseNotFound' });
      else expect(rec.viewer?.available, row.id).toBe(true);
      expect(rec.errors).toEqual([]);
    }

    // every answer final now: the next sync asks nothing
    viewer.resetCounters();
    expect((await sync()).code).toBe(0);
    expect(viewer.requests.length).toBe(0);

    // a sync without --viewer-stats asks nothing and keeps every stored block
    viewer.resetCounters();
    const third = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url]);
    expect(third.code, third.stderr).toBe(0);
    expect(viewer.requests.length).toBe(0);
    const kept = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM datasets WHERE num_rows IS NOT NULL');
    expect(Number(kept[0]!.n)).toBe(25);
  });
});

describe('README viewer query', () => {
  it('the largest datasets by rows with a permissive license, on a catalog synced with --viewer-stats', async () => {
    await hub.close();
    hub = await startFakeHub({ maxPageSize: 20 }); // the fixture corpus: real licenses
    // every third dataset converted only in part (its estimate is the figure), one with nothing sized
    const fixtureIds = loadFixtureCorpus().map((d) => String(d.id));
    viewer.setOptions({
      scenarios: Object.fromEntries(fixtureIds.map((id, i) => [id, i === 1 ? { kind: 'nothing-sized' } as const : i % 3 === 0 ? { kind: 'partial' } as const : { kind: 'ok' } as const])),
    });
    const r = await sync();
    expect(r.code, r.stderr).toBe(0);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('### Viewer statistics');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const sql = /```sql\n([\s\S]*?)```/.exec(section)![1]!;
    const got = await query<{ id: string; rows: bigint; license: string[] }>(db, sql);
    const permissive = /list_has_any\(license, \[([^\]]*)\]\)/.exec(sql)![1]!.split(',').map((x) => x.trim().replace(/'/g, ''));
    // the same answer computed from the stored records
    const all = await query<{ json: string }>(db, 'SELECT record::VARCHAR AS json FROM datasets WHERE removed_at IS NULL');
    const want = all
      .map((row) => JSON.parse(row.json) as DatasetRecord)
      .filter((rec) => rec.viewer?.available === true && rec.info.license.some((l) => permissive.includes(l)))
      .map((rec) => ({ id: rec.id, viewer: rec.viewer as ViewerAvailable }))
      .filter((x) => (x.viewer.estimated_num_rows ?? x.viewer.num_rows) !== null)
      .map((x) => ({ id: x.id, rows: (x.viewer.estimated_num_rows ?? x.viewer.num_rows)!, partial: x.viewer.partial }))
      .sort((a, b) => b.rows - a.rows || (a.id < b.id ? -1 : 1))
      .slice(0, 20);
    expect(want.length).toBeGreaterThan(2);
    expect(want.some((w) => w.partial)).toBe(true); // the estimate decides some places
    expect(got.map((g) => [g.id, Number(g.rows)])).toEqual(want.map((w) => [w.id, w.rows]));
    for (const g of got) expect(g.license.some((l) => permissive.includes(l))).toBe(true);
  });
});
