/**
 * `serve`, `query` and `report` as a user runs them (the real CLI): serve's first line, port 0,
 * exit 0 on SIGTERM / SIGINT, exit 1 for a missing file or one that is not a catalog; serve keeps
 * answering while a sync writes the catalog and shows the finished sync's data without a restart;
 * a sync is not refused because a reader was copying the catalog; `query` is read-only and cut off
 * from files and the network, works during a sync, and answers the README's queries as DuckDB does.
 */
import { type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from './helpers/catalog-db.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { MovingCorpus } from './helpers/moving-corpus.js';
import { get, getJson, startServe } from './helpers/serve.js';

let hub: FakeHub;
let dir: string;
let db: string;
let snapshots: string;
const corpus = new MovingCorpus(60);

const env = (): Record<string, string> => ({ HF_DATASETS_SNAPSHOT_DIR: snapshots });
const sync = (opts: { onSpawn?: (c: ChildProcess) => void } = {}) => runCli(['sync', '--db', db, '--endpoint', hub.url], { ...opts, timeoutMs: 120_000 });
const q = (sql: string, ...extra: string[]) => runCli(['query', '--db', db, ...extra, sql], { env: env() });

beforeAll(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: 10 });
  dir = tempDir('hfds-serve-cli-');
  snapshots = tempDir('hfds-snaps-');
  db = join(dir, 'hub.duckdb');
  corpus.serve(hub);
  const r = await sync();
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await hub?.close();
});

describe('serve: lifecycle', () => {
  it('prints "listening http://127.0.0.1:PORT/" first, answers, and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const s = await startServe(db, { env: env() });
      expect(Number(new URL(s.url).port)).toBeGreaterThan(0);
      expect((await getJson(s.url, '/api/datasets')).total).toBe(60);
      expect(await s.stop(signal)).toBe(0);
      expect(s.stderr()).not.toMatch(/\n\s+at /);
    }
  });

  it('a missing file or one that is not a catalog: exit 1, one line, nothing listening', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(500));
    for (const file of [join(dir, 'missing.duckdb'), text]) {
      const r = await runCli(['serve', '--db', file, '--port', '0'], { env: env(), timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(file);
    }
    expect(readFileSync(text, 'utf8')).toBe('not a database\n'.repeat(500));
    const bad = await runCli(['serve', '--db', db, '--port', 'x'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be a whole number/);
  });
});

