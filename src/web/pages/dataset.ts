/** `/datasets/<id>`: one dataset from its stored record (read defensively: any field may be missing or odd). */
import type { DatasetDetail, PageContext } from '../model.js';
import { type HtmlValue, SafeHtml, datasetPath, externalLink, html } from '../html.js';
import { formatBytes, formatCount, formatDate, formatDateTime, formatInt } from '../format.js';
import { lineChart } from '../charts.js';
import { hubDatasetUrl, shell } from '../layout.js';
import { eventsTable, timeEl } from './parts.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Most files listed on the page (a dataset may have 100,000). */
const MAX_FILES = 500;
/** Most characters of a description shown (a card may hold megabytes). */
const MAX_DESCRIPTION = 20_000;

/** Most values of one list shown (a hostile card may hold 100,000 languages). */
const MAX_TAGS = 100;

function tagList(values: string[], cls = ''): HtmlValue {
  if (values.length === 0) return html`<span class="muted">–</span>`;
  const more = values.length > MAX_TAGS ? html`<span class="tag">+${formatInt(values.length - MAX_TAGS)} more</span>` : null;
  return html`<span class="tags">${values.slice(0, MAX_TAGS).map((v) => html`<span class="tag ${cls}">${v}</span>`)}${more}</span>`;
}

