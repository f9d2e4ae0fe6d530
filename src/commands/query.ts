/**
 * `query SQL`: one read-only query over a snapshot of the catalog (so it works while a sync holds
 * the file). DuckDB opens the snapshot READ_ONLY with `enable_external_access=false` (no files, no
 * network, no ATTACH, no extensions) and the configuration locked, so a statement that would write,
 * read another file or change a setting fails; every SQL error is one line and exit 2.
 * Output: `table` on a terminal (aligned, long cells cut), else `csv`, unless --format says otherwise;
 * `ndjson` and `json` keep numbers, lists and structs as JSON. A reader that goes away (`| head`) ends it quietly.
 */
import { openSnapshot, takeSnapshot } from '../catalog/snapshot.js';
import { csvField } from '../catalog/export.js';
import type { Config, QueryFormat } from '../config.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { NdjsonOut } from '../output/ndjson-out.js';
import { EXIT_CODES } from './signals.js';

/** A table on a terminal shows at most this many rows, each cell cut to CELL characters. */
const TABLE_ROWS = 1000;
const CELL = 40;

/** A DuckDB JS value as JSON: BIGINTs as numbers when exact, else as text; times as ISO 8601. */
function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
  return v;
}

function textValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(jsonValue(v));
}

/** As export's CSV: lists joined with `;` (their items as text), structs and maps as JSON. */
function csvValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  return Array.isArray(v) ? v.map(textValue) : textValue(v);
}

function cut(s: string): string {
  const one = s.replace(/[\r\n\t]+/g, ' ');
  return one.length > CELL ? `${one.slice(0, CELL - 1)}…` : one;
}

export function renderTable(names: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map((v) => (v === null ? 'NULL' : cut(textValue(v)))));
  const widths = names.map((n, i) => Math.max(cut(n).length, ...cells.map((r) => r[i]!.length)));
  const numeric = names.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number' || typeof r[i] === 'bigint'));
  const line = (r: string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' │ ').trimEnd();
  return [line(names.map(cut)), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)].join('\n');
}

export async function runQueryCommand(config: Config, log: Logger): Promise<number> {
  const { db, sql } = config.browse!;
  const format: QueryFormat = config.browse!.format ?? (process.stdout.isTTY ? 'table' : 'csv');
  const info = await takeSnapshot(db);
  if (info.stale) log.warn(`${info.stale}: reading the snapshot of ${info.takenAt}`);
  const snap = await openSnapshot(info.path);
  try {
    const conn = await snap.connect();
    await conn.run('SET lock_configuration = true');
    let result;
    try {
      result = await conn.stream(sql!);
    } catch (err) {
      throw new UsageError(`query failed: ${((err as Error).message ?? String(err)).split('\n')[0]}`, 'ETL_QUERY', { cause: err });
    }
    const names = result.columnNames();
    const out = new NdjsonOut(process.stdout, () => undefined);
    let rows = 0;
    const table: unknown[][] = [];
    let more = false;
    if (format === 'csv') await out.write(names.map(csvField).join(','));
    if (format === 'json') await out.write('[');
    try {
      for await (const chunk of result.yieldRowsJs()) {
        if (out.closed) break;
        if (format === 'table') {
          for (const r of chunk) table.length < TABLE_ROWS ? table.push(r) : (more = true);
          rows += chunk.length;
          continue;
        }
        const lines: string[] = [];
        for (const r of chunk) {
          if (format === 'csv') lines.push(r.map((v) => csvField(csvValue(v))).join(','));
          else {
            const obj = JSON.stringify(Object.fromEntries(names.map((n, i) => [n, jsonValue(r[i])])));
            lines.push(format === 'json' ? `${rows + lines.length === 0 ? '' : ','}${obj}` : obj);
          }
        }
        rows += lines.length;
        if (lines.length) await out.write(lines.join('\n'));
      }
    } catch (err) {
      throw new UsageError(`query failed: ${((err as Error).message ?? String(err)).split('\n')[0]}`, 'ETL_QUERY', { cause: err });
    }
    if (format === 'json') await out.write(']');
    if (format === 'table') {
      await out.write(renderTable(names, table));
      await out.write(`(${rows} ${rows === 1 ? 'row' : 'rows'}${more ? `, the first ${TABLE_ROWS} shown; --format csv for all` : ''})`);
    }
    await out.end();
    conn.closeSync();
    return EXIT_CODES.ok;
  } finally {
    snap.instance.closeSync();
  }
}
