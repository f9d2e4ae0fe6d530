/**
 * The catalog browser at scale: a catalog of N synthetic datasets (a real `sync` against the bench's
 * fake Hub; then `num_rows` filled in for two thirds of them, as `--viewer-stats` would, one in twenty
 * of those partial with an estimate, so the rows ranges and sort have data), then:
 *   - the snapshot: how long the catalog's lock is held for the copy and how long building the browse
 *     table takes (takeSnapshot in this process, fresh cache each time, 3 runs);
 *   - `serve` in its own process: p50/p95 of each page kind and each API query shape (REPS requests
 *     each after one warm-up, one at a time over keep-alive-free HTTP), its peak RSS (VmHWM);
 *   - next to each API shape, the bare DuckDB work: the same read.ts queries run in this process on a
 *     connection to the same snapshot (no HTTP, no JSON, no HTML), and for the search shapes a single
 *     hand-written query over the catalog's own `datasets` table (no browse table: JSON extracted per row).
 * Usage: `node dist/bench/bench-serve.js [N]` (default 200000), or `npm run bench -- serve`.
 * HF_BENCH_SERVE_DB=FILE: measure that catalog instead of syncing a new one (its num_rows are filled in as above).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogStats, datasetDetail, listChanges, searchDatasets } from '../src/catalog/read.js';
import { openCatalog } from '../src/catalog/schema.js';
import { openSnapshot, takeSnapshot } from '../src/catalog/snapshot.js';
import { parseChangesQuery, parseDatasetQuery } from '../src/web/params.js';
import { runCli } from './cli-run.js';
import { startFakeProcess } from './fake-process.js';
import { assertOk } from './measure.js';
import type { Row } from './report.js';
import { BIN, cliEnv, OUT_DIR, removeDir, tempDir } from './util.js';

const REPS = 15;

interface Shape {
  name: string;
  path: string;
  /** the same work without HTTP: read.ts on a connection to the snapshot */
  direct?: (conn: DuckDBConnection) => Promise<unknown>;
  /** a hand-written query over the catalog's `datasets` table doing the search (count + page) */
  bare?: string;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function httpGet(base: string, path: string): Promise<{ status: number; bytes: number }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function timed(fn: () => Promise<unknown>, reps = REPS): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const dq = (qs: string) => parseDatasetQuery(new URLSearchParams(qs));

function shapes(sampleId: string): Shape[] {
  const api = (name: string, qs: string, bareWhere: string | null, bareOrder = 'downloads'): Shape => ({
    name,
    path: `/api/datasets?${qs}`,
    direct: (c) => searchDatasets(c, dq(qs)),
    bare: bareWhere === null ? undefined
      : `SELECT (SELECT count(*) FROM datasets WHERE ${bareWhere}) AS n, list(id) FROM (SELECT id FROM datasets WHERE ${bareWhere} ORDER BY ${bareOrder} DESC NULLS LAST, id LIMIT 50 ${qs.includes('page=') ? 'OFFSET 99950' : ''})`,
  });
  const present = 'removed_at IS NULL';
  return [
    { name: 'page /', path: '/' },
    api('api plain', '', present),
    api('api q (common word)', 'q=crowd', `${present} AND contains(lower(record::VARCHAR), 'crowd')`),
    api('api q (rare)', 'q=dataset-12345', `${present} AND contains(lower(record::VARCHAR), 'dataset-12345')`),
    api('api 4 facets', 'license=mit&license=apache-2.0&task=translation&language=en&modality=text', `${present} AND list_has_any(license, ['mit','apache-2.0']) AND list_contains(task_categories, 'translation') AND list_contains(languages, 'en') AND list_contains(CAST(json_extract(record, '$.info.modalities') AS VARCHAR[]), 'text')`),
    api('api ranges', 'min_rows=1000&max_rows=100000&min_bytes=1000000', `${present} AND coalesce(estimated_num_rows, num_rows) BETWEEN 1000 AND 100000 AND total_size_bytes >= 1000000`),
    ...(['likes', 'trending', 'rows', 'bytes', 'created', 'modified'] as const).map((s) => {
      const col = { likes: 'likes', trending: 'TRY_CAST(json_extract(record, \'$.statistics.trending_score\') AS DOUBLE)', rows: 'coalesce(estimated_num_rows, num_rows)', bytes: 'total_size_bytes', created: 'created_at', modified: 'last_modified' }[s];
      return api(`api sort=${s}`, `sort=${s}`, present, col);
    }),
    api('api deep page (2000 × 50)', 'page=2000', present),
    { name: 'page /?q&facets', path: '/?q=crowd&license=mit&task=translation' },
    { name: 'page /datasets/<id>', path: `/datasets/${encodeURIComponent(sampleId)}` },
    { name: 'api /datasets/<id>', path: `/api/datasets/${encodeURIComponent(sampleId)}`, direct: (c) => datasetDetail(c, sampleId) },
    { name: 'page /changes', path: '/changes' },
    { name: 'api /changes?kind=updated', path: '/api/changes?kind=updated', direct: (c) => listChanges(c, parseChangesQuery(new URLSearchParams('kind=updated'))) },
    { name: 'atom /changes.atom', path: '/changes.atom' },
    { name: 'page /stats (cached per snapshot)', path: '/stats' },
    { name: 'api /stats (uncached: read.ts direct)', path: '/api/stats', direct: (c) => catalogStats(c) },
  ];
}

