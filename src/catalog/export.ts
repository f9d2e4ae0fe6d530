/**
 * `export`: the catalog as Parquet (DuckDB's COPY: the flattened columns plus `record` as JSON
 * text), NDJSON (the stored records, one a line, exactly as sync stored them) or CSV (the
 * flattened columns, lists joined with `;`). Present datasets only unless `includeRemoved`.
 * NDJSON and CSV are streamed chunk by chunk to a Writable with backpressure; when the reader
 * goes away (EPIPE) the export stops quietly.
 */
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NdjsonOut } from '../output/ndjson-out.js';

/** The flattened columns, in table order (the contract for users' SQL and the CSV header). */
export const FLAT_COLUMNS = ['id', 'author', 'sha', 'downloads', 'likes', 'license', 'languages', 'task_categories', 'created_at', 'last_modified',
  'total_size_bytes', 'num_rows', 'gated', 'first_seen_at', 'last_seen_at', 'removed_at', 'estimated_num_rows'] as const;

function where(includeRemoved: boolean): string {
  return includeRemoved ? '' : 'WHERE removed_at IS NULL';
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Writes `output` through a temporary name beside it: renamed when `write` succeeds, removed when
 * it fails, so a failed export never leaves a partial file under the name asked for.
 */
export async function viaTempFile<T>(output: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${output}.tmp-${process.pid}`;
  try {
    const result = await write(tmp);
    await rename(tmp, output);
    return result;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Parquet to `output` (written to a temporary name, then renamed). Returns the row count. */
export async function exportParquet(conn: DuckDBConnection, output: string, includeRemoved: boolean): Promise<number> {
  return viaTempFile(output, async (tmp) => {
    const r = await conn.run(`COPY (SELECT ${FLAT_COLUMNS.join(', ')}, record::VARCHAR AS record FROM datasets ${where(includeRemoved)} ORDER BY id)
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    return Number(r.rowsChanged);
  });
}

/** One CSV field (RFC 4180 quoting): lists joined with `;`, times as ISO 8601, BIGINTs in full. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** NDJSON or CSV to `out`; returns the rows written (fewer when the reader went away) and whether it did. */
export async function exportStream(conn: DuckDBConnection, format: 'ndjson' | 'csv', out: Writable, includeRemoved: boolean): Promise<{ rows: number; closed: boolean }> {
  const sink = new NdjsonOut(out, () => undefined);
  const sql = format === 'ndjson'
    ? `SELECT record::VARCHAR AS record FROM datasets ${where(includeRemoved)} ORDER BY id`
    : `SELECT ${FLAT_COLUMNS.join(', ')} FROM datasets ${where(includeRemoved)} ORDER BY id`;
  const result = await conn.stream(sql);
  let rows = 0;
  if (format === 'csv') await sink.write(FLAT_COLUMNS.join(','));
  for await (const chunk of result.yieldRowsJs()) {
    if (sink.closed) break;
    const lines: string[] = [];
    if (format === 'ndjson') {
      for (const [record] of chunk) lines.push(String(record));
    } else {
      for (const row of chunk) lines.push(row.map((v) => csvField(v)).join(','));
    }
    rows += lines.length;
    await sink.write(lines.join('\n'));
  }
  await sink.end();
  return { rows, closed: sink.closed };
}
