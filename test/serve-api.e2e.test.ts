/**
 * `serve`'s JSON API against the same questions answered straight from the catalog: a fake Hub
 * whose corpus moves between two syncs (with ties, unknown values and the hostile fixtures) is
 * synced with viewer statistics; then every `/api/datasets` answer (total, ids in order, facet
 * counts with the "every filter but its own" rule) is compared with an oracle computed in the test
 * from the rows DuckDB holds, and the other routes with direct SQL. Bad parameters are 400s, unknown
 * ids 404s, every answer carries the CSP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logBucketLabel } from '../src/catalog/read.js';
import type { RawDataset } from '../src/types.js';
import { query } from './helpers/catalog-db.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { startFakeViewer, type FakeViewer } from './helpers/fake-viewer.js';
import { MovingCorpus } from './helpers/moving-corpus.js';
import { get, getJson, startServe, type Served } from './helpers/serve.js';

const FACETS = ['license', 'task', 'language', 'modality', 'format', 'size_category', 'author'] as const;
type Facet = (typeof FACETS)[number];

interface Row {
  id: string;
  author: string | null;
  pretty_name: string | null;
  values: Record<Facet, string[]>;
  haystack: string;
  downloads: number | null;
  likes: number | null;
  trending: number | null;
  /** the viewer's num_rows */
  num_rows: number | null;
  /** the viewer's estimate (partial conversions) */
  estimated: number | null;
  /** what serve ranks and filters by: the estimate where there is one, else num_rows */
  rows: number | null;
  bytes: number | null;
  created: number | null;
  modified: number | null;
  gated: string | null;
  removed: boolean;
}

let hub: FakeHub;
let viewer: FakeViewer;
let served: Served;
let db: string;
let all: Row[];
const HOSTILE_ID = 'x/../../escape';

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function loadRows(): Promise<Row[]> {
  const rs = await query<Record<string, any>>(db, `SELECT id, author, record::VARCHAR AS json, downloads, likes, license, languages, task_categories,
    num_rows, estimated_num_rows, total_size_bytes, created_at, last_modified, gated, removed_at FROM datasets`);
  return rs.map((r) => {
    const rec = JSON.parse(r.json);
    const info = rec.info;
    return {
      id: r.id,
      author: r.author,
      pretty_name: info.pretty_name ?? null,
      values: {
        license: r.license ?? [], task: r.task_categories ?? [], language: r.languages ?? [], modality: info.modalities ?? [],
        format: info.formats ?? [], size_category: info.size_categories ?? [], author: r.author === null ? [] : [r.author],
      },
      haystack: [r.id, info.pretty_name ?? '', info.description ?? '', ...(info.tags ?? [])].join('\u0001').toLowerCase(),
      downloads: n(r.downloads),
      likes: n(r.likes),
      trending: n(rec.statistics.trending_score),
      num_rows: n(r.num_rows),
      estimated: n(r.estimated_num_rows),
      rows: n(r.estimated_num_rows) ?? n(r.num_rows),
      bytes: n(r.total_size_bytes),
      created: r.created_at ? (r.created_at as Date).getTime() : null,
      modified: r.last_modified ? (r.last_modified as Date).getTime() : null,
      gated: r.gated,
      removed: r.removed_at !== null,
    };
  });
}

const SORT_KEY: Record<string, (r: Row) => number | null> = {
  downloads: (r) => r.downloads, likes: (r) => r.likes, trending: (r) => r.trending, rows: (r) => r.rows,
  bytes: (r) => r.bytes, created: (r) => r.created, modified: (r) => r.modified,
};

/** The question answered in plain code: the oracle the API is compared with. */
function oracle(params: URLSearchParams): { total: number; ids: string[]; facets: Record<Facet, Array<{ value: string; count: number }>> } {
  const q = params.get('q');
  const sort = params.get('sort') ?? 'downloads';
  const page = Number(params.get('page') ?? 1);
  const perPage = Number(params.get('per_page') ?? 50);
  const num = (k: string): number | null => (params.get(k) === null ? null : Number(params.get(k)));
  const matches = (r: Row, except: Facet | null): boolean => {
    if (params.get('include_removed') !== 'true' && r.removed) return false;
    if (q && !r.haystack.includes(q.toLowerCase())) return false;
    for (const f of FACETS) {
      const want = params.getAll(f);
      if (f === except || want.length === 0) continue;
      if (!r.values[f].some((v) => want.includes(v))) return false;
    }
    if (params.get('gated') === 'true' && (r.gated === null || r.gated === 'false')) return false;
    if (params.get('gated') === 'false' && r.gated !== 'false') return false;
    const within = (v: number | null, lo: number | null, hi: number | null): boolean =>
      (lo === null && hi === null) || (v !== null && (lo === null || v >= lo) && (hi === null || v <= hi));
    return within(r.rows, num('min_rows'), num('max_rows')) && within(r.bytes, num('min_bytes'), num('max_bytes'));
  };
  const key = SORT_KEY[sort]!;
  const hits = all.filter((r) => matches(r, null)).sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));
  });
  const facets = {} as Record<Facet, Array<{ value: string; count: number }>>;
  for (const f of FACETS) {
    const counts = new Map<string, number>();
    for (const r of all) if (matches(r, f)) for (const v of r.values[f]) counts.set(v, (counts.get(v) ?? 0) + 1);
    facets[f] = [...counts].map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value))).slice(0, 50);
  }
  return { total: hits.length, ids: hits.slice((page - 1) * perPage, page * perPage).map((r) => r.id), facets };
}

