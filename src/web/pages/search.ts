/** `/`: search and browse. A GET form (every state in the URL), facets as links that toggle a value, pages of results. */
import { DEFAULT_PER_PAGE, FACETS, SORTS, type DatasetPage, type DatasetQuery, type DatasetSummary, type FacetName, type PageContext, type SortName } from '../model.js';
import { type HtmlValue, SafeHtml, datasetPath, html, raw } from '../html.js';
import { formatBytes, formatCount, formatDate, formatInt } from '../format.js';
import { shell } from '../layout.js';
import { pagination } from './parts.js';

export const FACET_LABELS: Record<FacetName, string> = {
  license: 'License', task: 'Task', language: 'Language', modality: 'Modality', format: 'Format', size_category: 'Size category', author: 'Author',
};

const SORT_LABELS: Record<SortName, string> = {
  downloads: 'Most downloads', likes: 'Most likes', trending: 'Trending', rows: 'Most rows', bytes: 'Largest', created: 'Newest', modified: 'Recently updated',
};

/** Facet values shown before "more". */
const SHOWN = 8;

/** The query string of a search state (defaults left out), `?…` or "" for the plain `/`. */
export function searchParams(q: DatasetQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.append('q', q.q);
  for (const f of FACETS) for (const v of q.facets[f] ?? []) p.append(f, v);
  if (q.gated !== null) p.append('gated', String(q.gated));
  for (const k of ['min_rows', 'max_rows', 'min_bytes', 'max_bytes'] as const) if (q[k] !== null) p.append(k, String(q[k]));
  if (q.sort !== 'downloads') p.append('sort', q.sort);
  if (q.page > 1) p.append('page', String(q.page));
  if (q.per_page !== DEFAULT_PER_PAGE) p.append('per_page', String(q.per_page));
  if (q.include_removed) p.append('include_removed', 'true');
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

export function searchUrl(q: DatasetQuery): string {
  return `/${searchParams(q)}`;
}

/** The state with `value` of `facet` switched on or off (back to page 1). */
function toggled(q: DatasetQuery, facet: FacetName, value: string): DatasetQuery {
  const current = q.facets[facet] ?? [];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return { ...q, facets: { ...q.facets, [facet]: next }, page: 1 };
}

function facetBlock(page: DatasetPage, q: DatasetQuery, facet: FacetName): SafeHtml | null {
  const counts = page.facets[facet] ?? [];
  const selected = q.facets[facet] ?? [];
  // a chosen value stays visible even when it is not among the top values
  const rows = [...counts];
  for (const v of selected) if (!rows.some((c) => c.value === v)) rows.unshift({ value: v, count: 0 });
  if (rows.length === 0) return null;
  const item = (value: string, count: number): SafeHtml => {
    const on = selected.includes(value);
    return html`<li><a href="${searchUrl(toggled(q, facet, value))}" class="${on ? 'selected' : ''}" title="${on ? `Remove the filter ${value}` : `Filter by ${value}`}" data-facet="${facet}" data-value="${value}"><span class="value" title="${value}">${value}</span><span class="count">${formatCount(count)}</span></a></li>`;
  };
  const first = rows.slice(0, SHOWN);
  const rest = rows.slice(SHOWN);
  return html`<h3>${FACET_LABELS[facet]}</h3><ul class="facet-list">${first.map((c) => item(c.value, c.count))}</ul>${rest.length > 0
    ? html`<details><summary>${rest.length} more</summary><ul class="facet-list">${rest.map((c) => item(c.value, c.count))}</ul></details>`
    : null}`;
}

const ROW_STEPS = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const BYTE_STEPS = [1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

type RangeKey = 'min_rows' | 'max_rows' | 'min_bytes' | 'max_bytes';

/** A range bound as a choice of round values ("any" = not given); a value from the URL that is not one of them is kept. */
function rangeSelect(q: DatasetQuery, name: RangeKey, steps: number[], show: (n: number) => string, label: string): SafeHtml {
  const current = q[name];
  const values = current !== null && !steps.includes(current) ? [...steps, current].sort((a, b) => a - b) : steps;
  const options = values.map((v) => html`<option value="${v}"${v === current ? raw(' selected') : ''}>${show(v)}</option>`);
  return html`<select name="${name}" aria-label="${label}"><option value="">${name.startsWith('min') ? 'no minimum' : 'no maximum'}</option>${options}</select>`;
}

function rangeInputs(q: DatasetQuery): SafeHtml {
  const rows = (n: number): string => `${formatCount(n)} rows`;
  return html`<h3>Ranges</h3>
<span class="field-label">Rows (dataset viewer)</span><div class="ranges">${rangeSelect(q, 'min_rows', ROW_STEPS, rows, 'At least this many rows')}${rangeSelect(q, 'max_rows', ROW_STEPS, rows, 'At most this many rows')}</div>
<span class="field-label">Total size</span><div class="ranges">${rangeSelect(q, 'min_bytes', BYTE_STEPS, formatBytes, 'At least this size')}${rangeSelect(q, 'max_bytes', BYTE_STEPS, formatBytes, 'At most this size')}</div>
<label class="field-label" for="gated">Gated</label><select id="gated" name="gated"><option value=""${q.gated === null ? raw(' selected') : ''}>any</option><option value="true"${q.gated === true ? raw(' selected') : ''}>gated only</option><option value="false"${q.gated === false ? raw(' selected') : ''}>not gated</option></select>
<label class="field-label"><input type="checkbox" name="include_removed" value="true"${q.include_removed ? raw(' checked') : ''}> include removed datasets</label>
<button class="apply secondary" type="submit">Apply</button>`;
}

/** The rows of a result: the viewer's estimate, marked as such, where its conversion was partial. */
function rowsMeta(d: DatasetSummary): SafeHtml | null {
  if (d.estimated_num_rows !== null) {
    return html`<span class="estimated" title="about ${formatInt(d.estimated_num_rows)} rows, the dataset viewer's estimate (it converted ${formatInt(d.num_rows)})"><b>~${formatCount(d.estimated_num_rows)}</b> rows (estimated)</span>`;
  }
  return d.num_rows !== null ? html`<span title="${formatInt(d.num_rows)} rows"><b>${formatCount(d.num_rows)}</b> rows</span>` : null;
}

function resultItem(d: DatasetSummary): SafeHtml {
  const tags: HtmlValue[] = [
    ...d.license.slice(0, 2).map((l) => html`<span class="tag license">${l}</span>`),
    ...d.task_categories.slice(0, 3).map((t) => html`<span class="tag task">${t}</span>`),
    ...d.modalities.slice(0, 2).map((m) => html`<span class="tag">${m}</span>`),
    ...d.languages.slice(0, 4).map((l) => html`<span class="tag">${l}</span>`),
  ];
  if (d.languages.length > 4) tags.push(html`<span class="tag">+${d.languages.length - 4} languages</span>`);
  if (d.gated === 'auto' || d.gated === 'manual') tags.push(html`<span class="tag">gated (${d.gated})</span>`);
  return html`<li class="result" data-dataset-id="${d.id}">
<div class="result-title"><a href="${datasetPath(d.id)}">${d.id}</a>${d.pretty_name && d.pretty_name !== d.id ? html`<span class="pretty">${d.pretty_name}</span>` : null}</div>
<div class="meta"><span title="${formatInt(d.downloads)} downloads"><b>${formatCount(d.downloads)}</b> downloads</span><span title="${formatInt(d.likes)} likes"><b>${formatCount(d.likes)}</b> likes</span>${rowsMeta(d)}${d.total_size_bytes !== null ? html`<span title="${formatInt(d.total_size_bytes)} bytes"><b>${formatBytes(d.total_size_bytes)}</b></span>` : null}${d.last_modified ? html`<span>updated ${formatDate(d.last_modified)}</span>` : null}</div>
${tags.length > 0 ? html`<div class="tags">${tags}</div>` : null}
</li>`;
}

function chips(q: DatasetQuery): SafeHtml | null {
  const items: HtmlValue[] = [];
  for (const f of FACETS) {
    for (const v of q.facets[f] ?? []) {
      items.push(html`<li class="chip">${FACET_LABELS[f]}: ${v} <a href="${searchUrl(toggled(q, f, v))}" aria-label="Remove ${FACET_LABELS[f]} ${v}" title="Remove">&times;</a></li>`);
    }
  }
  const without = (patch: Partial<DatasetQuery>): string => searchUrl({ ...q, ...patch, page: 1 });
  if (q.q) items.unshift(html`<li class="chip">“${q.q}” <a href="${without({ q: null })}" aria-label="Clear the search" title="Remove">&times;</a></li>`);
  if (q.gated !== null) items.push(html`<li class="chip">${q.gated ? 'gated' : 'not gated'} <a href="${without({ gated: null })}" title="Remove">&times;</a></li>`);
  for (const [k, label] of [['min_rows', 'rows ≥'], ['max_rows', 'rows ≤'], ['min_bytes', 'bytes ≥'], ['max_bytes', 'bytes ≤']] as const) {
    if (q[k] !== null) items.push(html`<li class="chip">${label} ${formatInt(q[k])} <a href="${without({ [k]: null })}" title="Remove">&times;</a></li>`);
  }
  if (q.include_removed) items.push(html`<li class="chip">removed included <a href="${without({ include_removed: false })}" title="Remove">&times;</a></li>`);
  if (items.length === 0) return null;
  return html`<ul class="chips">${items}<li><a class="small" href="/">Clear all</a></li></ul>`;
}

export function renderSearchPage(page: DatasetPage, query: DatasetQuery, ctx: PageContext): string {
  const pages = Math.max(1, Math.ceil(page.total / Math.max(1, page.per_page)));
  const from = page.total === 0 ? 0 : (page.page - 1) * page.per_page + 1;
  const to = Math.min(page.total, (page.page - 1) * page.per_page + page.datasets.length);
  const hidden = FACETS.flatMap((f) => (query.facets[f] ?? []).map((v) => html`<input type="hidden" name="${f}" value="${v}">`));
  const facets = FACETS.map((f) => facetBlock(page, query, f));
  const sortSelect = html`<label>Sort <select name="sort" data-autosubmit>${SORTS.map((s) => html`<option value="${s}"${s === query.sort ? raw(' selected') : ''}>${SORT_LABELS[s]}</option>`)}</select></label>`;
  const perPage = html`<label>Per page <select name="per_page" data-autosubmit>${[20, 50, 100, 200].concat([20, 50, 100, 200].includes(query.per_page) ? [] : [query.per_page]).map((n) => html`<option value="${n}"${n === query.per_page ? raw(' selected') : ''}>${n}</option>`)}</select></label>`;
  const results = page.datasets.length > 0
    ? html`<ol class="results" data-total="${page.total}">${page.datasets.map(resultItem)}</ol>`
    : html`<ol class="results" data-total="${page.total}"></ol><div class="empty panel">${page.total > 0
      ? 'No datasets on this page.'
      : searchParams({ ...query, page: 1, per_page: DEFAULT_PER_PAGE, sort: 'downloads' }) === ''
        ? html`The catalog holds no dataset yet: run <code>hf-datasets sync</code> to fill it.`
        : 'No dataset matches. Try fewer filters or another search.'}</div>`;
  const body = html`<form id="search-form" method="get" action="/" role="search">
<div class="search-bar"><input type="search" id="q" name="q" value="${query.q ?? ''}" placeholder="Search ids, names, descriptions and tags" aria-label="Search" autocomplete="off"><button type="submit">Search</button></div>
${hidden}
<div class="layout">
<aside class="facets panel" aria-label="Filters">${facets}${rangeInputs(query)}</aside>
<section aria-label="Results">
${chips(query)}
<div class="toolbar"><div class="muted">${page.total === 0 ? 'No datasets' : html`<b>${formatInt(from)}–${formatInt(to)}</b> of <b>${formatInt(page.total)}</b> datasets`}</div><div>${sortSelect} ${perPage} <noscript><button class="secondary" type="submit">Apply</button></noscript></div></div>
${results}
${pagination(page.page, pages, (p) => searchUrl({ ...query, page: p }))}
</section>
</div>
</form>`;
  return shell({ title: query.q ? `“${query.q}”` : 'Browse', nav: 'browse', ctx, body, jsonHref: `/api/datasets${searchParams(query)}` });
}
