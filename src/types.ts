/**
 * Shapes shared across the pipeline: what the Hub sends (loosely typed, since
 * anyone can write it) and the record we emit (described in docs/record.md).
 */

/** A sibling as found in `siblings` (listing / detail, optionally with `?blobs=true`). */
export interface RawSibling {
  rfilename?: unknown;
  size?: unknown;
  blobId?: unknown;
  lfs?: unknown;
}

/** One dataset item as the Hub returns it from `/api/datasets` or `/api/datasets/{id}`. Every key is optional. */
export interface RawDataset {
  _id?: unknown;
  id?: unknown;
  author?: unknown;
  sha?: unknown;
  lastModified?: unknown;
  createdAt?: unknown;
  private?: unknown;
  gated?: unknown;
  disabled?: unknown;
  downloads?: unknown;
  downloadsAllTime?: unknown;
  likes?: unknown;
  trendingScore?: unknown;
  tags?: unknown;
  description?: unknown;
  citation?: unknown;
  cardData?: unknown;
  siblings?: unknown;
  paperswithcode_id?: unknown;
  mainSize?: unknown;
  usedStorage?: unknown;
  [key: string]: unknown;
}

/** A tree entry from `/api/datasets/{id}/tree/{rev}`. */
export interface RawTreeEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  oid?: unknown;
  lfs?: unknown;
}

export interface PaperLink {
  arxiv_id: string;
  url: string;
  hf_paper_url: string;
}

export interface FileEntry {
  path: string;
  size: number | null;
  lfs: boolean | null;
}

export type ErrorStage = 'list' | 'detail' | 'tree' | 'viewer';

export interface RecordError {
  stage: ErrorStage;
  status: number | null;
  code: string;
  message: string;
}

/** One split of a dataset viewer `/size` answer. */
export interface ViewerSplit {
  config: string | null;
  split: string | null;
  num_rows: number | null;
  /** the viewer's estimate of the split's full row count when its conversion was partial (else null) */
  estimated_num_rows: number | null;
  num_columns: number | null;
  num_bytes_parquet_files: number | null;
  num_bytes_memory: number | null;
}

/** The record's `viewer` block when the dataset viewer answered with sizes (every number may be null). */
export interface ViewerAvailable {
  available: true;
  /** the Parquet conversion stopped at 5 GB per split: the numbers cover only that part (null: not said) */
  partial: boolean | null;
  /** rows of the sized (converted) part; with `partial` true, `estimated_num_rows` is the figure to use */
  num_rows: number | null;
  /** the viewer's estimate of the full row count when the conversion was partial (null otherwise, or not said) */
  estimated_num_rows: number | null;
  num_bytes_original_files: number | null;
  num_bytes_parquet_files: number | null;
  num_bytes_memory: number | null;
  /** subsets (config names; null: an entry without one) still being sized: the totals leave them out */
  pending: Array<string | null>;
  /** subsets the viewer could not size: the totals leave them out */
  failed: Array<string | null>;
  splits: ViewerSplit[];
}

/** The record's `viewer` block when there are no sizes: the viewer's own `X-Error-Code`, `HTTP <status>` or an `ETL_*` code. */
export interface ViewerUnavailable {
  available: false;
  reason: string;
}

export type ViewerBlock = ViewerAvailable | ViewerUnavailable;

export interface DatasetRecord {
  id: string;
  name: string;
  author: string | null;
  sha: string | null;
  links: {
    dataset_url: string;
    api_url: string;
    github: string[];
    homepage: string | null;
    papers: PaperLink[];
    paperswithcode_id: string | null;
    doi: string[];
    download_links: string[];
  };
  info: {
    pretty_name: string | null;
    description: string | null;
    citation: string | null;
    license: string[];
    languages: string[];
    task_categories: string[];
    task_ids: string[];
    size_categories: string[];
    modalities: string[];
    formats: string[];
    libraries: string[];
    tags: string[];
  };
  statistics: {
    downloads: number | null;
    downloads_all_time: number | null;
    likes: number | null;
    file_count: number;
    total_size_bytes: number | null;
    used_storage_bytes: number | null;
    created_at: string | null;
    last_modified: string | null;
    trending_score: number | null;
  };
  files: FileEntry[];
  additional: {
    private: boolean;
    gated: false | 'auto' | 'manual';
    disabled: boolean;
    card_data: Record<string, unknown>;
  };
  /** null when viewer statistics were not asked for */
  viewer: ViewerBlock | null;
  errors: RecordError[];
  collected_at: string;
}

/** The query options of a run: what `collection_info.query` and the resume state hold. Never a token. */
export interface QueryOptions {
  search: string | null;
  author: string | null;
  filter: string[];
  sort: SortKey;
  since: string | null;
  limit: number | null;
  file_sizes: boolean;
  viewer_stats: boolean;
}

export type SortKey = 'downloads' | 'likes' | 'lastModified' | 'createdAt' | 'trendingScore';
export const SORT_KEYS: readonly SortKey[] = ['downloads', 'likes', 'lastModified', 'createdAt', 'trendingScore'];