beforeAll(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: 40 });
  viewer = await startFakeViewer();
  db = join(tempDir('hfds-serve-api-'), 'hub.duckdb');
  const corpus = new MovingCorpus(160);
  const ids = corpus.ids();
  // ties (same downloads, likes, trending score) and unknown values (no likes, no trending score, no size, no rows)
  for (const id of ids.slice(0, 12)) Object.assign(corpus.items.get(id)!, { downloads: 4242, likes: 7, trendingScore: 3 });
  for (const id of ids.slice(12, 20)) {
    const item = corpus.items.get(id)!;
    delete item.likes;
    delete item.trendingScore;
    delete item.mainSize;
  }
  // not found (no rows); partial conversions: num_rows counts a third, the estimate the whole, so ranking by either differs
  viewer.setOptions({ scenarios: Object.fromEntries([
    ...ids.slice(20, 30).map((id) => [id, { kind: 'not-found' as const }]),
    ...ids.slice(30, 40).map((id) => [id, { kind: 'partial' as const }]),
  ]) });
  const hostile = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'hostile.json'), 'utf8')) as RawDataset[];
  for (const item of hostile) if (item.private !== true) corpus.restore({ ...item });
  corpus.serve(hub);
  const sync = () => runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url, '--viewer-stats', '--max-retries', '0'], { timeoutMs: 120_000 });
  const first = await sync();
  expect(first.code, first.stderr).toBe(0);
  corpus.add(9);
  corpus.commit(ids[40]!);
  corpus.commit(ids[41]!);
  corpus.remove(ids[50]!);
  corpus.remove(ids[51]!);
  corpus.drift(11);
  corpus.serve(hub);
  const second = await sync();
  expect(second.code, second.stderr).toBe(0);
  all = await loadRows();
  served = await startServe(db);
}, 180_000);

afterAll(async () => {
  expect(await served?.stop('SIGTERM')).toBe(0);
  await hub?.close();
  await viewer?.close();
});

const QUESTIONS = [
  '',
  'per_page=500',
  'q=CROWD+workers&per_page=500',
  'q=region:us&per_page=7&page=3',
  'q=dataset-1&sort=likes&per_page=500',
  'license=mit&license=apache-2.0&per_page=500',
  'license=mit&task=translation&per_page=500',
  'language=en&modality=text&format=parquet&per_page=500',
  'size_category=n%3C1K&per_page=500',
  'q=dataset&license=mit&license=apache-2.0&task=translation&per_page=500',
  'q=CROWD&language=en&format=parquet&modality=text&per_page=500',
  'author=org-17&author=org-31&license=mit&gated=false&per_page=500',
  'author=org-17&author=x&per_page=500',
  'gated=true&per_page=500',
  'gated=false&sort=bytes&per_page=500',
  'min_rows=100000&max_rows=250000&per_page=500',
  'min_rows=300000&sort=rows&per_page=500',
  'min_bytes=1000000&max_bytes=900000000&sort=rows&per_page=500',
  'include_removed=true&per_page=500',
  'q=&license=&sort=downloads&page=2&per_page=13',
  ...['downloads', 'likes', 'trending', 'rows', 'bytes', 'created', 'modified'].map((s) => `sort=${s}&per_page=500&include_removed=true`),
];