describe('serve and sync on the same file', () => {
  it('serve answers from its snapshot while a sync writes, and shows the finished sync without a restart', async () => {
    const s = await startServe(db, { env: { ...env(), HF_DATASETS_REFRESH_MS: '200' } });
    try {
      const before = await getJson(s.url, '/api/datasets?per_page=500');
      expect(before.total).toBe(60);
      const added = corpus.add(7);
      corpus.serve(hub);
      hub.setOptions({ latencyMs: 150 }); // the sync holds the file for a while
      let child: ChildProcess | null = null;
      const running = sync({ onSpawn: (c) => (child = c) });
      // while it runs: serve keeps answering from what it read before, and so does query
      let answeredDuring = 0;
      while ((child as ChildProcess | null)?.exitCode === null && hub.counters.list < 7) {
        const a = await get(s.url, '/api/datasets?per_page=500');
        expect(a.status).toBe(200);
        expect(JSON.parse(a.body).total).toBe(60);
        answeredDuring++;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(answeredDuring).toBeGreaterThan(0);
      const during = await q('SELECT count(*) AS n FROM datasets');
      expect(during.code, during.stderr).toBe(0);
      expect(during.stdout).toBe('n\n60\n');
      const done = await running;
      expect(done.code, done.stderr).toBe(0);
      hub.setOptions({ latencyMs: 0 });
      // the finished sync shows up by itself (the refresh interval is 200 ms here)
      let total = 60;
      for (let i = 0; i < 300 && total !== 67; i++) {
        await new Promise((r) => setTimeout(r, 100));
        total = (await getJson(s.url, '/api/datasets?per_page=1')).total;
      }
      expect(total).toBe(67);
      const ids = (await getJson(s.url, '/api/changes?kind=added&per_page=7')).events.map((e: { id: string }) => e.id);
      expect(ids.sort()).toEqual([...added].sort());
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 120_000);

  it('a sync waits out a reader that holds the catalog for a moment (a snapshot copy) instead of failing', async () => {
    corpus.drift();
    corpus.serve(hub);
    const reader = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
    let released = false;
    const release = setTimeout(() => {
      reader.closeSync();
      released = true;
    }, 1000);
    try {
      const r = await sync();
      expect(released).toBe(true);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      clearTimeout(release);
      if (!released) reader.closeSync();
    }
  }, 60_000);
});

describe('before the first snapshot', () => {
  it('while a writer holds a catalog never read before: serve answers 503 with one line, query exits 1; then serve reads it', async () => {
    const fresh = join(tempDir('hfds-serve-fresh-'), 'hub.duckdb');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(db, fresh);
    const writer = await DuckDBInstance.create(fresh); // holds the file as a sync would
    let held = true;
    try {
      const s = await startServe(fresh, { env: { HF_DATASETS_REFRESH_MS: '200' } });
      try {
        const a = await get(s.url, '/api/datasets');
        expect(a.status).toBe(503);
        expect(JSON.parse(a.body).error).toMatch(/in use by .*no earlier snapshot/);
        expect((await get(s.url, '/')).status).toBe(503);
        const r = await runCli(['query', '--db', fresh, 'SELECT 1'], { env: { HF_DATASETS_SNAPSHOT_DIR: tempDir('hfds-snaps-') } });
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        writer.closeSync();
        held = false;
        let status = 503;
        for (let i = 0; i < 300 && status !== 200; i++) {
          await new Promise((res) => setTimeout(res, 100));
          status = (await get(s.url, '/api/datasets')).status;
        }
        expect(status).toBe(200);
      } finally {
        expect(await s.stop()).toBe(0);
      }
    } finally {
      if (held) writer.closeSync();
    }
  }, 60_000);
});

describe('query', () => {
  it('answers as DuckDB does, in csv (not a terminal), ndjson, json and table', async () => {
    const sql = 'SELECT id, downloads, license FROM datasets ORDER BY id LIMIT 3';
    const rows = await query<{ id: string; downloads: bigint; license: string[] }>(db, sql);
    const csv = await q(sql);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe(['id,downloads,license', ...rows.map((r) => `${r.id},${r.downloads},${r.license.join(';')}`)].join('\n') + '\n');
    const nd = await q(sql, '--format', 'ndjson');
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(rows.map((r) => ({ id: r.id, downloads: Number(r.downloads), license: r.license })));
    const js = await q(sql, '--format', 'json');
    expect(JSON.parse(js.stdout)).toEqual(rows.map((r) => ({ id: r.id, downloads: Number(r.downloads), license: r.license })));
    const table = await q(sql, '--format', 'table');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+│\s+downloads │ license$/);
    expect(lines).toHaveLength(2 + 3 + 1);
    expect(lines.at(-1)).toBe('(3 rows)');
  });

  it.each([
    ['DELETE FROM datasets', /read-only/],
    ["CREATE TABLE x AS SELECT 1", /read-only/],
    ["SELECT * FROM read_csv('/etc/passwd')", /disabled by configuration/],
    ["COPY (SELECT 1) TO 'out.csv'", /disabled by configuration/],
    ["ATTACH 'other.duckdb'", /disabled by configuration/],
    ['SET enable_external_access = true', /locked/],
    ['SELEC 1', /syntax error/],
    ['SELECT nope FROM datasets', /nope/],
  ])('%s → one line, exit 2, the catalog unchanged', async (sql, message) => {
    const before = await query(db, 'SELECT count(*) AS n FROM datasets');
    const r = await runCli(['query', '--db', db, sql], { env: env(), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(await query(db, 'SELECT count(*) AS n FROM datasets')).toEqual(before);
  });

  it("runs the README's SQL and answers exactly what DuckDB answers", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const sql of blocks) {
      const r = await q(sql, '--format', 'json');
      expect(r.code, `${sql}\n${r.stderr}`).toBe(0);
      const want = (await query(db, sql)).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
        [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v])));
      expect(JSON.parse(r.stdout), sql).toEqual(want);
    }
  });
});

describe('report', () => {
  it('writes one HTML file with the stats and the latest changes; a missing catalog is exit 1', async () => {
    const out = join(dir, 'report.html');
    const r = await runCli(['report', '--db', db, '--output', out], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    const last = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM events WHERE sync_id = (SELECT max(sync_id) FROM syncs)');
    expect(html).toContain(`data-total="${Number(last[0]!.n)}"`);
    const missing = await runCli(['report', '--db', join(dir, 'none.duckdb'), '--output', join(dir, 'x.html')], { env: env() });
    expect(missing.code).toBe(1);
    expect((await runCli(['report', '--db', db], { env: env() })).code).toBe(2);
  });
});
