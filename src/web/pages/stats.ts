/** `/stats`: the Hub at a glance (totals, charts, top lists); the same body is the report's overview. */
import type { Bucket, PageContext, Stats, SyncInfo, TopEntry } from '../model.js';
import { type HtmlValue, SafeHtml, html } from '../html.js';
import { formatBytes, formatCount, formatDateTime, formatInt, formatMonth } from '../format.js';
import { barChart, columnChart } from '../charts.js';
import { type DatasetLinker, linkToPage, shell } from '../layout.js';

function card(n: number, what: string, note?: HtmlValue): SafeHtml {
  return html`<div class="card"><div class="n" title="${formatInt(n)}">${formatCount(n)}</div><div class="what">${what}</div>${note ? html`<div class="what">${note}</div>` : null}</div>`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}% of present` : '';
}

function syncLine(label: string, s: SyncInfo | null): SafeHtml | null {
  if (s === null) return null;
  return html`<li>${label}: sync ${formatInt(s.sync_id)}${s.complete ? '' : ' (not complete)'}, ${s.finished_at ? html`finished ${formatDateTime(s.finished_at)}` : s.started_at ? html`started ${formatDateTime(s.started_at)}` : ''} — ${formatInt(s.added)} added, ${formatInt(s.updated)} updated, ${formatInt(s.restored)} restored, ${formatInt(s.removed)} removed, ${formatInt(s.unchanged)} unchanged</li>`;
}

const bars = (b: readonly Bucket[]) => b.map((x) => ({ label: x.label, value: x.count }));

function topTable(title: string, entries: readonly TopEntry[], link: DatasetLinker, kind: 'downloads' | 'risers'): SafeHtml {
  if (entries.length === 0) {
    const note = kind === 'risers' ? 'Needs two complete syncs.' : 'No data yet.';
    return html`<div class="panel"><h3>${title}</h3><p class="muted">${note}</p></div>`;
  }
  const rows = entries.map((e, i) => html`<tr data-dataset-id="${e.id}"><td class="num muted">${i + 1}</td><td>${link(e.id)}</td><td class="num" title="${formatInt(e.downloads)}">${formatCount(e.downloads)}</td>${kind === 'risers' ? html`<td class="num" title="${formatInt(e.delta)}">${e.delta !== null && e.delta > 0 ? '+' : ''}${formatCount(e.delta)}</td>` : null}</tr>`);
  return html`<div class="panel"><h3>${title}</h3><div class="table-wrap"><table><thead><tr><th class="num">#</th><th>Dataset</th><th class="num">Downloads</th>${kind === 'risers' ? html`<th class="num">Gained</th>` : null}</tr></thead><tbody>${rows}</tbody></table></div></div>`;
}

/** The overview: what `/stats` shows and the report opens with. */
export function statsBody(stats: Stats, link: DatasetLinker): SafeHtml {
  const t = stats.totals;
  const present = t.present;
  return html`<section class="overview" data-present="${present}">
<div class="cards">
${card(present, 'datasets on the Hub')}
${card(t.removed, 'removed since the first sync')}
${card(t.with_rows, 'with rows known', pct(t.with_rows, present))}
${card(t.with_license, 'with a license', pct(t.with_license, present))}
</div>
${stats.last_complete_sync || stats.last_sync ? html`<ul class="sync-lines muted small">${syncLine('Last complete sync', stats.last_complete_sync)}${stats.last_sync && stats.last_sync.sync_id !== stats.last_complete_sync?.sync_id ? syncLine('Latest sync', stats.last_sync) : null}</ul>` : html`<p class="muted">No sync yet.</p>`}
</section>
<h2>Growth</h2>
<div class="charts-wide">
${columnChart('Datasets created per month', stats.created_per_month.map((b) => ({ label: formatMonth(b.label), value: b.count })), { width: 1100 })}
</div>
<h2>Shares (top 20)</h2>
<div class="charts">
${barChart('License', bars(stats.licenses), { total: present })}
${barChart('Task category', bars(stats.task_categories), { total: present })}
${barChart('Modality', bars(stats.modalities), { total: present })}
</div>
<h2>Sizes (log scale)</h2>
<div class="charts">
${columnChart('Rows per dataset (dataset viewer)', bars(fillLogGaps(stats.rows_distribution)), { xLabel: 'rows' })}
${columnChart('Bytes per dataset', bars(fillLogGaps(stats.bytes_distribution)).map((b) => ({ ...b, label: bytesLabel(b.label), tip: `${bytesLabel(b.label)}: ${formatCount(b.value)} datasets` })), { xLabel: 'total size' })}
</div>
<h2>Most downloaded and rising</h2>
<div class="charts">
${topTable('Top 20 by downloads', stats.top_downloads, link, 'downloads')}
${topTable('Top 20 risers since the previous complete sync', stats.top_risers, link, 'risers')}
</div>`;
}

const UNIT: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12, P: 1e15 };

/** The range of a log-bucket label ("0", "1–9", "10k–100k", "1M–10M", "1B–10B"), or null when it is not one. */
function bucketRange(label: string): [number, number] | null {
  if (label === '0') return [0, 0];
  const m = /^(\d+(?:\.\d+)?)([kKMBGTP]?)\s*[–-]\s*(\d+(?:\.\d+)?)([kKMBGTP]?)$/.exec(label);
  if (!m) return null;
  return [Number(m[1]) * UNIT[m[2]!]!, Number(m[3]) * UNIT[m[4]!]!];
}

/** A power-of-ten bucket's label in the read queries' style ("1–9", "10–99", "1k–10k", "1M–10M"). */
function powerLabel(k: number): string {
  if (k < 0) return '0';
  const short = (n: number): string => {
    for (const [div, unit] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) if (n >= div) return `${n / div}${unit}`;
    return String(n);
  };
  return k < 3 ? `${10 ** k}–${10 ** (k + 1) - 1}` : `${short(10 ** k)}–${short(10 ** (k + 1))}`;
}

/** Log-scale buckets with the empty ones between the smallest and the largest put back (a gap is shown as a gap). */
export function fillLogGaps(buckets: readonly Bucket[]): Bucket[] {
  const byK = new Map<number, Bucket>();
  for (const b of buckets) {
    const r = bucketRange(b.label);
    if (r === null) return [...buckets];
    byK.set(r[0] === 0 ? -1 : Math.round(Math.log10(r[0])), b);
  }
  if (byK.size === 0) return [];
  const ks = [...byK.keys()];
  const out: Bucket[] = [];
  for (let k = Math.min(...ks); k <= Math.max(...ks); k++) out.push(byK.get(k) ?? { label: powerLabel(k), count: 0 });
  return out;
}

/** A bytes bucket read as sizes: "1M–10M" → "1–10 MB", "100M–1B" → "100 MB–1 GB". */
function bytesLabel(label: string): string {
  const r = bucketRange(label);
  if (r === null || r[1] === 0) return label === '0' ? '0 B' : label;
  const hi = label.includes('–') && /\d$/.test(label) && r[1] < 1000 ? r[1] + 1 : r[1];
  const [a, b] = [formatBytes(r[0]), formatBytes(hi)];
  const [na, ua] = a.split(' ');
  const [nb, ub] = b.split(' ');
  return ua === ub ? `${na}–${nb} ${ub}` : `${a}–${b}`;
}

export function renderStatsPage(stats: Stats, ctx: PageContext): string {
  const body = html`<h1>The Hub at a glance</h1>${statsBody(stats, linkToPage)}`;
  return shell({ title: 'Stats', nav: 'stats', ctx, body, jsonHref: '/api/stats' });
}
