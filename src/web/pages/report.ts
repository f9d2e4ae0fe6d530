/**
 * The report: the `/stats` overview and the latest changes as one self-contained HTML file. The stylesheet is
 * inline (a <style> element: the file is not served under the CSP), the charts are inline SVG, there is no
 * script and no request to anything (the favicon is an empty data: URL), and it prints (the print stylesheet).
 * Datasets link to their Hub page (the report is read away from `serve`). `data-total` (as on `/`) is on the list of
 * changes: how many the latest sync had (the list may show fewer).
 */
import type { ChangesPage, PageContext, Stats } from '../model.js';
import { SafeHtml, html, raw } from '../html.js';
import { formatDateTime, formatInt } from '../format.js';
import { STYLE_CSS } from '../assets/style.js';
import { footer, htmlDocument, linkToHub } from '../layout.js';
import { eventsTable } from './parts.js';
import { eventDataset } from './changes.js';
import { statsBody } from './stats.js';

export function renderReport(stats: Stats, changes: ChangesPage, ctx: PageContext): string {
  const link = linkToHub(ctx.hubEndpoint);
  const sync = stats.last_sync;
  const when = ctx.dataAsOf ?? sync?.finished_at ?? null;
  const more = changes.total > changes.events.length
    ? html`<p class="note">${formatInt(changes.events.length)} of ${formatInt(changes.total)} changes shown.</p>`
    : null;
  return htmlDocument(
    `Hugging Face Hub datasets — report${when ? ` of ${formatDateTime(when)}` : ''}`,
    html`<link rel="icon" href="data:,">
<style>${rawCss()}</style>`,
    html`<main class="report">
<div class="report-head"><h1>Hugging Face Hub datasets</h1><p class="muted">${when ? html`Report of ${formatDateTime(when)}` : 'Report'}</p></div>
${statsBody(stats, link)}
<h2>Latest changes${sync ? html` <span class="muted small">(sync ${formatInt(sync.sync_id)})</span>` : null}</h2>
<div class="panel changes" data-total="${changes.total}">${eventsTable(changes.events, eventDataset(link))}</div>
${more}
</main>
${footer(ctx, null)}`,
  );
}

/** The stylesheet as the content of a <style> element (a raw-text element: it must hold no `</style`). */
function rawCss(): SafeHtml {
  if (/<\/style/i.test(STYLE_CSS)) throw new Error('the stylesheet must not contain </style');
  return raw(STYLE_CSS);
}