export interface ServeBench {
  rows: Row[];
  markdown: string;
}

export async function benchServe(n: number): Promise<ServeBench> {
  const dir = tempDir('serve');
  const given = process.env.HF_BENCH_SERVE_DB;
  const db = given ?? join(dir, 'hub.duckdb');
  const snapDir = join(dir, 'snapshots');
  const lines: string[] = [];
  const out: Row[] = [];
  const fake = await startFakeProcess({ synthetic: n });
  let serve: ReturnType<typeof spawn> | null = null;
  try {
    const t0 = performance.now();
    if (!given) {
      const s = await runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir, timeoutMs: 3_600_000 });
      assertOk('sync', s);
      await fake.set({ syntheticMoved: { every: 100, generation: 1 } });
      const s2 = await runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir, timeoutMs: 3_600_000 });
      assertOk('second sync', s2);
    }
    const syncS = (performance.now() - t0) / 1000;
    // viewer rows for two datasets in three, as `sync --viewer-stats` would store them, one in twenty of
    // those a partial conversion with an estimate three times its rows (a given catalog of schema 1 is migrated)
    {
      const cat = await openCatalog(db, { write: true });
      await cat.conn.run("UPDATE datasets SET num_rows = (hash(id) % 50000000)::BIGINT WHERE hash(id) % 3 <> 0");
      await cat.conn.run('UPDATE datasets SET estimated_num_rows = CASE WHEN num_rows IS NOT NULL AND hash(id) % 20 = 1 THEN num_rows * 3 END');
      await cat.conn.run('CHECKPOINT');
      cat.close();
    }
    const catalogBytes = statSync(db).size;

    // the snapshot: lock time and build time (a fresh cache each run)
    const locks: number[] = [];
    const builds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const info = await takeSnapshot(db, { env: { HF_DATASETS_SNAPSHOT_DIR: join(snapDir, `probe-${i}`) } });
      locks.push(info.lockMs!);
      builds.push(info.buildMs!);
    }
    const info = await takeSnapshot(db, { env: { HF_DATASETS_SNAPSHOT_DIR: join(snapDir, 'probe-0') } });

    // serve in its own process, reading the cached snapshot of probe-0's folder (no copy at start)
    const env = cliEnv({ HF_DATASETS_SNAPSHOT_DIR: join(snapDir, 'probe-0') });
    serve = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      serve!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        const m = /^listening (\S+)\/\n/.exec(buf);
        if (m) resolve(m[1]!);
      });
      serve!.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const rssStart = vmHwmKb(serve.pid!);

    const snap = await openSnapshot(info.path);
    const conn = await snap.connect();
    const bareDb = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY', threads: '2', memory_limit: '256MB' });
    const bare = await bareDb.connect();
    const sample = (await conn.runAndReadAll("SELECT id FROM _browse WHERE removed_at IS NULL ORDER BY hash(id) LIMIT 1")).getRowsJS()[0]![0] as string;
    lines.push(`| shape | HTTP p50 ms | HTTP p95 ms | read.ts direct p50 / p95 ms | bare SQL on \`datasets\` p50 / p95 ms | answer bytes |`, '|---|---|---|---|---|---|');
    let worst = 0;
    for (const sh of shapes(sample)) {
      let bytes = 0;
      const http = await timed(async () => {
        const r = await httpGet(url, sh.path);
        if (r.status !== 200) throw new Error(`${sh.path}: HTTP ${r.status}`);
        bytes = r.bytes;
      });
      const direct = sh.direct ? await timed(() => sh.direct!(conn), 7) : null;
      const bareT = sh.bare ? await timed(() => bare.runAndReadAll(sh.bare!), 3) : null;
      worst = Math.max(worst, pct(http, 95));
      const f = (xs: number[] | null): string => (xs ? `${pct(xs, 50).toFixed(1)} / ${pct(xs, 95).toFixed(1)}` : '–');
      lines.push(`| ${sh.name} \`${sh.path.slice(0, 70)}\` | ${pct(http, 50).toFixed(1)} | ${pct(http, 95).toFixed(1)} | ${f(direct)} | ${f(bareT)} | ${bytes} |`);
      process.stderr.write(`bench:   serve ${sh.name}: p50 ${pct(http, 50).toFixed(1)} ms, p95 ${pct(http, 95).toFixed(1)} ms\n`);
    }
    conn.closeSync();
    snap.instance.closeSync();
    bare.closeSync();
    bareDb.closeSync();
    const rssKb = vmHwmKb(serve.pid!);
    const head = [
      `N = ${n} datasets (two syncs, 1% changed in the second), catalog ${(catalogBytes / 2 ** 20).toFixed(1)} MiB; syncs took ${syncS.toFixed(0)} s.`,
      `Snapshot: catalog lock held ${locks.map((x) => x.toFixed(0)).join(' / ')} ms (open read-only + copy file and WAL + close), browse table built in ${builds.map((x) => (x / 1000).toFixed(1)).join(' / ')} s (3 runs).`,
      `serve peak RSS (VmHWM): ${rssStart === null ? 'n/a' : (rssStart / 1024).toFixed(1)} MiB after start, ${rssKb === null ? 'n/a' : (rssKb / 1024).toFixed(1)} MiB after every shape; worst HTTP p95 ${worst.toFixed(0)} ms.`,
      '',
    ];
    const md = [...head, ...lines].join('\n');
    out.push({ id: `serve-${Math.round(n / 1000)}k`, what: 'serve: worst HTTP p95 over all page kinds and API shapes', n, seconds: worst / 1000, requests: null, list: null, detail: null,
      rssKb, cpuS: null, fakeCpuS: null, outBytes: catalogBytes, note: `lock ${Math.max(...locks).toFixed(0)} ms, build ${(Math.max(...builds) / 1000).toFixed(1)} s` });
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, `serve-${n}.md`), md + '\n');
    return { rows: out, markdown: md };
  } finally {
    if (serve && serve.exitCode === null) serve.kill('SIGTERM');
    await fake.close();
    await removeDir(dir);
  }
}

// run directly: node dist/bench/bench-serve.js [N]
if (process.argv[1] && /bench-serve\.js$/.test(process.argv[1])) {
  const n = Number(process.argv[2] ?? 200_000);
  const r = await benchServe(n);
  process.stdout.write(`${r.markdown}\n`);
}
