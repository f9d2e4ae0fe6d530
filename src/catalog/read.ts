/**
 * The catalog browser's read queries, over a snapshot (snapshot.ts): each returns one shape of
 * src/web/model.ts. User input reaches DuckDB only as bound parameters (lists bound as lists); the
 * SQL text is built from fixed fragments chosen by the already-checked query.
 *
 * Modalities, formats, size categories, the pretty name and the text searched by `q` live only in
 * the `record` JSON column, so each snapshot gets `_browse` once (buildBrowseTables): one narrow row
 * per dataset with those extracted and a lowercased search text, which every search then scans.
 */
import { DEFAULT_ENDPOINT } from '../options.js';
import { LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import {
  FACETS,
  type Bucket,
  type ChangeEvent,
  type ChangesPage,
  type DatasetDetail,
  type DatasetPage,
  type DatasetQuery,
  type DatasetSummary,
  type EventKind,
  type FacetCount,
  type FacetName,
  type SortName,
  type Stats,
  type SyncInfo,
  type TopEntry,
} from '../web/model.js';

/** Bumped when `_browse` changes, so an older cached snapshot is rebuilt. */
export const BROWSE_FORMAT = 4;

/** Separates the fields of the search text (never typed in a search box). */
const SEP = '\u0001';

/** Datasets per INSERT when the browse table is built. */
const BUILD_BATCH = 20_000;

/**
 * The viewer's estimate of a dataset's rows where its conversion was partial: the catalog's column
 * (schema 2), or, in a snapshot of a schema-1 catalog (never migrated: a snapshot is a copy), the
 * stored record's `viewer.estimated_num_rows`, as schema 2's migration fills the column.
 */
const ESTIMATE_COLUMN = 'estimated_num_rows';
const ESTIMATE_FROM_RECORD = "TRY_CAST(json_extract_string(d.record, '$.viewer.estimated_num_rows') AS BIGINT)";

/** The browse rows of the datasets matching `where` (fixed SQL, no user input); `estimate`: the expression of the estimate. */
function browseSelect(where: string, estimate: string = ESTIMATE_COLUMN): string {
  return `WITH j AS (
      SELECT d.* EXCLUDE (record), ${estimate === ESTIMATE_COLUMN ? '' : `${estimate} AS estimated_num_rows, `}json_extract(d.record, ['$.info.pretty_name', '$.info.description', '$.info.modalities', '$.info.formats',
        '$.info.size_categories', '$.info.tags', '$.statistics.trending_score']) AS x
      FROM datasets d WHERE ${where}),
    k AS (
      SELECT j.* EXCLUDE (x), json_extract_string(x[1], '$') AS pretty_name_, json_extract_string(x[2], '$') AS description_,
        TRY_CAST(x[3] AS VARCHAR[]) AS modalities_, TRY_CAST(x[4] AS VARCHAR[]) AS formats_, TRY_CAST(x[5] AS VARCHAR[]) AS size_categories_,
        TRY_CAST(x[6] AS VARCHAR[]) AS tags_, TRY_CAST(x[7] AS DOUBLE) AS trending_score_
      FROM j)
    SELECT id, author, pretty_name_ AS pretty_name,
      coalesce(license, []::VARCHAR[]) AS license, coalesce(task_categories, []::VARCHAR[]) AS task_categories,
      coalesce(languages, []::VARCHAR[]) AS languages, coalesce(modalities_, []::VARCHAR[]) AS modalities,
      coalesce(formats_, []::VARCHAR[]) AS formats, coalesce(size_categories_, []::VARCHAR[]) AS size_categories,
      downloads, likes, trending_score_ AS trending_score, num_rows, estimated_num_rows,
      coalesce(estimated_num_rows, num_rows) AS best_rows, total_size_bytes, created_at, last_modified, gated,
      removed_at,
      lower(concat_ws('${SEP}', id, coalesce(pretty_name_, ''), coalesce(description_, ''), array_to_string(coalesce(tags_, []::VARCHAR[]), '${SEP}'))) AS search
    FROM k`;
}

/**
 * Builds `_browse` in a snapshot opened for writing; returns the Hub endpoint the catalog was synced
 * from (taken from a stored record's `links.dataset_url`), or the default one.
 */
export async function buildBrowseTables(conn: DuckDBConnection): Promise<string> {
  // one json_extract with a list of paths: the record is parsed once per row (seven separate
  // extractions each keep a parse buffer), and the rows go in batches, so memory stays bounded
  // whatever the catalog's size (in one statement, 200,000 datasets ran out of 256 MB)
  const hasColumn = (await conn.runAndReadAll(`SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'datasets' AND column_name = '${ESTIMATE_COLUMN}'`)).getRowsJS()[0]![0];
  const estimate = Number(hasColumn) > 0 ? ESTIMATE_COLUMN : ESTIMATE_FROM_RECORD;
  await conn.run(`CREATE OR REPLACE TABLE _browse AS ${browseSelect('false', estimate)}`);
  const max = Number((await conn.runAndReadAll('SELECT coalesce(max(rowid), -1) FROM datasets')).getRowsJS()[0]![0]);
  for (let from = 0; from <= max; from += BUILD_BATCH) {
    await conn.run(`INSERT INTO _browse ${browseSelect(`rowid >= ${from} AND rowid < ${from + BUILD_BATCH}`, estimate)}`);
  }
  const r = await conn.runAndReadAll(`SELECT id, json_extract_string(record, '$.links.dataset_url') FROM datasets WHERE record IS NOT NULL LIMIT 1`);
  const row = r.getRowsJS()[0];
  if (row && typeof row[1] === 'string') {
    const suffix = `/datasets/${String(row[0])}`;
    const url = row[1];
    if (url.endsWith(suffix) && /^https?:\/\//.test(url)) return url.slice(0, -suffix.length);
  }
  return DEFAULT_ENDPOINT;
}

/** A DuckDB JS value → the model's JSON: BIGINT → number, timestamps → ISO strings, lists kept. */
function js(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(js);
  return v;
}
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(js(v)));

async function rows(conn: DuckDBConnection, sql: string, params: Params = new Params()): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql, params.values, params.types);
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

