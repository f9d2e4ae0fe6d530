/**
 * All option checks live here: yargs only parses, `normalizeConfig` turns its raw output plus
 * the environment into a frozen, typed Config, and throws UsageError ("--x must be …, got …")
 * for anything that does not make sense. Nothing is written before this has passed. The network
 * options are normalized by options.ts, which `createHubClient` shares.
 */
import { normalize, sep } from 'node:path';
import { UsageError } from './errors.js';
import { networkOptionsFromArgs, show, singleText, wholeNumber } from './options.js';
import { SORT_KEYS, type QueryOptions, type SortKey } from './types.js';

export type Command = 'collect' | 'search' | 'enrich' | 'sync' | 'export' | 'serve' | 'report' | 'query';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';

export interface Config {
  command: Command;
  query: QueryOptions;
  individual: boolean;
  /** null: no files (`--ndjson` without `--out`) */
  outDir: string | null;
  ndjson: boolean;
  resume: boolean;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  endpoint: string;
  /** the dataset viewer's base URL (used with `query.viewer_stats`) */
  viewerEndpoint: string;
  token: string | null;
  /** the retry backoff base (ms; env HF_DATASETS_BACKOFF_MS), undefined: the default */
  backoffBaseMs?: number | undefined;
  logLevel: LogLevel;
  /** text: one readable line an entry; json: pino's NDJSON */
  logFormat: LogFormat;
  quiet: boolean;
  /** which query options were given on the command line (for --resume comparison) */
  explicitQuery: ReadonlySet<keyof QueryOptions>;
  /** sync and export: the catalog file and the export's choices; null for the other commands */
  catalog?: CatalogOptions | null;
  /** serve, report and query: their options; null for the other commands */
  browse?: BrowseOptions | null;
}

export type QueryFormat = 'table' | 'csv' | 'ndjson' | 'json';

export interface BrowseOptions {
  db: string;
  /** serve */
  host: string;
  port: number;
  /** report: the HTML file */
  output: string | null;
  /** query: null = table on a terminal, else csv */
  format: QueryFormat | null;
  sql: string | null;
}

export const DEFAULT_PORT = 8080;

export type ExportFormat = 'parquet' | 'ndjson' | 'csv';

export interface CatalogOptions {
  db: string;
  /** export only */
  format: ExportFormat | null;
  /** export only: null = stdout (ndjson, csv) */
  output: string | null;
  includeRemoved: boolean;
}

export const DEFAULT_DB = './hf_datasets.duckdb';

export const DEFAULT_OUT = './hf_datasets_output';
/** The largest --limit (and custom amount in the menu). */
export const MAX_LIMIT = 10_000_000;
export { DEFAULT_ENDPOINT, DEFAULT_VIEWER_ENDPOINT, resolveToken } from './options.js';

