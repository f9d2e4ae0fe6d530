/** The page shell: head (own stylesheet, own deferred script, own favicon), the header nav, the footer. */
import type { PageContext } from './model.js';
import { type HtmlValue, SafeHtml, datasetPath, externalLink, html, wellFormed } from './html.js';
import { formatDateTime } from './format.js';

export type NavItem = 'browse' | 'changes' | 'stats' | null;

export interface ShellOptions {
  title: string;
  nav: NavItem;
  ctx: PageContext;
  body: HtmlValue;
  /** extra elements of <head> (e.g. the Atom feed's link) */
  head?: HtmlValue;
  /** the page's JSON twin (shown in the footer) */
  jsonHref?: string | null;
}

const NAV: Array<[Exclude<NavItem, null>, string, string]> = [
  ['browse', '/', 'Browse'],
  ['changes', '/changes', 'Changes'],
  ['stats', '/stats', 'Stats'],
];

export function header(active: NavItem): SafeHtml {
  const items = NAV.map(([key, href, label]) => (key === active
    ? html`<a href="${href}" aria-current="page">${label}</a>`
    : html`<a href="${href}">${label}</a>`));
  return html`<header class="site-header"><div class="inner"><a class="brand" href="/"><span class="logo" aria-hidden="true">&#9638;</span>hf-datasets</a><nav class="site-nav" aria-label="Main">${items}</nav></div></header>`;
}

export function footer(ctx: PageContext, jsonHref: string | null | undefined): SafeHtml {
  return html`<footer class="site-footer"><span>Catalog <code>${ctx.catalogPath}</code></span>${ctx.dataAsOf ? html`<span>data as of ${formatDateTime(ctx.dataAsOf)}</span>` : null}<span>Hub ${externalLink(ctx.hubEndpoint)}</span>${jsonHref ? html`<span class="no-print"><a href="${jsonHref}">JSON</a></span>` : null}</footer>`;
}

/** A whole HTML document: the head lines every document shares, then `head` (assets) and `body`. */
export function htmlDocument(title: HtmlValue, head: HtmlValue, body: HtmlValue): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`.value;
}

/** The whole document of a served page. */
export function shell(opts: ShellOptions): string {
  return htmlDocument(
    html`${opts.title} · hf-datasets`,
    html`<link rel="stylesheet" href="/assets/style.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/app.js" defer></script>
${opts.head}`,
    html`${header(opts.nav)}
<main>
${opts.body}
</main>
${footer(opts.ctx, opts.jsonHref)}`,
  );
}

/** How a dataset id is linked: to its page on this server, or (in the report's file) to the Hub. */
export type DatasetLinker = (id: string, label?: HtmlValue) => SafeHtml;

export const linkToPage: DatasetLinker = (id, label) => html`<a href="${datasetPath(id)}">${label ?? id}</a>`;

/** The Hub's page of a dataset: each segment encoded; an id with a `.`/`..`/empty segment is encoded whole. */
export function hubDatasetUrl(endpoint: string, id: string): string {
  const segments = wellFormed(id).split('/');
  const plain = segments.every((s) => s !== '' && s !== '.' && s !== '..');
  const path = plain ? segments.map(encodeURIComponent).join('/') : encodeURIComponent(wellFormed(id));
  return `${endpoint.replace(/\/+$/, '')}/datasets/${path}`;
}

export function linkToHub(endpoint: string): DatasetLinker {
  return (id, label) => externalLink(hubDatasetUrl(endpoint, id), label ?? id);
}