/** Named parameters with their types (lists need theirs). */
class Params {
  values: Record<string, DuckDBValue> = {};
  types: Record<string, DuckDBType | undefined> = {};
  #n = 0;
  add(v: DuckDBValue, type?: DuckDBType): string {
    const name = `p${++this.#n}`;
    this.values[name] = v;
    if (type) this.types[name] = type;
    return `$${name}`;
  }
  list(items: string[]): string {
    return this.add(listValue(items), LIST(VARCHAR));
  }
}

/** The list column of each facet (author is a plain column). */
const FACET_COLUMN: Record<FacetName, string> = {
  license: 'license',
  task: 'task_categories',
  language: 'languages',
  modality: 'modalities',
  format: 'formats',
  size_category: 'size_categories',
  author: 'author',
};

const SORT_COLUMN: Record<SortName, string> = {
  downloads: 'downloads',
  likes: 'likes',
  trending: 'trending_score',
  // the viewer's estimate where its conversion was partial (num_rows then counts only the converted part)
  rows: 'best_rows',
  bytes: 'total_size_bytes',
  created: 'created_at',
  modified: 'last_modified',
};

/** The filters other than the facets: removed, q, gated, the ranges. */
function commonConditions(q: DatasetQuery, p: Params): string[] {
  const c: string[] = [];
  if (!q.include_removed) c.push('removed_at IS NULL');
  if (q.q !== null && q.q !== '') c.push(`contains(search, lower(${p.add(q.q)}))`);
  if (q.gated === true) c.push("gated IS NOT NULL AND gated <> 'false'");
  if (q.gated === false) c.push("gated = 'false'");
  if (q.min_rows !== null) c.push(`best_rows >= ${p.add(q.min_rows)}`);
  if (q.max_rows !== null) c.push(`best_rows <= ${p.add(q.max_rows)}`);
  if (q.min_bytes !== null) c.push(`total_size_bytes >= ${p.add(q.min_bytes)}`);
  if (q.max_bytes !== null) c.push(`total_size_bytes <= ${p.add(q.max_bytes)}`);
  return c;
}

/** A facet's filter: one of its values (author: the column, else the list holds one of them). */
function facetCondition(q: DatasetQuery, f: FacetName, p: Params): string {
  return f === 'author' ? `list_contains(${p.list(q.facets.author)}, author)` : `list_has_any(${FACET_COLUMN[f]}, ${p.list(q.facets[f])})`;
}

/** The WHERE clause of a query, every facet but `except` applied. */
function where(q: DatasetQuery, p: Params, except: FacetName | null = null): string {
  const c = commonConditions(q, p);
  for (const f of FACETS) if (f !== except && q.facets[f].length > 0) c.push(facetCondition(q, f, p));
  return c.length ? `WHERE ${c.join(' AND ')}` : '';
}

/** `ORDER BY` of a sort: descending, unknown last, ties by id (DuckDB compares text byte by byte). */
export function orderBy(sort: SortName): string {
  return `ORDER BY ${SORT_COLUMN[sort]} DESC NULLS LAST, id ASC`;
}

