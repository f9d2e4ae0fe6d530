/**
 * The HTML of the catalog browser and the report (SPEC, "The catalog browser"): each renderer takes the data
 * shapes of src/web/model.ts and returns the whole document as a string. Every value from the Hub or the URL
 * goes through the escaping template (src/web/html.ts); only http(s) URLs become links; the served pages load
 * their stylesheet and script from /assets/ (ASSETS) and hold no inline script, handler or style attribute.
 */
import type { PageContext } from './model.js';
import { html } from './html.js';
import { shell } from './layout.js';

export { renderSearchPage } from './pages/search.js';
export { renderDatasetPage } from './pages/dataset.js';
export { renderChangesPage, renderAtomFeed } from './pages/changes.js';
export { renderStatsPage } from './pages/stats.js';
export { renderReport } from './pages/report.js';
export { ASSETS, type Asset } from './assets/index.js';

const TITLES: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 405: 'Method not allowed', 500: 'Something went wrong', 503: 'Unavailable' };

/** An error page (404 for an unknown dataset or path, 400 for a bad parameter): the status, the message, a way back. */
export function renderErrorPage(status: number, message: string, ctx: PageContext): string {
  const title = TITLES[status] ?? 'Error';
  const body = html`<div class="error-box"><div class="code">${status}</div><h1>${title}</h1><p>${message}</p><p><a href="/">Browse the datasets</a> · <a href="/changes">Changes</a> · <a href="/stats">Stats</a></p></div>`;
  return shell({ title: `${status} ${title}`, nav: null, ctx, body });
}
