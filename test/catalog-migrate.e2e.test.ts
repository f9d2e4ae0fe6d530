/**
 * A catalog written by the previous release (schema 1: no `estimated_num_rows`, viewer blocks
 * without the estimate, `pending` or `failed`) opened by this one: `export` reads it as is (the
 * column through a view, the file untouched), the first writer migrates it (the column filled
 * where a stored block has the estimate; old blocks that say partial or no rows are asked again
 * at the next `sync --viewer-stats`, the others kept).
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, openCatalog, schemaVersion } from '../src/catalog/schema.js';
import { viewerBlockFromSize } from '../src/record/viewer.js';
import type { DatasetRecord, ViewerAvailable } from '../src/types.js';
import { count, query } from './helpers/catalog-db.js';
import { runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { fakeSizeAnswer, startFakeViewer, type FakeSizeOptions, type FakeViewer, type ViewerScenario } from './helpers/fake-viewer.js';
import { MovingCorpus } from './helpers/moving-corpus.js';
import { getJson, startServe } from './helpers/serve.js';

let hub: FakeHub;
let viewer: FakeViewer;
let dir: string;

beforeEach(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: 10 });
  viewer = await startFakeViewer();
  dir = tempDir('hfds-migrate-');
});
afterEach(async () => {
  await hub.close();
  await viewer.close();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

/** The previous release's block for a /size answer: totals as given (zeros too), no estimate, no pending / failed. */
function previousBlock(answer: Row): Row {
  const size = answer.size as { dataset: Row; splits: Row[] };
  const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    available: true, partial: answer.partial, num_rows: n(size.dataset.num_rows), num_bytes_original_files: n(size.dataset.num_bytes_original_files),
    num_bytes_parquet_files: n(size.dataset.num_bytes_parquet_files), num_bytes_memory: n(size.dataset.num_bytes_memory),
    splits: size.splits.map((s) => ({ config: s.config, split: s.split, num_rows: n(s.num_rows), num_columns: n(s.num_columns), num_bytes_parquet_files: n(s.num_bytes_parquet_files), num_bytes_memory: n(s.num_bytes_memory) })),
  };
}

const sync = (db: string) => runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url, '--viewer-stats', '--max-retries', '0']);
const asked = (): string[] => viewer.requests.map((r) => r.dataset!).sort();