function summary(r: Record<string, unknown>): DatasetSummary {
  return {
    id: String(r.id),
    author: str(r.author),
    pretty_name: str(r.pretty_name),
    license: (r.license as string[] | null) ?? [],
    task_categories: (r.task_categories as string[] | null) ?? [],
    languages: (r.languages as string[] | null) ?? [],
    modalities: (r.modalities as string[] | null) ?? [],
    downloads: num(r.downloads),
    likes: num(r.likes),
    trending_score: num(r.trending_score),
    num_rows: num(r.num_rows),
    estimated_num_rows: num(r.estimated_num_rows),
    total_size_bytes: num(r.total_size_bytes),
    created_at: str(r.created_at),
    last_modified: str(r.last_modified),
    gated: str(r.gated),
  };
}

const SUMMARY_COLUMNS = 'id, author, pretty_name, license, task_categories, languages, modalities, downloads, likes, trending_score, num_rows, estimated_num_rows, total_size_bytes, created_at, last_modified, gated';

/** The top 50 values of one facet over `from`, rows filtered by `w`. */
function facetSql(f: FacetName, from: string, w: string): string {
  return f === 'author'
    ? `SELECT author AS value, count(*) AS count FROM ${from} ${w ? `${w} AND` : 'WHERE'} author IS NOT NULL GROUP BY author ORDER BY count DESC, value ASC LIMIT 50`
    : `SELECT value, count(*) AS count FROM (SELECT unnest(${FACET_COLUMN[f]}) AS value FROM ${from} ${w}) GROUP BY value ORDER BY count DESC, value ASC LIMIT 50`;
}

const facetRows = (rs: Record<string, unknown>[]): FacetCount[] => rs.map((r) => ({ value: String(r.value), count: Number(r.count) }));

/**
 * `/api/datasets`: one page of results, the total and the facets (nine queries). Without a search
 * text and with at most one facet filter they run on `_browse` directly. Otherwise the rows passing
 * the other filters go once into a temporary table with one flag per chosen facet, so the costly part
 * (the substring search, the list tests) runs once, not nine times; the facet counts then test flags.
 * Rows failing two chosen facets or more count nowhere, so they are left out of it.
 */
export async function searchDatasets(conn: DuckDBConnection, q: DatasetQuery): Promise<DatasetPage> {
  const active = FACETS.filter((f) => q.facets[f].length > 0);
  const facets = {} as Record<FacetName, FacetCount[]>;
  const searching = q.q !== null && q.q !== '';
  if (!searching && active.length <= 1) {
    const p = new Params();
    const w = where(q, p);
    const total = Number((await rows(conn, `SELECT count(*) AS n FROM _browse ${w}`, p))[0]!.n);
    // the same conditions and values, with the page's limit and offset bound after them
    const page = await rows(conn, `SELECT ${SUMMARY_COLUMNS} FROM _browse ${w} ${orderBy(q.sort)} LIMIT ${p.add(q.per_page)} OFFSET ${p.add((q.page - 1) * q.per_page)}`, p);
    for (const f of FACETS) {
      const pf = new Params();
      facets[f] = facetRows(await rows(conn, facetSql(f, '_browse', where(q, pf, f)), pf));
    }
    return { total, page: q.page, per_page: q.per_page, datasets: page.map(summary), facets };
  }
  const p = new Params();
  const common = commonConditions(q, p);
  const flags = active.map((f) => `coalesce(${facetCondition(q, f, p)}, false) AS ok_${f}`);
  // only rows failing at most one chosen facet can count anywhere (in the facet they fail), so the others stay out
  const fewFails = active.length > 1 ? `WHERE ${active.map((f) => `(NOT ok_${f})::INTEGER`).join(' + ')} <= 1` : '';
  // narrow (row id, the facet columns, the sort key): copying the summary columns too took twice as long
  await conn.run(`CREATE OR REPLACE TEMP TABLE _m AS SELECT * FROM (
      SELECT rowid AS rid, id, author, license, task_categories, languages, modalities, formats, size_categories, ${SORT_COLUMN[q.sort]} AS sortkey
        ${flags.map((x) => `, ${x}`).join('')}
      FROM _browse ${common.length ? `WHERE ${common.join(' AND ')}` : ''}) ${fewFails}`, p.values, p.types);
  try {
    const okAll = (except: FacetName | null): string => {
      const c = active.filter((f) => f !== except).map((f) => `ok_${f}`);
      return c.length ? `WHERE ${c.join(' AND ')}` : '';
    };
    const total = Number((await rows(conn, `SELECT count(*) AS n FROM _m ${okAll(null)}`))[0]!.n);
    const pp = new Params();
    const page = await rows(conn, `SELECT ${SUMMARY_COLUMNS} FROM _browse WHERE rowid IN (SELECT rid FROM (SELECT rid FROM _m ${okAll(null)}
      ORDER BY sortkey DESC NULLS LAST, id ASC LIMIT ${pp.add(q.per_page)} OFFSET ${pp.add((q.page - 1) * q.per_page)})) ${orderBy(q.sort)}`, pp);
    for (const f of FACETS) facets[f] = facetRows(await rows(conn, facetSql(f, '_m', okAll(f))));
    return { total, page: q.page, per_page: q.per_page, datasets: page.map(summary), facets };
  } finally {
    await conn.run('DROP TABLE IF EXISTS _m');
  }
}

