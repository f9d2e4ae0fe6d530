/** `/changes` (newest first, filter by kind, pages) and `/changes.atom` (the latest 200 as Atom 1.0). */
import { DEFAULT_PER_PAGE, EVENT_KINDS, FEED_SIZE, type ChangeEvent, type ChangesPage, type EventKind, type PageContext } from '../model.js';
import { type HtmlValue, datasetPath, escapeXml, html } from '../html.js';
import { formatInt } from '../format.js';
import { type DatasetLinker, linkToPage, shell } from '../layout.js';
import { eventsTable, pagination } from './parts.js';


export function changesUrl(kind: EventKind | null, page: number, perPage: number): string {
  const p = new URLSearchParams();
  if (kind) p.append('kind', kind);
  if (page > 1) p.append('page', String(page));
  if (perPage !== DEFAULT_PER_PAGE) p.append('per_page', String(perPage));
  const s = p.toString();
  return s === '' ? '/changes' : `/changes?${s}`;
}

/** The dataset cell of a change: its id (linked) and its pretty name. */
export function eventDataset(link: DatasetLinker): (e: ChangeEvent) => HtmlValue {
  return (e) => html`${link(e.id)}${e.pretty_name && e.pretty_name !== e.id ? html` <span class="muted">${e.pretty_name}</span>` : null}`;
}

export function renderChangesPage(changes: ChangesPage, ctx: PageContext): string {
  const tabs = ([null, ...EVENT_KINDS] as Array<EventKind | null>).map((k) => {
    const label = k ?? 'all';
    return k === changes.kind
      ? html`<span aria-current="page">${label}</span>`
      : html`<a href="${changesUrl(k, 1, changes.per_page)}">${label}</a>`;
  });
  const pages = Math.max(1, Math.ceil(changes.total / Math.max(1, changes.per_page)));
  const body = html`<div class="report-head"><h1>Changes</h1><a class="small" href="/changes.atom">Atom feed</a></div>
<p class="muted">What each sync saw change on the Hub: datasets added, updated (a new commit), restored (listed again) and removed. Newest first.</p>
<div class="toolbar"><nav class="pagination kinds" aria-label="Kind of change">${tabs}</nav><div class="muted">${formatInt(changes.total)} ${changes.total === 1 ? 'change' : 'changes'}</div></div>
<div class="panel changes" data-total="${changes.total}">${eventsTable(changes.events, eventDataset(linkToPage))}</div>
${pagination(changes.page, pages, (p) => changesUrl(changes.kind, p, changes.per_page))}`;
  const apiQuery = changesUrl(changes.kind, changes.page, changes.per_page).slice('/changes'.length);
  return shell({
    title: 'Changes', nav: 'changes', ctx, body, jsonHref: `/api/changes${apiQuery}`,
    head: html`<link rel="alternate" type="application/atom+xml" title="Changes of the Hub's datasets" href="/changes.atom">`,
  });
}

/** The site's base URL for absolute links (from the feed's own URL), or "" when unknown. */
function baseOf(ctx: PageContext): string {
  if (!ctx.selfUrl) return '';
  try {
    return new URL(ctx.selfUrl).origin;
  } catch {
    return '';
  }
}

/** Atom 1.0 (RFC 4287): one entry per event, linking to the dataset's page; every text escaped for XML. */
export function renderAtomFeed(changes: ChangesPage, ctx: PageContext): string {
  const base = baseOf(ctx);
  const x = escapeXml;
  const newest = changes.events[0]?.detected_at ?? ctx.dataAsOf ?? new Date(0).toISOString();
  const feedId = base ? `${base}/changes` : 'urn:hf-datasets:changes';
  const entries = changes.events.slice(0, FEED_SIZE).map((e) => {
    const href = `${base}${datasetPath(e.id)}`;
    const title = `${e.kind}: ${e.id}`;
    const summary = `${e.id}${e.pretty_name ? ` (${e.pretty_name})` : ''} was ${e.kind} in sync ${e.sync_id}.`;
    return `  <entry>
    <id>${x(`${href}#sync-${e.sync_id}-${e.kind}`)}</id>
    <title>${x(title)}</title>
    <updated>${x(e.detected_at)}</updated>
    <link rel="alternate" type="text/html" href="${x(href)}"/>
    <category term="${x(e.kind)}"/>
    <summary type="text">${x(summary)}</summary>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${x(feedId)}</id>
  <title>${x(`Changes of the Hub's datasets${changes.kind ? ` (${changes.kind})` : ''}`)}</title>
  <subtitle>${x(`Datasets added, updated, restored and removed, as seen by the catalog ${ctx.catalogPath}`)}</subtitle>
  <updated>${x(newest)}</updated>
  <author><name>hf-datasets</name></author>
  <generator>hf-datasets</generator>
${ctx.selfUrl ? `  <link rel="self" type="application/atom+xml" href="${x(ctx.selfUrl)}"/>\n` : ''}  <link rel="alternate" type="text/html" href="${x(`${base}/changes`)}"/>
${entries.join('\n')}
</feed>
`;
}
