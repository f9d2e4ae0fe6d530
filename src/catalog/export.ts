/**
 * `export`: the catalog as Parquet (DuckDB's COPY: the flattened columns plus `record` as JSON
 * text), NDJSON (the stored records, one a line, exactly as sync stored them) or CSV (the
 * flattened columns, lists joined with `;`). Present datasets only unless `includeRemoved`.
 * NDJSON and CSV are written batch by batch to a Writable with backpressure; when the reader
 * goes away (EPIPE) the export stops quietly.
 *
 * Memory: rows go out in the catalog's storage order (the order sync first stored them), never
 * sorted. The `record` column is ~5 KB a dataset, ZSTD-compressed a vector (2,048 rows) at a
 * time: sorting it (`ORDER BY id`) needs the whole column in DuckDB's memory, and one long
 * streamed scan of it held every decompressed vector of a row group (122,880 rows, ~600 MB) —
 * both ran out of the 48 MB limit past a few thousand datasets. So Parquet is one unsorted COPY
 * with small row groups, NDJSON to a file (or a pipe) one unsorted COPY too, and CSV and NDJSON
 * to other writers read one vector of rowids per query. Figures: bench/RESULTS.md.
 */
import { fstatSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { JSDuckDBValueConverter, type DuckDBBlobVector, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { NdjsonOut } from '../output/ndjson-out.js';
import { fullGc } from '../util/full-gc.js';

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

/** Rows a query reads (one DuckDB vector) and a Parquet row group holds. */
export const BATCH_ROWS = 2048;

/**
 * DuckDB's memory limit while it writes Parquet: a row group of wide records (~10 MB) is held
 * raw and compressed beside the vectors being read; 64 MB ran out, 80 MB did not (200,000
 * datasets; the process peaked at ~215 MB). HF_DATASETS_DUCKDB_MEMORY, when set, is kept as is.
 */
export const PARQUET_MEMORY = '96MB';

/** Parquet to `output` (written to a temporary name, then renamed). Returns the row count. */
export async function exportParquet(conn: DuckDBConnection, output: string, includeRemoved: boolean): Promise<number> {
  if (process.env.HF_DATASETS_DUCKDB_MEMORY === undefined) await conn.run(`SET memory_limit = '${PARQUET_MEMORY}'`);
  return viaTempFile(output, async (tmp) => {
    const r = await conn.run(`COPY (SELECT ${FLAT_COLUMNS.join(', ')}, record::VARCHAR AS record FROM datasets ${where(includeRemoved)})
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${BATCH_ROWS})`);
    return Number(r.rowsChanged);
  });
}

/**
 * NDJSON written by DuckDB itself to `path` (a new file, or this process's stdout): one COPY of
 * the stored JSON text, one record a line. Its CSV writer with no quote, no escape and a delimiter
 * JSON text never holds raw (0x1F; JSON escapes control characters) writes each text as it is.
 * It holds less than the batches below (~150–180 MB peak at 200,000 datasets, not ~300–400 MB).
 * @throws DuckDB's IO error ("Broken pipe" when the reader of stdout went away)
 */
export async function copyNdjson(conn: DuckDBConnection, path: string, includeRemoved: boolean): Promise<number> {
  const r = await conn.run(`COPY (SELECT record::VARCHAR AS record FROM datasets ${where(includeRemoved)})
    TO ${sqlString(path)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f', USE_TMP_FILE false)`);
  return Number(r.rowsChanged);
}

/** NDJSON to the file `output` (written to a temporary name, then renamed). Returns the row count. */
export async function exportNdjsonFile(conn: DuckDBConnection, output: string, includeRemoved: boolean): Promise<number> {
  return viaTempFile(output, (tmp) => copyNdjson(conn, tmp, includeRemoved));
}

/**
 * Where DuckDB can write this process's stdout itself: on Linux, a pipe (`| jq`), a terminal or
 * /dev/null, or an empty file (`> out.ndjson`, `>>` to an empty one) reopened through
 * /proc/self/fd/1 — a blocking description of its own, written from DuckDB's thread. Null
 * elsewhere (a socket, a file that already holds something, other systems): the batches below
 * write it then.
 */
export function duckdbStdout(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const st = fstatSync(1);
    return st.isFIFO() || st.isCharacterDevice() || (st.isFile() && st.size === 0) ? '/proc/self/fd/1' : null;
  } catch {
    return null;
  }
}

/**
 * The result of `columns` (from `datasets`), one vector of rowids per query, in storage order
 * (rowids run from 0 with gaps where rows were deleted; a range of nothing but gaps yields nothing).
 */
async function* vectorBatches(conn: DuckDBConnection, columns: string, includeRemoved: boolean): AsyncGenerator<DuckDBDataChunk> {
  const span = (await conn.runAndReadAll('SELECT min(rowid), max(rowid) FROM datasets')).getRowsJS()[0];
  if (span?.[0] === null || span?.[0] === undefined) return;
  const [min, max] = [Number(span[0]), Number(span[1])];
  const removed = includeRemoved ? '' : ' AND removed_at IS NULL';
  for (let lo = min - (min % BATCH_ROWS); lo <= max; lo += BATCH_ROWS) {
    const result = await conn.run(`SELECT ${columns} FROM datasets WHERE rowid >= ${lo} AND rowid < ${lo + BATCH_ROWS}${removed}`);
    for (let i = 0; i < result.chunkCount; i++) {
      const chunk = result.getChunk(i);
      if (chunk.rowCount > 0) yield chunk;
    }
    // a result's rows live in native memory V8 does not see, freed only when its wrapper is collected
    fullGc();
  }
}

/** Bytes handed to the writer at a time (the writer's buffer stays small; no batch-sized string is built). */
const WRITE_BYTES = 256 * 1024;
const NEWLINE = Buffer.from('\n');

/** One CSV field (RFC 4180 quoting): lists joined with `;`, times as ISO 8601, BIGINTs in full. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** NDJSON or CSV to `out`; returns the rows written (fewer when the reader went away) and whether it did. */
export async function exportStream(conn: DuckDBConnection, format: 'ndjson' | 'csv', out: Writable, includeRemoved: boolean): Promise<{ rows: number; closed: boolean }> {
  const sink = new NdjsonOut(out, () => undefined);
  let rows = 0;
  if (format === 'csv') {
    await sink.write(FLAT_COLUMNS.join(','));
    for await (const chunk of vectorBatches(conn, FLAT_COLUMNS.join(', '), includeRemoved)) {
      if (sink.closed) break;
      const lines = chunk.convertRows(JSDuckDBValueConverter).map((row) => row.map((v) => csvField(v)).join(','));
      rows += lines.length;
      await sink.write(lines.join('\n'));
    }
  } else {
    // the stored JSON text as UTF-8 bytes, written as it is: no JavaScript string of each record
    for await (const chunk of vectorBatches(conn, 'encode(record::VARCHAR) AS record', includeRemoved)) {
      const records = chunk.getColumnVector(0) as DuckDBBlobVector;
      let pending: Uint8Array[] = [];
      let size = 0;
      for (let i = 0; i < records.itemCount && !sink.closed; i++) {
        const bytes = records.getItem(i)!.bytes;
        pending.push(bytes, NEWLINE);
        size += bytes.length + 1;
        rows++;
        if (size >= WRITE_BYTES || i === records.itemCount - 1) {
          await sink.writeBytes(Buffer.concat(pending, size));
          pending = [];
          size = 0;
        }
      }
      if (sink.closed) break;
    }
  }
  await sink.end();
  return { rows, closed: sink.closed };
}
