/**
 * The escaping template of the pages and the report: every value put into `html\`…\`` is escaped
 * (text and double-quoted attribute contexts alike), unless it is already rendered ({@link SafeHtml}).
 * Text from the Hub is data, never markup (SPEC, "The catalog browser"). Only node-free code here.
 */

/** A fragment that is already HTML (made by {@link html} or {@link raw}); only these are inserted as they are. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: text and numbers are escaped, fragments inserted, lists joined, nothing shown for null/false. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HTML_SPECIAL = /[&<>"'\u0000]/g;
const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\u0000': '\uFFFD' };

/** Escapes text for an HTML text node or a quoted attribute value (NUL and lone surrogates become U+FFFD). */
export function escapeHtml(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(HTML_SPECIAL, (c) => HTML_ENTITY[c]!);
}

/** Characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE/U+FFFF; lone surrogates): U+FFFD instead. */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML (the Atom feed): the five entities, and characters XML cannot hold replaced. */
export function escapeXml(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(XML_INVALID, '\uFFFD').replace(XML_SPECIAL, (c) => XML_ENTITY[c]!);
}

/** Marks trusted markup as HTML (never call it with text from the Hub or the URL). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** An attribute that takes a URL: what precedes the value in the template ends with `href="` (or src, action, xlink:href). */
const URL_ATTRIBUTE = /\b(?:href|src|action|xlink:href|formaction)="$/i;

/** Whether `url` may be put into a URL attribute: a path of this site, a query, a fragment, or http(s). */
export function isSafeHref(url: string): boolean {
  if (/^\/(?![/\\])/.test(url) || url.startsWith('?') || url.startsWith('#')) return true;
  return httpUrl(url) !== null;
}

function render(value: HtmlValue, inUrlAttribute: boolean): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v, false)).join('');
  const text = String(value);
  // a URL attribute only takes our own paths and http(s): anything else (javascript:, data:, //other) becomes "#"
  if (inUrlAttribute && !isSafeHref(text)) return '#';
  return escapeHtml(text);
}

/** The escaping template tag: `html\`<p title="${t}">${text}</p>\`` escapes `t` and `text`. Attributes must be double-quoted. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i], URL_ATTRIBUTE.test(strings[i]!)) + strings[i + 1]!;
  }
  return new SafeHtml(out);
}

/** Joins fragments with a separator (itself escaped unless it is a fragment). */
export function join(items: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  const sep = render(separator, false);
  return new SafeHtml(items.map((v) => render(v, false)).join(sep));
}

/** The URL when it is an absolute http: or https: URL (normalised by the URL parser), else null. */
export function httpUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    const u = new URL(trimmed);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * A link for an http(s) URL from the data (a homepage, a GitHub or paper URL); anything else
 * (`javascript:`, `data:`, a relative path, garbage) is shown as text, never as a link.
 * External links open no referrer and carry rel="noopener noreferrer nofollow".
 */
export function externalLink(url: unknown, label?: HtmlValue): SafeHtml {
  const text = label ?? (typeof url === 'string' ? url : '');
  const href = httpUrl(url);
  if (href === null) return html`<span class="not-a-link">${text}</span>`;
  return html`<a class="external" href="${href}" rel="noopener noreferrer nofollow">${text}</a>`;
}

/** Replaces lone surrogates (which encodeURIComponent refuses) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** The path of a dataset's page: the id encoded whole, `/` included (`evil/../../escape` → `/datasets/evil%2F..%2F..%2Fescape`). */
export function datasetPath(id: string): string {
  return `/datasets/${encodeURIComponent(wellFormed(id))}`;
}
