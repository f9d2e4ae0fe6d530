/**
 * The catalog browser's data shapes (src/web/model.ts) built straight from records, for the renderers' unit
 * tests: what the read queries would answer for these records, without a catalog.
 */
import { FACETS, type ChangeEvent, type ChangesPage, type DatasetDetail, type DatasetPage, type DatasetQuery, type DatasetSummary, type FacetCount, type FacetName, type Stats } from '../../src/web/model.js';
import type { DatasetRecord } from '../../src/types.js';

export function summaryOf(r: DatasetRecord): DatasetSummary {
  return {
    id: r.id, author: r.author, pretty_name: r.info.pretty_name, license: r.info.license, task_categories: r.info.task_categories,
    languages: r.info.languages, modalities: r.info.modalities, downloads: r.statistics.downloads, likes: r.statistics.likes,
    trending_score: r.statistics.trending_score, num_rows: r.viewer?.available ? r.viewer.num_rows : null,
    estimated_num_rows: r.viewer?.available ? (r.viewer.estimated_num_rows ?? null) : null,
    total_size_bytes: r.statistics.total_size_bytes, created_at: r.statistics.created_at, last_modified: r.statistics.last_modified,
    gated: String(r.additional.gated),
  };
}

export function emptyQuery(patch: Partial<DatasetQuery> = {}): DatasetQuery {
  const facets = Object.fromEntries(FACETS.map((f) => [f, [] as string[]])) as unknown as Record<FacetName, string[]>;
  return { q: null, facets, gated: null, min_rows: null, max_rows: null, min_bytes: null, max_bytes: null, sort: 'downloads', page: 1, per_page: 50, include_removed: false, ...patch };
}

const FACET_FIELD: Record<FacetName, (r: DatasetRecord) => string[]> = {
  license: (r) => r.info.license, task: (r) => r.info.task_categories, language: (r) => r.info.languages, modality: (r) => r.info.modalities,
  format: (r) => r.info.formats, size_category: (r) => r.info.size_categories, author: (r) => (r.author ? [r.author] : []),
};

function counts(values: string[]): FacetCount[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, 50);
}

export function pageOf(records: DatasetRecord[], query: DatasetQuery, total = records.length): DatasetPage {
  const facets = Object.fromEntries(FACETS.map((f) => [f, counts(records.flatMap(FACET_FIELD[f]))])) as Record<FacetName, FacetCount[]>;
  return { total, page: query.page, per_page: query.per_page, datasets: records.slice(0, query.per_page).map(summaryOf), facets };
}

export function eventsOf(records: DatasetRecord[], kind: ChangeEvent['kind'] = 'added', syncId = 1): ChangeEvent[] {
  return records.map((r, i) => ({ sync_id: syncId, id: r.id, kind, detected_at: new Date(Date.UTC(2025, 0, 2, 3, 4, 5) - i * 1000).toISOString(), pretty_name: r.info.pretty_name }));
}

export function changesOf(events: ChangeEvent[], total = events.length): ChangesPage {
  return { total, page: 1, per_page: 50, kind: null, events };
}

export function detailOf(r: DatasetRecord, syncs = 3): DatasetDetail {
  const history = Array.from({ length: syncs }, (_, i) => ({
    sync_id: i + 1, finished_at: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
    downloads: (r.statistics.downloads ?? 0) + i * 100, likes: (r.statistics.likes ?? 0) + i,
  }));
  return { record: r, first_seen_at: '2025-01-01T00:00:00.000Z', last_seen_at: '2025-01-03T00:00:00.000Z', removed_at: null, history, events: eventsOf([r]) };
}

/** Stats whose every label is data from the records (so hostile values reach the charts). */
export function statsOf(records: DatasetRecord[]): Stats {
  const bucket = (values: string[]) => counts(values).slice(0, 20).map((c) => ({ label: c.value, count: c.count }));
  const sync = { sync_id: 2, started_at: '2025-01-02T00:00:00.000Z', finished_at: '2025-01-02T00:10:00.000Z', complete: true, added: 3, updated: 2, removed: 1, restored: 0, unchanged: records.length };
  const top = records.slice(0, 20).map((r, i) => ({ id: r.id, downloads: r.statistics.downloads, delta: 1000 - i }));
  return {
    totals: { present: records.length, removed: 1, with_rows: 0, with_license: records.filter((r) => r.info.license.length > 0).length },
    last_complete_sync: sync, last_sync: sync,
    created_per_month: [{ label: '2023-10', count: 2 }, { label: '2023-11', count: 5 }, { label: '2023-12', count: records.length - 7 }],
    licenses: bucket(records.flatMap((r) => r.info.license)),
    modalities: bucket(records.flatMap((r) => r.info.modalities)),
    task_categories: bucket(records.flatMap((r) => [...r.info.task_categories, ...r.info.tags.filter((t) => t.includes('<'))])),
    rows_distribution: [{ label: '0', count: 1 }, { label: '10k–100k', count: 4 }, { label: '1M–10M', count: 2 }],
    bytes_distribution: [{ label: '1–9', count: 1 }, { label: '1M–10M', count: 3 }, { label: '100M–1B', count: 2 }, { label: '1B–10B', count: 1 }],
    top_downloads: top, top_risers: top.slice(0, 5),
  };
}