function event(r: Record<string, unknown>): ChangeEvent {
  return { sync_id: Number(r.sync_id), id: String(r.id), kind: String(r.kind) as EventKind, detected_at: str(r.detected_at)!, pretty_name: str(r.pretty_name) };
}

/** `/api/datasets/<id>`: null when the catalog never held the id. */
export async function datasetDetail(conn: DuckDBConnection, id: string): Promise<DatasetDetail | null> {
  const p = new Params();
  const found = await rows(conn, `SELECT record::VARCHAR AS record, first_seen_at, last_seen_at, removed_at FROM datasets WHERE id = ${p.add(id)}`, p);
  const d = found[0];
  if (!d) return null;
  const ph = new Params();
  const history = await rows(conn, `SELECT h.sync_id, s.finished_at, h.downloads, h.likes FROM downloads_history h JOIN syncs s ON s.sync_id = h.sync_id
    WHERE h.id = ${ph.add(id)} AND s.complete ORDER BY h.sync_id`, ph);
  const pe = new Params();
  const events = await rows(conn, `SELECT e.sync_id, e.id, e.kind, e.detected_at, b.pretty_name FROM events e LEFT JOIN _browse b ON b.id = e.id
    WHERE e.id = ${pe.add(id)} ORDER BY e.detected_at DESC, e.sync_id DESC`, pe);
  let record: unknown = null;
  try {
    record = d.record === null ? null : JSON.parse(String(d.record));
  } catch {
    record = null;
  }
  return {
    record,
    first_seen_at: str(d.first_seen_at),
    last_seen_at: str(d.last_seen_at),
    removed_at: str(d.removed_at),
    history: history.map((h) => ({ sync_id: Number(h.sync_id), finished_at: str(h.finished_at), downloads: num(h.downloads), likes: num(h.likes) })),
    events: events.map(event),
  };
}

export interface ChangesQuery {
  kind: EventKind | null;
  page: number;
  per_page: number;
  /** only this sync's events (the report) */
  sync_id?: number | null;
}

/** `/api/changes`: events newest first (detected_at, then sync_id, descending; then id). */
export async function listChanges(conn: DuckDBConnection, q: ChangesQuery): Promise<ChangesPage> {
  const p = new Params();
  const c: string[] = [];
  if (q.kind !== null) c.push(`e.kind = ${p.add(q.kind)}`);
  if (q.sync_id !== undefined && q.sync_id !== null) c.push(`e.sync_id = ${p.add(q.sync_id)}`);
  const w = c.length ? `WHERE ${c.join(' AND ')}` : '';
  const total = Number((await rows(conn, `SELECT count(*) AS n FROM events e ${w}`, p))[0]!.n);
  const limit = p.add(q.per_page);
  const offset = p.add((q.page - 1) * q.per_page);
  const events = await rows(conn, `SELECT e.sync_id, e.id, e.kind, e.detected_at, b.pretty_name FROM events e LEFT JOIN _browse b ON b.id = e.id ${w}
    ORDER BY e.detected_at DESC, e.sync_id DESC, e.id ASC LIMIT ${limit} OFFSET ${offset}`, p);
  return { total, page: q.page, per_page: q.per_page, kind: q.kind, events: events.map(event) };
}

function syncInfo(r: Record<string, unknown> | undefined): SyncInfo | null {
  if (!r) return null;
  return {
    sync_id: Number(r.sync_id),
    started_at: str(r.started_at),
    finished_at: str(r.finished_at),
    complete: r.complete === true,
    added: Number(r.added ?? 0),
    updated: Number(r.updated ?? 0),
    removed: Number(r.removed ?? 0),
    restored: Number(r.restored ?? 0),
    unchanged: Number(r.unchanged ?? 0),
  };
}