function fact(label: string, value: HtmlValue): SafeHtml {
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

function exact(n: number | null, show: (n: number | null) => string, unit = ''): HtmlValue {
  if (n === null) return html`<span class="muted">–</span>`;
  return html`<span title="${formatInt(n)}${unit}">${show(n)}</span>`;
}

function linksBlock(id: string, links: Obj, ctx: PageContext): SafeHtml {
  const items: HtmlValue[] = [];
  const hub = str(links.dataset_url) ?? hubDatasetUrl(ctx.hubEndpoint, id);
  items.push(html`<li><span class="kind-label">Hub</span>${externalLink(hub, 'dataset page')}</li>`);
  for (const g of strs(links.github)) items.push(html`<li><span class="kind-label">GitHub</span>${externalLink(g, g.replace(/^https?:\/\/(www\.)?github\.com\//i, ''))}</li>`);
  for (const p of list(links.papers)) {
    const paper = obj(p);
    const arxiv = str(paper.arxiv_id);
    items.push(html`<li><span class="kind-label">Paper</span>${externalLink(paper.url, arxiv ? `arXiv:${arxiv}` : str(paper.url) ?? '')}${str(paper.hf_paper_url) ? html` · ${externalLink(paper.hf_paper_url, 'on the Hub')}` : null}</li>`);
  }
  for (const d of strs(links.doi)) items.push(html`<li><span class="kind-label">DOI</span>${externalLink(`https://doi.org/${d}`, d)}</li>`);
  const home = str(links.homepage);
  if (home) items.push(html`<li><span class="kind-label">Homepage</span>${externalLink(home)}</li>`);
  const pwc = str(links.paperswithcode_id);
  if (pwc) items.push(html`<li><span class="kind-label">Papers with Code</span>${pwc}</li>`);
  return html`<ul class="links">${items}</ul>`;
}

function descriptionBlock(text: string | null): SafeHtml {
  if (!text) return html`<p class="muted">No description.</p>`;
  const chars = [...text.slice(0, MAX_DESCRIPTION * 2)];
  const shown = chars.length > MAX_DESCRIPTION ? chars.slice(0, MAX_DESCRIPTION).join('') : text;
  const note = shown.length < text.length ? html`<p class="note">The description is longer (${formatInt(text.length)} characters); the first ${formatInt(MAX_DESCRIPTION)} are shown.</p>` : null;
  return html`<pre class="description">${shown}</pre>${note}`;
}

function filesBlock(files: unknown[]): SafeHtml {
  if (files.length === 0) return html`<p class="muted">No files listed.</p>`;
  const rows = files.slice(0, MAX_FILES).map((f) => {
    const file = obj(f);
    const size = num(file.size);
    return html`<tr><td class="path">${str(file.path) ?? ''}</td><td class="num">${size === null ? html`<span class="muted">–</span>` : html`<span title="${formatInt(size)} bytes">${formatBytes(size)}</span>`}</td><td>${file.lfs === true ? 'LFS' : ''}</td></tr>`;
  });
  const more = files.length > MAX_FILES ? html`<p class="note">and ${formatInt(files.length - MAX_FILES)} more files (the JSON of this page lists them all).</p>` : null;
  return html`<div class="table-wrap"><table><thead><tr><th>Path</th><th class="num">Size</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>${more}`;
}

function viewerBlock(viewer: unknown): SafeHtml {
  if (viewer === null || viewer === undefined) return html`<p class="muted">Not asked (a sync with <code>--viewer-stats</code> fetches the viewer's rows and splits).</p>`;
  const v = obj(viewer);
  if (v.available !== true) return html`<p class="muted">The dataset viewer has no sizes for it: <code>${str(v.reason) ?? 'unknown'}</code>.</p>`;
  const estimated = num(v.estimated_num_rows);
  const pending = list(v.pending).map((c) => (typeof c === 'string' ? c : '(unnamed)'));
  const failed = list(v.failed).map((c) => (typeof c === 'string' ? c : '(unnamed)'));
  const facts = [
    // partial with an estimate: the estimate is the dataset's size, the count covers the converted part only
    estimated !== null ? fact('Rows (estimated)', html`~${exact(estimated, formatCount)}`) : null,
    fact(estimated !== null ? 'Rows converted' : 'Rows', exact(num(v.num_rows), formatCount)),
    v.partial === true ? fact('Partial', 'yes: the conversion stopped early; the numbers cover only the converted part') : null,
    fact('Original files', exact(num(v.num_bytes_original_files), formatBytes, ' bytes')),
    fact('Parquet files', exact(num(v.num_bytes_parquet_files), formatBytes, ' bytes')),
    fact('In memory', exact(num(v.num_bytes_memory), formatBytes, ' bytes')),
    pending.length > 0 ? fact('Pending subsets', tagList(pending)) : null,
    failed.length > 0 ? fact('Failed subsets', tagList(failed, 'removed')) : null,
  ];
  const anyEstimate = list(v.splits).some((s) => num(obj(s).estimated_num_rows) !== null);
  const splits = list(v.splits).map((s) => {
    const sp = obj(s);
    const est = num(sp.estimated_num_rows);
    return html`<tr><td>${str(sp.config) ?? '–'}</td><td>${str(sp.split) ?? '–'}</td><td class="num">${exact(num(sp.num_rows), formatCount)}</td>${anyEstimate ? html`<td class="num">${est === null ? '' : exact(est, formatCount)}</td>` : null}<td class="num">${formatInt(num(sp.num_columns))}</td><td class="num">${exact(num(sp.num_bytes_parquet_files), formatBytes, ' bytes')}</td><td class="num">${exact(num(sp.num_bytes_memory), formatBytes, ' bytes')}</td></tr>`;
  });
  const table = splits.length > 0
    ? html`<div class="table-wrap"><table><thead><tr><th>Subset</th><th>Split</th><th class="num">Rows</th>${anyEstimate ? html`<th class="num">Estimated</th>` : null}<th class="num">Columns</th><th class="num">Parquet</th><th class="num">Memory</th></tr></thead><tbody>${splits}</tbody></table></div>`
    : html`<p class="muted">No splits sized.</p>`;
  return html`<dl class="facts">${facts}</dl><h3 class="subhead">Subsets and splits</h3>${table}`;
}

export function renderDatasetPage(detail: DatasetDetail, ctx: PageContext): string {
  const r = obj(detail.record);
  const id = str(r.id) ?? '(unknown id)';
  const info = obj(r.info);
  const stats = obj(r.statistics);
  const links = obj(r.links);
  const additional = obj(r.additional);
  const pretty = str(info.pretty_name);
  const gated = additional.gated === 'auto' || additional.gated === 'manual' ? `yes (${additional.gated})` : 'no';
  const files = list(r.files);
  const errors = list(r.errors).map(obj);
  // points labelled by date, or by sync when two syncs share a day
  const days = detail.history.map((h) => formatDate(h.finished_at));
  const byDay = new Set(days).size === days.length && !days.includes('–');
  const history = detail.history.map((h, i) => ({ label: byDay ? days[i]! : `sync ${h.sync_id}`, a: h.downloads, b: h.likes }));
  const about = html`<dl class="facts">
${fact('License', tagList(strs(info.license), 'license'))}
${fact('Languages', tagList(strs(info.languages)))}
${fact('Tasks', tagList(strs(info.task_categories), 'task'))}
${strs(info.task_ids).length > 0 ? fact('Task ids', tagList(strs(info.task_ids))) : null}
${fact('Size category', tagList(strs(info.size_categories)))}
${fact('Modalities', tagList(strs(info.modalities)))}
${fact('Formats', tagList(strs(info.formats)))}
${fact('Libraries', tagList(strs(info.libraries)))}
${fact('Author', str(r.author) ? html`<a href="/?author=${encodeURIComponent(str(r.author)!)}">${str(r.author)}</a>` : html`<span class="muted">–</span>`)}
${fact('Gated', gated)}
${additional.disabled === true ? fact('Disabled', 'yes') : null}
${fact('Commit', str(r.sha) ? html`<code>${str(r.sha)!.slice(0, 12)}</code>` : html`<span class="muted">–</span>`)}
</dl>`;
  const statistics = html`<dl class="facts">
${fact('Downloads (30 days)', exact(num(stats.downloads), formatCount))}
${num(stats.downloads_all_time) !== null ? fact('Downloads (all time)', exact(num(stats.downloads_all_time), formatCount)) : null}
${fact('Likes', exact(num(stats.likes), formatCount))}
${num(stats.trending_score) !== null ? fact('Trending score', formatInt(num(stats.trending_score))) : null}
${fact('Files', formatInt(num(stats.file_count) ?? files.length))}
${fact('Total size', exact(num(stats.total_size_bytes), formatBytes, ' bytes'))}
${num(stats.used_storage_bytes) !== null ? fact('Storage used', exact(num(stats.used_storage_bytes), formatBytes, ' bytes')) : null}
${fact('Created', timeEl(str(stats.created_at)))}
${fact('Last modified', timeEl(str(stats.last_modified)))}
${fact('First seen', timeEl(detail.first_seen_at, true))}
${fact('Last seen', timeEl(detail.last_seen_at, true))}
${detail.removed_at ? fact('Removed', timeEl(detail.removed_at, true)) : null}
</dl>`;
  const tags = strs(info.tags);
  const body = html`<article class="dataset" data-dataset-id="${id}">
${detail.removed_at ? html`<div class="banner">This dataset is no longer listed on the Hub (removed ${formatDateTime(detail.removed_at)}); the last known record is shown.</div>` : null}
<div class="page-head"><h1>${id}</h1>${pretty && pretty !== id ? html`<p class="subtitle">${pretty}</p>` : null}${linksBlock(id, links, ctx)}</div>
<div class="grid-2">
<div>
<section class="panel"><h2 class="first">Description</h2>${descriptionBlock(str(info.description))}</section>
<section><h2>Downloads and likes</h2>${lineChart('Downloads and likes over the complete syncs', history, { a: 'downloads', b: 'likes' })}</section>
<section><h2>Dataset viewer</h2><div class="panel">${viewerBlock(r.viewer)}</div></section>
<section><h2>Files <span class="muted small">(${formatInt(files.length)})</span></h2><div class="panel">${filesBlock(files)}</div></section>
</div>
<div>
<section class="panel"><h2 class="first">About</h2>${about}</section>
<section class="panel"><h2>Statistics</h2>${statistics}</section>
${tags.length > 0 ? html`<section class="panel"><h2>Tags</h2>${tagList(tags)}</section>` : null}
${errors.length > 0 ? html`<section class="panel"><h2>Collection errors</h2><ul>${errors.map((e) => html`<li><code>${str(e.stage) ?? ''}</code> ${str(e.code) ?? ''}${num(e.status) !== null ? ` (HTTP ${num(e.status)})` : ''}: ${str(e.message) ?? ''}</li>`)}</ul></section>` : null}
<section class="panel"><h2>Events</h2>${eventsTable(detail.events, null)}</section>
</div>
</div>
</article>`;
  return shell({ title: id, nav: null, ctx, body, jsonHref: `/api${datasetPath(id)}` });
}