describe('serve: /api/datasets equals the same question asked of the catalog', () => {
  it('the catalog holds what the questions need (ties, unknowns, removed, hostile ids)', () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all.filter((r) => r.downloads === 4242 + 11).length + all.filter((r) => r.downloads === 4242).length).toBeGreaterThan(1);
    expect(all.some((r) => r.rows === null)).toBe(true);
    // a partial dataset whose estimate outranks another's num_rows that its own num_rows does not: sort=rows tells them apart
    const partial = all.filter((r) => r.estimated !== null);
    expect(partial.length).toBe(10);
    for (const r of partial) expect(r.estimated!).toBeGreaterThan(r.num_rows!);
    expect(partial.some((p) => all.some((o) => o.estimated === null && o.num_rows !== null && p.num_rows! < o.num_rows && o.num_rows < p.estimated!))).toBe(true);
    expect(all.some((r) => r.bytes === null)).toBe(true);
    expect(all.some((r) => r.trending === null)).toBe(true);
    expect(all.filter((r) => r.removed).length).toBe(2);
    expect(all.some((r) => r.id === HOSTILE_ID)).toBe(true);
  });

  it.each(QUESTIONS)('?%s', async (qs) => {
    const got = await getJson(served.url, `/api/datasets?${qs}`);
    const want = oracle(new URLSearchParams(qs.replace(/(^|&)(q|license)=(?=&|$)/g, '$1')));
    expect(got.total).toBe(want.total);
    expect(got.datasets.map((d: { id: string }) => d.id)).toEqual(want.ids);
    expect(got.facets).toEqual(want.facets);
    const params = new URLSearchParams(qs);
    expect(got.page).toBe(Number(params.get('page') ?? 1));
    expect(got.per_page).toBe(Number(params.get('per_page') ?? 50));
  });

  it('a result holds the summary fields of its row', async () => {
    const got = await getJson(served.url, '/api/datasets?per_page=500&include_removed=true');
    for (const d of got.datasets) {
      const r = all.find((x) => x.id === d.id)!;
      expect(Object.keys(d).sort()).toEqual(['author', 'created_at', 'downloads', 'gated', 'id', 'languages', 'last_modified', 'license', 'likes',
        'estimated_num_rows', 'modalities', 'num_rows', 'pretty_name', 'task_categories', 'total_size_bytes', 'trending_score'].sort());
      expect([d.downloads, d.likes, d.trending_score, d.num_rows, d.estimated_num_rows, d.total_size_bytes, d.gated, d.pretty_name, d.author])
        .toEqual([r.downloads, r.likes, r.trending, r.num_rows, r.estimated, r.bytes, r.gated, r.pretty_name, r.author]);
      expect(d.created_at === null ? null : Date.parse(d.created_at)).toBe(r.created);
      expect(d.modalities).toEqual(r.values.modality);
    }
  });
});

