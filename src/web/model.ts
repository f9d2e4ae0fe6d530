/**
 * The catalog browser's data: what the read queries (src/catalog/read.ts) return, what the JSON API
 * (`/api/...`) answers, and what the HTML pages and the report render. One shape each, so a page and
 * its JSON twin always hold the same facts (SPEC, "The catalog browser").
 *
 * Times are ISO 8601 strings (UTC, `Z`), BIGINTs are JS numbers (every count and byte size here is
 * far below 2^53), lists are arrays, and anything unknown is null.
 */

/** The facets of `/` and `/api/datasets`, in the order they are shown. */
export const FACETS = ['license', 'task', 'language', 'modality', 'format', 'size_category', 'author'] as const;
export type FacetName = (typeof FACETS)[number];

/** Results a page of `/`, `/api/datasets` and `/changes` holds unless `per_page` says otherwise. */
export const DEFAULT_PER_PAGE = 50;

/** Events in the Atom feed (`/changes.atom`): the latest ones. */
export const FEED_SIZE = 200;

/** The sorts of `/` and `/api/datasets` (all descending, unknown values last, ties by id). */
export const SORTS = ['downloads', 'likes', 'trending', 'rows', 'bytes', 'created', 'modified'] as const;
export type SortName = (typeof SORTS)[number];

/** The question of `/` and `/api/datasets`, parsed and checked from the URL's query parameters. */
export interface DatasetQuery {
  q: string | null;
  /** a facet given twice matches either value; different facets all must match */
  facets: Record<FacetName, string[]>;
  gated: boolean | null;
  min_rows: number | null;
  max_rows: number | null;
  min_bytes: number | null;
  max_bytes: number | null;
  sort: SortName;
  page: number;
  per_page: number;
  include_removed: boolean;
}

/** One result row of `/api/datasets`. */
export interface DatasetSummary {
  id: string;
  author: string | null;
  pretty_name: string | null;
  license: string[];
  task_categories: string[];
  languages: string[];
  modalities: string[];
  downloads: number | null;
  likes: number | null;
  trending_score: number | null;
  /** the viewer's rows; with a partial conversion only the converted part's (see estimated_num_rows) */
  num_rows: number | null;
  /** the viewer's estimate of the whole where its conversion was partial, else null; `sort=rows` and the row ranges use it when set */
  estimated_num_rows: number | null;
  total_size_bytes: number | null;
  created_at: string | null;
  last_modified: string | null;
  /** false, "auto" or "manual" as in the record, as text: "false" | "auto" | "manual" | null */
  gated: string | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

/** `/api/datasets` */
export interface DatasetPage {
  total: number;
  page: number;
  per_page: number;
  datasets: DatasetSummary[];
  /** per facet, at most the top 50 values by count then value; counts apply every other filter but the facet's own */
  facets: Record<FacetName, FacetCount[]>;
}

export type EventKind = 'added' | 'updated' | 'restored' | 'removed';
export const EVENT_KINDS: readonly EventKind[] = ['added', 'updated', 'restored', 'removed'];

export interface ChangeEvent {
  sync_id: number;
  id: string;
  kind: EventKind;
  detected_at: string;
  /** the dataset's pretty name or null (joined from datasets, for display) */
  pretty_name: string | null;
}

/** `/api/changes?kind=&page=&per_page=` (newest first: detected_at desc, then sync_id desc, then id) */
export interface ChangesPage {
  total: number;
  page: number;
  per_page: number;
  kind: EventKind | null;
  events: ChangeEvent[];
}

/** One point of a dataset's history: one per complete sync that listed it. */
export interface HistoryPoint {
  sync_id: number;
  finished_at: string | null;
  downloads: number | null;
  likes: number | null;
}

/** `/api/datasets/<id>` */
export interface DatasetDetail {
  /** the stored record (the `record` JSON column), as collect writes it */
  record: unknown;
  first_seen_at: string | null;
  last_seen_at: string | null;
  removed_at: string | null;
  /** the downloads and likes over the complete syncs, oldest first */
  history: HistoryPoint[];
  /** this dataset's events, newest first */
  events: ChangeEvent[];
}

export interface SyncInfo {
  sync_id: number;
  started_at: string | null;
  finished_at: string | null;
  complete: boolean;
  added: number;
  updated: number;
  removed: number;
  restored: number;
  unchanged: number;
}

/** A labelled count (a bar of a chart). */
export interface Bucket {
  label: string;
  count: number;
}

export interface TopEntry {
  id: string;
  downloads: number | null;
  /** for the risers: downloads now minus downloads at the previous complete sync */
  delta: number | null;
}

/** `/api/stats` (and the report's overview) */
export interface Stats {
  totals: { present: number; removed: number; with_rows: number; with_license: number };
  /** the newest complete sync, and the newest sync of any kind (null on a catalog with none) */
  last_complete_sync: SyncInfo | null;
  last_sync: SyncInfo | null;
  /** datasets created per month ("2024-03"), oldest first */
  created_per_month: Bucket[];
  /** top 20 each, by count then value, over present datasets */
  licenses: Bucket[];
  modalities: Bucket[];
  task_categories: Bucket[];
  /** log-scale buckets (powers of ten: "0", "1–9", "10–99", … "1M–10M"…), small to large; datasets with a known value only */
  rows_distribution: Bucket[];
  bytes_distribution: Bucket[];
  top_downloads: TopEntry[];
  /** downloads gained since the previous complete sync (needs two complete syncs; else empty) */
  top_risers: TopEntry[];
}

/**
 * What every page needs beside its data. The page renderers live in src/web/pages.ts:
 * renderSearchPage(page: DatasetPage, query: DatasetQuery, ctx), renderDatasetPage(detail: DatasetDetail, ctx),
 * renderChangesPage(changes: ChangesPage, ctx), renderStatsPage(stats: Stats, ctx),
 * renderErrorPage(status: number, message: string, ctx), renderAtomFeed(changes: ChangesPage, ctx),
 * renderReport(stats: Stats, changes: ChangesPage, ctx) — each returns the whole document as a string — and
 * ASSETS: the static files the server serves under /assets/ (path → { type, body }).
 */
export interface PageContext {
  /** the catalog file shown (as given with --db) */
  catalogPath: string;
  /** when the data shown was read from the catalog (ISO 8601), null when unknown */
  dataAsOf: string | null;
  /** the Hub endpoint the catalog was synced from (for "open on the Hub" links), e.g. https://huggingface.co */
  hubEndpoint: string;
  /** the absolute URL of the page being rendered (the Atom feed's self link; null in the report) */
  selfUrl: string | null;
}