/** What yargs hands over (all optional, unvalidated). */
export interface RawArgs {
  _?: Array<string | number>;
  term?: unknown;
  limit?: unknown;
  all?: unknown;
  search?: unknown;
  author?: unknown;
  filter?: unknown;
  sort?: unknown;
  since?: unknown;
  fileSizes?: unknown;
  viewerStats?: unknown;
  viewerEndpoint?: unknown;
  individual?: unknown;
  out?: unknown;
  ndjson?: unknown;
  resume?: unknown;
  concurrency?: unknown;
  timeout?: unknown;
  maxRetries?: unknown;
  endpoint?: unknown;
  token?: unknown;
  quiet?: unknown;
  logLevel?: unknown;
  logFormat?: unknown;
  db?: unknown;
  format?: unknown;
  output?: unknown;
  includeRemoved?: unknown;
  host?: unknown;
  port?: unknown;
  sql?: unknown;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function integer(name: string, v: unknown, min: number, max: number): number {
  if (Array.isArray(v)) throw new UsageError(`--${name} may be given once, got ${v.length} values (${v.map(show).join(', ')})`);
  return wholeNumber(`--${name}`, v, { min, max }, true);
}

function text(name: string, v: unknown): string | null {
  return singleText(`--${name}`, v);
}

function flag(v: unknown): boolean {
  return v === true || v === 'true';
}

/** sync / export options: the catalog file, and for export its format and destination. */
function catalogOptions(command: Command, args: RawArgs): CatalogOptions | null {
  if (command !== 'sync' && command !== 'export') return null;
  const db = text('db', args.db) ?? DEFAULT_DB;
  if (command === 'sync') {
    for (const [name, v] of [['limit', args.limit], ['all', args.all], ['sort', args.sort], ['since', args.since]] as const) {
      if (v !== undefined) throw new UsageError(`--${name} does not apply to sync: every sync walks its whole scope`);
    }
    return { db, format: null, output: null, includeRemoved: false };
  }
  const f = text('format', args.format);
  if (f === null) throw new UsageError('export needs --format parquet, ndjson or csv');
  if (f !== 'parquet' && f !== 'ndjson' && f !== 'csv') throw new UsageError(`--format must be one of parquet, ndjson, csv, got ${show(args.format)}`);
  const output = text('output', args.output);
  if (f === 'parquet' && output === null) throw new UsageError('--format parquet needs --output FILE (Parquet is not written to stdout)');
  return { db, format: f, output, includeRemoved: flag(args.includeRemoved) };
}

/** serve / report / query options. */
function browseOptions(command: Command, args: RawArgs): BrowseOptions | null {
  if (command !== 'serve' && command !== 'report' && command !== 'query') return null;
  const db = text('db', args.db) ?? DEFAULT_DB;
  const host = text('host', args.host) ?? '127.0.0.1';
  const port = args.port === undefined ? DEFAULT_PORT : integer('port', args.port, 0, 65535);
  const output = text('output', args.output);
  if (command === 'report' && output === null) throw new UsageError('report needs --output FILE.html');
  let format: QueryFormat | null = null;
  if (command === 'query' && args.format !== undefined) {
    const f = text('format', args.format);
    if (f !== 'table' && f !== 'csv' && f !== 'ndjson' && f !== 'json') throw new UsageError(`--format must be one of table, csv, ndjson, json, got ${show(args.format)}`);
    format = f;
  }
  // the SQL is the positional, or what follows `--` (a SQL that begins with a `-- comment`, see cli.ts)
  const positional = args._?.slice(1).map(String) ?? [];
  const sql = command === 'query' ? text('SQL', args.sql ?? (positional.length === 1 ? positional[0] : positional.length > 1 ? positional : undefined)) : null;
  if (command === 'query' && sql === null) throw new UsageError('query needs the SQL: hf-datasets query "SELECT count(*) FROM datasets"');
  return { db, host, port, output, format, sql };
}

/**
 * One spelling per folder: `./dir`, `dir/` and `dir//` all become `dir` (an absolute path stays
 * absolute), so file names and messages built from it agree however the folder was given.
 */
export function normalizeOutDir(dir: string): string {
  const n = normalize(dir);
  const trimmed = n.length > 1 ? n.replace(/[\\/]+$/, '') : n;
  return trimmed === '' ? sep : trimmed;
}

/** Validates everything once; throws UsageError with one line saying what is wrong. */
export function normalizeConfig(command: Command, args: RawArgs, env: NodeJS.ProcessEnv = process.env): Config {
  const catalog = catalogOptions(command, args);
  const browse = browseOptions(command, args);
  const explicit = new Set<keyof QueryOptions>();
  let search = text('search', args.search);
  if (command === 'search') {
    const term = text('TERM', args.term);
    if (!term) throw new UsageError('search needs a TERM: hf-datasets search TERM');
    if (search !== null) throw new UsageError('search TERM cannot be combined with --search; use one of them');
    search = term;
  }
  if (search !== null) explicit.add('search');
  const author = text('author', args.author);
  if (author !== null) explicit.add('author');
  const filters = args.filter === undefined ? [] : (Array.isArray(args.filter) ? args.filter : [args.filter]).map((f) => text('filter', f) ?? '');
  if (args.filter !== undefined) explicit.add('filter');

  let sort: SortKey = 'downloads';
  if (args.sort !== undefined) {
    const s = text('sort', args.sort);
    if (!SORT_KEYS.includes(s as SortKey)) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')}, got ${show(args.sort)}`);
    sort = s as SortKey;
    explicit.add('sort');
  }

  let since: string | null = null;
  if (args.since !== undefined) {
    const s = text('since', args.since) ?? '';
    if (!ISO_DATE.test(s) || Number.isNaN(Date.parse(s))) throw new UsageError(`--since must be an ISO date such as 2024-01-31 or 2024-01-31T12:00:00Z, got ${show(args.since)}`);
    if (sort !== 'lastModified' && sort !== 'createdAt') throw new UsageError('--since needs --sort lastModified or --sort createdAt');
    since = new Date(/T|\s/.test(s) ? s : `${s}T00:00:00Z`).toISOString();
    explicit.add('since');
  }

  const all = flag(args.all);
  let limit: number | null = 100;
  if (all && args.limit !== undefined) throw new UsageError('--limit and --all cannot be used together');
  if (all) {
    limit = null;
    explicit.add('limit');
  } else if (args.limit !== undefined) {
    limit = integer('limit', args.limit, 1, MAX_LIMIT);
    explicit.add('limit');
  }

  const fileSizes = command === 'enrich' ? true : flag(args.fileSizes);
  if (args.fileSizes !== undefined) explicit.add('file_sizes');
  const viewerStats = flag(args.viewerStats);
  if (args.viewerStats !== undefined) explicit.add('viewer_stats');

  const ndjson = command === 'enrich' ? true : flag(args.ndjson);
  const outGiven = args.out !== undefined;
  const out = text('out', args.out);
  const outDir = ndjson && !outGiven ? null : normalizeOutDir(out ?? DEFAULT_OUT);
  const resume = flag(args.resume);
  if (resume && outDir === null) throw new UsageError('--resume needs --out DIR (a run without --out keeps no state)');

  let logLevel: LogLevel = 'info';
  if (args.logLevel !== undefined) {
    const l = text('log-level', args.logLevel);
    if (!LOG_LEVELS.includes(l as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${show(args.logLevel)}`);
    logLevel = l as LogLevel;
  }
  let logFormat: LogFormat = 'text';
  if (args.logFormat !== undefined) {
    const f = text('log-format', args.logFormat);
    if (!LOG_FORMATS.includes(f as LogFormat)) throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${show(args.logFormat)}`);
    logFormat = f as LogFormat;
  }
  const quiet = flag(args.quiet);
  if (quiet && logLevel === 'info') logLevel = 'warn';

  const config: Config = {
    command,
    query: Object.freeze({ search, author, filter: filters, sort, since, limit, file_sizes: fileSizes, viewer_stats: viewerStats }),
    individual: args.individual === undefined ? true : flag(args.individual),
    outDir: command === 'enrich' ? null : outDir,
    ndjson,
    resume,
    ...networkOptionsFromArgs(args, env),
    logLevel,
    logFormat,
    quiet,
    explicitQuery: explicit,
    catalog,
    browse,
  };
  return Object.freeze(config);
}