describe('a schema-1 catalog', () => {
  it('is read as is by export, migrated by the next writer, and its old partial or empty blocks asked again', async () => {
    const corpus = new MovingCorpus(6);
    const ids = corpus.ids();
    // what the viewer answered when the previous release synced: ids[5]'s stored block is already of the new shape
    const answers: Array<[ViewerScenario, FakeSizeOptions | null]> = [
      [{ kind: 'partial' }, { partial: true }],
      [{ kind: 'nothing-sized' }, { nothingSized: true }],
      [{ kind: 'ok' }, {}],
      [{ kind: 'not-found' }, null],
      [{ kind: 'ok' }, {}],
      [{ kind: 'partial' }, { partial: true }],
    ];
    viewer.setOptions({ scenarios: Object.fromEntries(ids.map((id, i) => [id, answers[i]![0]])) });
    corpus.serve(hub);

    // the rows a sync writes, put into a file made by schema 1's own statements, with the previous release's blocks
    const fresh = join(dir, 'fresh.duckdb');
    expect((await sync(fresh)).code).toBe(0);
    const old = join(dir, 'old.duckdb');
    const v1 = await openCatalog(old, { write: true, migrations: MIGRATIONS.slice(0, 1) });
    await v1.conn.run(`ATTACH '${fresh}' AS n (READ_ONLY)`);
    await v1.conn.run('INSERT INTO datasets SELECT * EXCLUDE (estimated_num_rows) FROM n.datasets');
    for (const t of ['files', 'syncs', 'events', 'downloads_history', 'fetch_state']) await v1.conn.run(`INSERT INTO ${t} SELECT * FROM n.${t}`);
    await v1.conn.run('DETACH n');
    for (const [i, id] of ids.entries()) {
      const opts = answers[i]![1];
      if (opts === null || i === 5) continue;
      const block = previousBlock(fakeSizeAnswer(id, opts));
      const record = JSON.parse(String((await v1.conn.runAndReadAll('SELECT record::VARCHAR FROM datasets WHERE id = $1', [id] as never)).getRowsJS()[0]![0]));
      // (the content hash was of the record with the new block: any other value stands for the old record's)
      await v1.conn.run("UPDATE datasets SET record = $1::JSON, num_rows = $2, content_hash = 'previous' WHERE id = $3", [JSON.stringify({ ...record, viewer: block }), block.num_rows, id] as never);
      await v1.conn.run(`UPDATE fetch_state SET value = $1::JSON WHERE id = $2 AND stage = 'viewer'`, [JSON.stringify(block), id] as never);
    }
    expect(await schemaVersion(v1.conn)).toBe(1);
    v1.close();
    expect(await count(old, "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'datasets' AND column_name = 'estimated_num_rows'")).toBe(0);
    const estimate = (id: string): number => (viewerBlockFromSize(fakeSizeAnswer(id, { partial: true })) as ViewerAvailable).estimated_num_rows!;

    // export reads the old file without writing it: the column is there, from the stored blocks
    const copy = join(dir, 'copy.duckdb');
    copyFileSync(old, copy);
    const bytes = readFileSync(copy);
    const csv = await runCli(['export', '--db', copy, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    const header = lines[0]!.split(',');
    expect(header.at(-1)).toBe('estimated_num_rows');
    const column = new Map(lines.slice(1).map((l) => [l.split(',')[0]!, l.split(',').at(-1)]));
    expect(ids.map((id) => column.get(id))).toEqual(['', '', '', '', '', String(estimate(ids[5]!))]);
    expect(readFileSync(copy).equals(bytes)).toBe(true);

    // serve reads it too (its snapshot is a copy, never migrated): the estimate from the stored record ranks sort=rows
    const served = await startServe(copy);
    try {
      const page = await getJson(served.url, '/api/datasets?sort=rows&per_page=500');
      const stored = await query<{ id: string; num_rows: bigint | null }>(copy, 'SELECT id, num_rows FROM datasets');
      const numRows = new Map(stored.map((r) => [r.id, r.num_rows === null ? null : Number(r.num_rows)]));
      // ids[0]'s old partial block has no estimate: its num_rows counts
      const rowsOf = (id: string): number | null => (id === ids[5] ? estimate(id) : numRows.get(id)!);
      const want = [...ids].sort((a, b) => (rowsOf(b) ?? -1) - (rowsOf(a) ?? -1) || (a < b ? -1 : 1));
      expect(page.datasets.map((d: { id: string }) => d.id)).toEqual(want);
      expect(page.datasets.map((d: { id: string; estimated_num_rows: number | null }) => [d.id, d.estimated_num_rows])).toEqual(want.map((id) => [id, id === ids[5] ? estimate(id) : null]));
      const least = (await getJson(served.url, `/api/datasets?min_rows=${estimate(ids[5]!)}&per_page=500`)).datasets.map((d: { id: string }) => d.id);
      expect(least).toContain(ids[5]);
    } finally {
      expect(await served.stop('SIGTERM')).toBe(0);
    }
    expect(readFileSync(copy).equals(bytes)).toBe(true);

    // the first writer migrates it in place
    const c = await openCatalog(old, { write: true });
    expect(await schemaVersion(c.conn)).toBe(SCHEMA_VERSION);
    const migrated = (await c.conn.runAndReadAll('SELECT d.id, d.num_rows, d.estimated_num_rows, f.ok FROM datasets d JOIN fetch_state f ON f.id = d.id AND f.stage = \'viewer\' ORDER BY d.id')).getRowObjectsJS();
    c.close();
    const byId = new Map(migrated.map((r) => [String(r.id), r]));
    expect(ids.map((id) => byId.get(id)!.estimated_num_rows)).toEqual([null, null, null, null, null, BigInt(estimate(ids[5]!))]);
    expect(byId.get(ids[1]!)!.num_rows).toBe(0n); // the previous release's zeros, until asked again
    // asked again: the old partial block (no estimate) and the old zeros (maybe nothing sized); kept: the rest
    expect(ids.map((id) => byId.get(id)!.ok)).toEqual([false, false, true, true, true, true]);

    viewer.resetCounters();
    const next = await sync(old);
    expect(next.code, next.stderr).toBe(0);
    expect(asked()).toEqual([ids[0]!, ids[1]!].sort());
    const after = await query<{ id: string; num_rows: bigint | null; estimated_num_rows: bigint | null; json: string }>(old, 'SELECT id, num_rows, estimated_num_rows, record::VARCHAR AS json FROM datasets');
    const now = new Map(after.map((r) => [r.id, r]));
    expect(now.get(ids[0]!)!.estimated_num_rows).toBe(BigInt(estimate(ids[0]!)));
    expect(now.get(ids[1]!)!.num_rows).toBeNull();
    expect((JSON.parse(now.get(ids[1]!)!.json) as DatasetRecord).viewer).toMatchObject({ available: true, num_rows: null, failed: ['default', 'extra'] });
    expect(now.get(ids[5]!)!.estimated_num_rows).toBe(BigInt(estimate(ids[5]!)));
    // a block kept from schema 1 reads back in this release's shape
    expect((JSON.parse(now.get(ids[2]!)!.json) as DatasetRecord).viewer).toMatchObject({ available: true, estimated_num_rows: null, pending: [], failed: [] });
  });
});
