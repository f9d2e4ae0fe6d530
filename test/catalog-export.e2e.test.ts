/**
 * `export` through the real CLI: Parquet read back with DuckDB equals the catalog, NDJSON holds
 * the records `collect --ndjson` writes for the same listing (the fixture and hostile corpora),
 * CSV joins lists with `;`, removed datasets only with --include-removed, `| head` stops quietly.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wellFormed } from '../src/catalog/storable.js';
import type { RawDataset } from '../src/types.js';
import { count, query } from './helpers/catalog-db.js';
import { BIN, cliEnv, ndjsonLines, ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { MovingCorpus } from './helpers/moving-corpus.js';

let hub: FakeHub;
let dir: string;
let db: string;

beforeEach(async () => {
  hub = await startFakeHub({ maxPageSize: 10 });
  dir = tempDir('hfds-export-');
  db = join(dir, 'hub.duckdb');
});
afterEach(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const FLAT = 'id, author, sha, downloads, likes, license, languages, task_categories, created_at, last_modified, total_size_bytes, num_rows, gated, first_seen_at, last_seen_at, removed_at, estimated_num_rows';

function byId<T extends { id: string; collected_at?: string }>(records: T[]): Map<string, Omit<T, 'collected_at'>> {
  return new Map(records.map(({ collected_at: _, ...r }) => [r.id, r]));
}

describe('export', () => {
  for (const corpus of ['datasets.json', 'hostile.json']) {
    it(`ndjson holds the records collect --ndjson writes for the same listing (${corpus})`, async () => {
      if (corpus === 'hostile.json') hub.setOptions({ datasets: JSON.parse(readFileSync(join(ROOT, 'fixtures', corpus), 'utf8')) as RawDataset[] });
      const s = await runCli(['sync', '--db', db, '--endpoint', hub.url]);
      expect(s.code, s.stderr).toBe(0);
      const collected = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url]);
      expect(collected.code, collected.stderr).toBe(0);
      const exported = await runCli(['export', '--db', db, '--format', 'ndjson']);
      expect(exported.code, exported.stderr).toBe(0);
      // the catalog stores UTF-8: a lone surrogate (hostile ids and texts) is stored as U+FFFD
      const want = byId(ndjsonLines(collected.stdout).map(wellFormed));
      const got = byId(ndjsonLines(exported.stdout));
      expect(got.size).toBe(want.size);
      for (const [id, record] of want) expect(got.get(id), id).toEqual(record);
      // --output writes the same lines to a file
      const file = join(dir, 'out.ndjson');
      expect((await runCli(['export', '--db', db, '--format', 'ndjson', '--output', file])).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(exported.stdout);
    });
  }

  it('parquet round trip, csv, and --include-removed', async () => {
    const corpus = new MovingCorpus(24);
    corpus.serve(hub);
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const gone = String(corpus.remove(corpus.ids()[2]!).id);
    corpus.serve(hub);
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);

    const pq = join(dir, 'hub.parquet');
    const r = await runCli(['export', '--db', db, '--format', 'parquet', '--output', pq]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const fromParquet = await query(db, `SELECT * FROM read_parquet('${pq}') ORDER BY id`);
    const fromTable = await query(db, `SELECT ${FLAT}, record::VARCHAR AS record FROM datasets WHERE removed_at IS NULL ORDER BY id`);
    expect(fromParquet.length).toBe(23);
    expect(fromParquet).toEqual(fromTable);
    const types = await query<{ column_name: string; column_type: string }>(db, `DESCRIBE SELECT * FROM read_parquet('${pq}')`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({ license: 'VARCHAR[]', created_at: 'TIMESTAMP WITH TIME ZONE', downloads: 'BIGINT', estimated_num_rows: 'BIGINT', record: 'VARCHAR' });
    const all = join(dir, 'all.parquet');
    expect((await runCli(['export', '--db', db, '--format', 'parquet', '--output', all, '--include-removed'])).code).toBe(0);
    expect(await count(db, `SELECT count(*) FROM read_parquet('${all}')`)).toBe(24);
    expect(await count(db, `SELECT count(*) FROM read_parquet('${all}') WHERE id = '${gone}' AND removed_at IS NOT NULL`)).toBe(1);

    const csv = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(FLAT.replace(/, /g, ','));
    expect(lines.length).toBe(24);
    const file = join(dir, 'hub.csv');
    expect((await runCli(['export', '--db', db, '--format', 'csv', '--output', file, '--include-removed'])).code).toBe(0);
    const parsed = await query<Record<string, string | null>>(db, `SELECT * FROM read_csv('${file}', all_varchar = true, header = true) ORDER BY id`);
    const table = await query<Record<string, any>>(db, `SELECT * FROM datasets ORDER BY id`);
    expect(parsed.length).toBe(24);
    parsed.forEach((row, k) => {
      const t = table[k]!;
      expect(row.id).toBe(t.id);
      expect(row.license).toBe((t.license as string[]).join(';') || null);
      expect(row.languages).toBe((t.languages as string[]).join(';') || null);
      expect(row.created_at).toBe((t.created_at as Date).toISOString());
      expect(row.downloads).toBe(String(t.downloads));
      expect(row.removed_at === null).toBe(t.removed_at === null);
    });
  });

  it('usage: --format is required, parquet needs --output; export | head stops quietly', async () => {
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const noFormat = await runCli(['export', '--db', db]);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toMatch(/--format/);
    const bogus = await runCli(['export', '--db', db, '--format', 'xml']);
    expect(bogus.code).toBe(2);
    const pq = await runCli(['export', '--db', db, '--format', 'parquet']);
    expect(pq.code).toBe(2);
    expect(pq.stderr).toMatch(/needs --output/);
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" export --db "${db}" --format ndjson | head -n 1; exit "\${PIPESTATUS[0]}"`], { env: cliEnv(), encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(ndjsonLines(piped.stdout)).toHaveLength(1);
    expect(piped.stderr).not.toMatch(/EPIPE|Error/);
  });
});