const buckets = (rs: Record<string, unknown>[]): Bucket[] => rs.map((r) => ({ label: String(r.label), count: Number(r.count) }));

/** Label of the power-of-ten bucket `k` (k = -1: zero): "0", "1–9", "10–99", … with k/M/B/T. */
export function logBucketLabel(k: number): string {
  if (k < 0) return '0';
  const short = (n: number): string => {
    for (const [div, unit] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) if (n >= div) return `${n / div}${unit}`;
    return String(n);
  };
  const lo = 10 ** k;
  return k < 3 ? `${lo}–${10 ** (k + 1) - 1}` : `${short(lo)}–${short(10 ** (k + 1))}`;
}

async function logDistribution(conn: DuckDBConnection, col: string): Promise<Bucket[]> {
  const rs = await rows(conn, `SELECT CASE WHEN ${col} <= 0 THEN -1 ELSE floor(log10(${col}))::INTEGER END AS k, count(*) AS count
    FROM _browse WHERE removed_at IS NULL AND ${col} IS NOT NULL GROUP BY k ORDER BY k`);
  return rs.map((r) => ({ label: logBucketLabel(Number(r.k)), count: Number(r.count) }));
}

/** `/api/stats` */
export async function catalogStats(conn: DuckDBConnection): Promise<Stats> {
  const t = (await rows(conn, `SELECT count(*) FILTER (WHERE removed_at IS NULL) AS present, count(*) FILTER (WHERE removed_at IS NOT NULL) AS removed,
    count(*) FILTER (WHERE removed_at IS NULL AND best_rows IS NOT NULL) AS with_rows,
    count(*) FILTER (WHERE removed_at IS NULL AND len(license) > 0) AS with_license FROM _browse`))[0]!;
  const syncCols = 'sync_id, started_at, finished_at, complete, added, updated, removed, restored, unchanged';
  const lastComplete = (await rows(conn, `SELECT ${syncCols} FROM syncs WHERE complete ORDER BY sync_id DESC LIMIT 1`))[0];
  const last = (await rows(conn, `SELECT ${syncCols} FROM syncs ORDER BY sync_id DESC LIMIT 1`))[0];
  const perMonth = await rows(conn, `SELECT strftime(created_at, '%Y-%m') AS label, count(*) AS count FROM _browse
    WHERE removed_at IS NULL AND created_at IS NOT NULL GROUP BY label ORDER BY label`);
  const top = (col: string) => rows(conn, `SELECT value AS label, count(*) AS count FROM (SELECT unnest(${col}) AS value FROM _browse WHERE removed_at IS NULL)
    GROUP BY value ORDER BY count DESC, value ASC LIMIT 20`);
  const topDownloads = await rows(conn, `SELECT id, downloads FROM _browse WHERE removed_at IS NULL ${orderBy('downloads')} LIMIT 20`);
  const risers = await rows(conn, `WITH c AS (SELECT sync_id FROM syncs WHERE complete ORDER BY sync_id DESC LIMIT 2),
      cur AS (SELECT max(sync_id) AS s FROM c), prev AS (SELECT min(sync_id) AS s FROM c HAVING count(*) = 2)
    SELECT n.id, n.downloads, n.downloads - o.downloads AS delta
    FROM downloads_history n JOIN downloads_history o ON o.id = n.id
    JOIN _browse b ON b.id = n.id AND b.removed_at IS NULL
    WHERE n.sync_id = (SELECT s FROM cur) AND o.sync_id = (SELECT s FROM prev) AND n.downloads IS NOT NULL AND o.downloads IS NOT NULL
    ORDER BY delta DESC, n.id ASC LIMIT 20`);
  const entry = (r: Record<string, unknown>): TopEntry => ({ id: String(r.id), downloads: num(r.downloads), delta: r.delta === undefined ? null : num(r.delta) });
  return {
    totals: { present: Number(t.present), removed: Number(t.removed), with_rows: Number(t.with_rows), with_license: Number(t.with_license) },
    last_complete_sync: syncInfo(lastComplete),
    last_sync: syncInfo(last),
    created_per_month: buckets(perMonth),
    licenses: buckets(await top('license')),
    modalities: buckets(await top('modalities')),
    task_categories: buckets(await top('task_categories')),
    rows_distribution: await logDistribution(conn, 'best_rows'),
    bytes_distribution: await logDistribution(conn, 'total_size_bytes'),
    top_downloads: topDownloads.map(entry),
    top_risers: risers.map(entry),
  };
}
