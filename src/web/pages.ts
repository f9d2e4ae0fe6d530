/**
 * PLACEHOLDER (branch i18-serve only): the smallest renderers with the signatures of model.ts, so the
 * server and its tests run. The real pages (branch i18-pages) replace this file entirely at merge.
 */
import type { ChangesPage, DatasetDetail, DatasetPage, DatasetQuery, PageContext, Stats } from './model.js';

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const href = (id: string): string => `/datasets/${encodeURIComponent(id)}`;
const doc = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><link rel="stylesheet" href="/assets/style.css"></head><body>${body}</body></html>\n`;

export function renderSearchPage(page: DatasetPage, query: DatasetQuery, _ctx: PageContext): string {
  const items = page.datasets.map((d) => `<li data-dataset-id="${esc(d.id)}"><a href="${esc(href(d.id))}">${esc(d.id)}</a></li>`).join('');
  return doc('Datasets', `<form action="/"><input name="q" value="${esc(query.q ?? '')}"></form><ol data-total="${page.total}">${items}</ol>`);
}

export function renderDatasetPage(detail: DatasetDetail, _ctx: PageContext): string {
  const id = (detail.record as { id?: string } | null)?.id ?? '';
  return doc(id, `<h1>${esc(id)}</h1><pre>${esc(JSON.stringify(detail.record, null, 2))}</pre>`);
}

export function renderChangesPage(changes: ChangesPage, _ctx: PageContext): string {
  const items = changes.events.map((e) => `<li data-dataset-id="${esc(e.id)}">${esc(e.kind)} <a href="${esc(href(e.id))}">${esc(e.id)}</a></li>`).join('');
  return doc('Changes', `<ol data-total="${changes.total}">${items}</ol>`);
}

export function renderStatsPage(stats: Stats, _ctx: PageContext): string {
  return doc('Stats', `<pre>${esc(JSON.stringify(stats, null, 2))}</pre>`);
}

export function renderErrorPage(status: number, message: string, _ctx: PageContext): string {
  return doc(`Error ${status}`, `<h1>${status}</h1><p>${esc(message)}</p>`);
}

export function renderAtomFeed(changes: ChangesPage, ctx: PageContext): string {
  const entries = changes.events.map((e) => `<entry><id>${esc(`${e.sync_id}:${e.kind}:${e.id}`)}</id><title>${esc(`${e.kind} ${e.id}`)}</title><updated>${esc(e.detected_at)}</updated></entry>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Changes</title><id>${esc(ctx.selfUrl ?? '')}</id><updated>${esc(ctx.dataAsOf ?? '')}</updated>${entries}</feed>\n`;
}

export function renderReport(stats: Stats, changes: ChangesPage, _ctx: PageContext): string {
  return doc('Report', `<pre>${esc(JSON.stringify(stats, null, 2))}</pre><ol data-total="${changes.total}">${changes.events.map((e) => `<li>${esc(e.id)}</li>`).join('')}</ol>`);
}

export const ASSETS: Record<string, { type: string; body: string | Uint8Array }> = {
  'style.css': { type: 'text/css; charset=utf-8', body: 'body{font-family:sans-serif}\n' },
};
