/** Pieces shared by several pages: page links, a table of events, a time element. */
import type { ChangeEvent } from '../model.js';
import { type HtmlValue, SafeHtml, html } from '../html.js';
import { formatDate, formatDateTime, formatInt, isoOrNull } from '../format.js';

/** A date (or date and time) as a <time> element; "–" when unknown. */
export function timeEl(iso: string | null, withTime = false): HtmlValue {
  const dt = isoOrNull(iso);
  if (dt === null) return html`<span class="muted">–</span>`;
  return html`<time datetime="${dt}">${withTime ? formatDateTime(iso) : formatDate(iso)}</time>`;
}

/** Page links: first, last, and two either side of the current one. */
export function pagination(current: number, pages: number, urlOf: (page: number) => string): SafeHtml | null {
  if (pages <= 1) return null;
  const want = new Set([1, pages, current - 2, current - 1, current, current + 1, current + 2].filter((p) => p >= 1 && p <= pages));
  const sorted = [...want].sort((a, b) => a - b);
  const parts: HtmlValue[] = [];
  parts.push(current > 1 ? html`<a href="${urlOf(current - 1)}" rel="prev">&larr; Previous</a>` : html`<span class="disabled">&larr; Previous</span>`);
  let last = 0;
  for (const p of sorted) {
    if (p - last > 1) parts.push(html`<span class="gap">…</span>`);
    parts.push(p === current ? html`<span aria-current="page">${formatInt(p)}</span>` : html`<a href="${urlOf(p)}">${formatInt(p)}</a>`);
    last = p;
  }
  parts.push(current < pages ? html`<a href="${urlOf(current + 1)}" rel="next">Next &rarr;</a>` : html`<span class="disabled">Next &rarr;</span>`);
  return html`<nav class="pagination" aria-label="Pages">${parts}</nav>`;
}

/** Events as a table (newest first as given); `linkId` adds the dataset column. */
export function eventsTable(events: readonly ChangeEvent[], linkId: ((e: ChangeEvent) => HtmlValue) | null): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  const rows = events.map((e) => html`<tr><td>${timeEl(e.detected_at, true)}</td><td><span class="kind kind-${e.kind}">${e.kind}</span></td>${linkId ? html`<td>${linkId(e)}</td>` : null}<td class="num">sync ${formatInt(e.sync_id)}</td></tr>`);
  return html`<div class="table-wrap"><table><thead><tr><th>Detected</th><th>Change</th>${linkId ? html`<th>Dataset</th>` : null}<th class="num">Sync</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