describe('serve: one dataset, the changes, the stats', () => {
  it('/api/datasets/<id> holds the record, the history over complete syncs and the events; the id whole or encoded', async () => {
    const id = all.find((r) => r.id.startsWith('org-') && !r.removed)!.id;
    const [raw, encoded] = [await getJson(served.url, `/api/datasets/${id}`), await getJson(served.url, `/api/datasets/${encodeURIComponent(id)}`)];
    expect(encoded).toEqual(raw);
    const stored = await query<{ json: string }>(db, `SELECT record::VARCHAR AS json FROM datasets WHERE id = '${id}'`);
    expect(raw.record).toEqual(JSON.parse(stored[0]!.json));
    const history = await query<Record<string, any>>(db, `SELECT h.sync_id, h.downloads FROM downloads_history h JOIN syncs s USING (sync_id) WHERE h.id = '${id}' AND s.complete ORDER BY h.sync_id`);
    expect(raw.history.map((h: any) => [h.sync_id, h.downloads])).toEqual(history.map((h) => [h.sync_id, Number(h.downloads)]));
    expect(raw.history).toHaveLength(2);
    expect(raw.events.map((e: any) => e.kind)).toEqual(['added']);
  });

  it('a hostile id reaches its own page only through its encoded form', async () => {
    const a = await get(served.url, `/api/datasets/${encodeURIComponent(HOSTILE_ID)}`);
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body).record.id).toBe(HOSTILE_ID);
    const page = await get(served.url, `/datasets/${encodeURIComponent(HOSTILE_ID)}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script>');
  });

  it('unknown ids are 404s, as JSON on the API and as a page otherwise', async () => {
    const api = await get(served.url, '/api/datasets/nobody%2Fnothing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: expect.stringContaining('nobody/nothing') });
    const page = await get(served.url, '/datasets/nobody/nothing');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await get(served.url, '/no/such/page')).status).toBe(404);
    expect((await get(served.url, '/datasets/%E0%A4%A')).status).toBe(400);
  });

  it('/api/changes: newest first, by kind, paged, as the events table says', async () => {
    const events = await query<Record<string, any>>(db, 'SELECT sync_id, id, kind FROM events ORDER BY detected_at DESC, sync_id DESC, id ASC');
    const got = await getJson(served.url, '/api/changes?per_page=500');
    expect(got.total).toBe(events.length);
    expect(got.events.map((e: any) => [e.sync_id, e.id, e.kind])).toEqual(events.map((e) => [e.sync_id, e.id, e.kind]));
    const removed = await getJson(served.url, '/api/changes?kind=removed');
    expect(removed.events.map((e: any) => e.id).sort()).toEqual(all.filter((r) => r.removed).map((r) => r.id).sort());
    const page2 = await getJson(served.url, '/api/changes?per_page=5&page=2');
    expect(page2.events.map((e: any) => e.id)).toEqual(events.slice(5, 10).map((e) => e.id));
    const atom = await get(served.url, '/changes.atom');
    expect(atom.status).toBe(200);
    expect(atom.headers['content-type']).toMatch(/^application\/atom\+xml/);
  });

  it('/api/stats: totals and risers as direct SQL says', async () => {
    const stats = await getJson(served.url, '/api/stats');
    expect(stats.totals.present).toBe(all.filter((r) => !r.removed).length);
    expect(stats.totals.removed).toBe(2);
    expect(stats.totals.with_rows).toBe(all.filter((r) => !r.removed && r.rows !== null).length);
    expect(stats.last_complete_sync.sync_id).toBe(2);
    const risers = await query<Record<string, any>>(db, `SELECT n.id, n.downloads - o.downloads AS delta FROM downloads_history n
      JOIN downloads_history o ON o.id = n.id AND o.sync_id = 1 JOIN datasets d ON d.id = n.id AND d.removed_at IS NULL
      WHERE n.sync_id = 2 ORDER BY delta DESC, n.id LIMIT 20`);
    expect(stats.top_risers.map((r: any) => [r.id, r.delta])).toEqual(risers.map((r) => [r.id, Number(r.delta)]));
    expect(stats.top_downloads.map((r: any) => r.id)).toEqual(oracle(new URLSearchParams('per_page=20')).ids);
    const rowsTotal = stats.rows_distribution.reduce((s: number, b: any) => s + b.count, 0);
    expect(rowsTotal).toBe(stats.totals.with_rows);
    // the rows distribution counts the estimate where there is one
    const buckets = new Map<string, number>();
    for (const r of all) {
      if (r.removed || r.rows === null) continue;
      const label = logBucketLabel(r.rows <= 0 ? -1 : Math.floor(Math.log10(r.rows)));
      buckets.set(label, (buckets.get(label) ?? 0) + 1);
    }
    expect(Object.fromEntries(stats.rows_distribution.map((b: any) => [b.label, b.count]))).toEqual(Object.fromEntries(buckets));
  });
});

describe('serve: bad requests and headers', () => {
  it.each([
    ['sort=bogus', /sort must be one of/],
    ['min_rows=x', /min_rows must be a whole number/],
    ['page=0', /page must be a whole number from 1/],
    ['per_page=9999', /per_page must be a whole number from 1 to 500/],
    ['gated=maybe', /gated must be true or false/],
    ['sort=likes&sort=rows', /sort may be given once/],
  ])('?%s is a 400 with one line, on the API and the page', async (qs, message) => {
    const api = await get(served.url, `/api/datasets?${qs}`);
    expect(api.status).toBe(400);
    const body = JSON.parse(api.body);
    expect(body.error).toMatch(message);
    expect(body.error).not.toContain('\n');
    const page = await get(served.url, `/?${qs}`);
    expect(page.status).toBe(400);
    expect(page.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('bad changes parameters are 400s; other methods 405', async () => {
    expect((await get(served.url, '/api/changes?kind=deleted')).status).toBe(400);
    expect((await get(served.url, '/changes?per_page=0')).status).toBe(400);
    expect((await get(served.url, '/api/datasets', 'POST')).status).toBe(405);
  });

  it('every answer carries the CSP, nosniff and a referrer policy', async () => {
    for (const path of ['/', '/api/datasets', '/stats', '/changes', '/changes.atom', '/api/stats', '/datasets/none', '/?sort=bogus', '/assets/style.css']) {
      const a = await get(served.url, path);
      expect(a.headers['content-security-policy'], path).toMatch(/default-src 'self'/);
      expect(a.headers['content-security-policy'], path).toMatch(/script-src 'self'(;|$)/);
      expect(a.headers['content-security-policy'], path).not.toMatch(/unsafe-inline/);
      expect(a.headers['x-content-type-options'], path).toBe('nosniff');
      expect(a.headers['referrer-policy'], path).toBeTruthy();
    }
  });

  it('the HTML list carries data-total and one data-dataset-id per result', async () => {
    const a = await get(served.url, '/?license=mit&per_page=10');
    const want = oracle(new URLSearchParams('license=mit&per_page=10'));
    expect(a.body).toContain(`data-total="${want.total}"`);
    const ids = [...a.body.matchAll(/data-dataset-id="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'"));
    expect(ids).toEqual(want.ids);
  });
});
