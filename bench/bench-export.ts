/**
 * The export benchmark (export-200k): a catalog of N synthetic datasets is built by a first `sync`
 * against the fake Hub, then `export` runs once per format (Parquet, NDJSON, CSV) to a file, each in
 * its own process: time, peak RSS, output size, and a check that the output holds every dataset.
 * BENCH_EXPORT_DB=path reuses (or keeps) the catalog at that path instead of a temporary one.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli } from './cli-run.js';
import { startFakeProcess } from './fake-process.js';
import { assertOk } from './measure.js';
import type { Row } from './report.js';
import { removeDir, tempDir } from './util.js';

export const EXPORT_FORMATS = ['parquet', 'ndjson', 'csv'] as const;

async function parquetRows(file: string): Promise<{ rows: number; ids: number }> {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '256MB', threads: '1' });
  try {
    const conn = await instance.connect();
    const r = await conn.runAndReadAll(`SELECT count(*), count(DISTINCT id) FROM read_parquet('${file.replace(/'/g, "''")}')`);
    const [rows, ids] = r.getRowsJS()[0]!.map(Number) as [number, number];
    conn.closeSync();
    return { rows, ids };
  } finally {
    instance.closeSync();
  }
}

/** Lines of a text file without holding it whole (NDJSON: one a record; CSV: plus the header). */
function lineCount(file: string): number {
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

export async function benchExport(n: number): Promise<Row[]> {
  const dir = tempDir('export');
  const db = process.env.BENCH_EXPORT_DB ?? join(dir, 'hub.duckdb');
  const rows: Row[] = [];
  try {
    if (!existsSync(db)) {
      const fake = await startFakeProcess({ synthetic: n });
      try {
        const sync = await runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir, timeoutMs: 3_600_000 });
        assertOk('sync', sync);
        process.stderr.write(`bench:   catalog of ${n} datasets built in ${sync.seconds.toFixed(1)} s (${statSync(db).size} bytes)\n`);
      } finally {
        await fake.close();
      }
    }
    for (const format of EXPORT_FORMATS) {
      const out = join(dir, `hub.${format}`);
      const r = await runCli(['export', '--db', db, '--format', format, '--output', out], { cwd: dir, timeoutMs: 3_600_000 });
      let note: string;
      let outBytes: number | null = null;
      if (r.code !== 0) {
        note = `FAILED (exit ${r.code ?? r.signal}): ${r.stderr.trim().split('\n').at(-1)}`;
      } else {
        outBytes = statSync(out).size;
        const got = format === 'parquet' ? await parquetRows(out) : { rows: lineCount(out) - (format === 'csv' ? 1 : 0), ids: null };
        note = got.rows === n && (got.ids === null || got.ids === n) ? `${n} rows${got.ids !== null ? ', every id once' : ''}` : `WRONG: ${got.rows} rows, ${got.ids ?? '?'} ids`;
      }
      rows.push({ id: `export-200k-${format}`, what: `export --format ${format} --output FILE`, n, seconds: r.seconds, requests: null, list: null, detail: null, rssKb: r.maxRssKb ?? r.polledHwmKb, cpuS: r.userMs === null ? null : (r.userMs + (r.sysMs ?? 0)) / 1000, fakeCpuS: null, outBytes, note });
      await removeDir(out).catch(() => undefined);
    }
    return rows;
  } finally {
    await removeDir(dir);
  }
}
