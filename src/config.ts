/**
 * All option checks live here: yargs only parses, `normalizeConfig` turns its raw output plus
 * the environment into a frozen, typed Config, and throws UsageError ("--x must be …, got …")
 * for anything that does not make sense. Nothing is written before this has passed.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { UsageError } from './errors.js';
import { SORT_KEYS, type QueryOptions, type SortKey } from './types.js';

export type Command = 'collect' | 'search' | 'enrich' | 'sync' | 'export';
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
  logLevel: LogLevel;
  /** text: one readable line an entry; json: pino's NDJSON */
  logFormat: LogFormat;
  quiet: boolean;
  /** which query options were given on the command line (for --resume comparison) */
  explicitQuery: ReadonlySet<keyof QueryOptions>;
  /** sync and export: the catalog file and the export's choices; null for the other commands */
  catalog?: CatalogOptions | null;
}

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
export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_VIEWER_ENDPOINT = 'https://datasets-server.huggingface.co';

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
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function integer(name: string, v: unknown, min: number, max: number): number {
  if (Array.isArray(v)) throw new UsageError(`--${name} may be given once, got ${v.length} values (${v.map(show).join(', ')})`);
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${show(v)}`);
  }
  return Number(s);
}

function text(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) throw new UsageError(`--${name} may be given once, got ${v.length} values`);
  if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`--${name} needs a value`);
  const s = String(v);
  if (s.trim() === '') throw new UsageError(`--${name} needs a non-empty value`);
  return s;
}

function flag(v: unknown): boolean {
  return v === true || v === 'true';
}

/** The Hub base URL from --endpoint or HF_ENDPOINT, checked and without trailing `/`. */
export function resolveEndpoint(v: unknown, env: NodeJS.ProcessEnv): string {
  const given = text('endpoint', v);
  const raw = given ?? env.HF_ENDPOINT ?? DEFAULT_ENDPOINT;
  const name = given === null && env.HF_ENDPOINT ? 'HF_ENDPOINT' : '--endpoint';
  return httpUrl(name, raw);
}

/** The dataset viewer's base URL from --viewer-endpoint, checked and without trailing `/`. */
export function resolveViewerEndpoint(v: unknown): string {
  return httpUrl('--viewer-endpoint', text('viewer-endpoint', v) ?? DEFAULT_VIEWER_ENDPOINT);
}

function httpUrl(name: string, raw: string): string {
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`${name} must be an http(s) URL, got ${show(raw)}`);
  return raw.replace(/\/+$/, '');
}

/** The token from --token, HF_TOKEN, then the token file (unless HF_HUB_DISABLE_IMPLICIT_TOKEN). */
export function resolveToken(v: unknown, env: NodeJS.ProcessEnv): string | null {
  const explicit = text('token', v);
  if (explicit) return explicit.trim();
  if (env.HF_TOKEN && env.HF_TOKEN.trim()) return env.HF_TOKEN.trim();
  const disabled = (env.HF_HUB_DISABLE_IMPLICIT_TOKEN ?? '').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(disabled)) return null;
  const path = env.HF_TOKEN_PATH || join(env.HF_HOME || join(homedir(), '.cache', 'huggingface'), 'token');
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token || null;
  } catch {
    return null;
  }
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
    concurrency: args.concurrency === undefined ? 4 : integer('concurrency', args.concurrency, 1, 64),
    timeoutMs: (args.timeout === undefined ? 30 : integer('timeout', args.timeout, 1, 3600)) * 1000,
    maxRetries: args.maxRetries === undefined ? 5 : integer('max-retries', args.maxRetries, 0, 100),
    endpoint: resolveEndpoint(args.endpoint, env),
    viewerEndpoint: resolveViewerEndpoint(args.viewerEndpoint),
    token: resolveToken(args.token, env),
    logLevel,
    logFormat,
    quiet,
    explicitQuery: explicit,
    catalog,
  };
  return Object.freeze(config);
}
