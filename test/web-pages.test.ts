/**
 * The pages and the report as strings: the escaping template, links only for http(s), ids encoded whole, and every
 * renderer fed the hostile corpus (markup in ids, names, descriptions, homepages, tags, file paths, control
 * characters, a 1 MB description, 10,000 files) shows the text literally and makes no element or attribute of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecord } from '../src/record/build.js';
import type { DatasetRecord, RawDataset } from '../src/types.js';
import { SafeHtml, datasetPath, escapeHtml, escapeXml, externalLink, html, httpUrl, isSafeHref } from '../src/web/html.js';
import { formatBytes, formatCount, formatDate, formatDateTime, formatInt } from '../src/web/format.js';
import { barChart, columnChart, lineChart, niceMax } from '../src/web/charts.js';
import { fillLogGaps } from '../src/web/pages/stats.js';
import type { PageContext } from '../src/web/model.js';
import {
  ASSETS, renderAtomFeed, renderChangesPage, renderDatasetPage, renderErrorPage, renderReport, renderSearchPage, renderStatsPage,
} from '../src/web/pages.js';
import { ROOT } from './helpers/cli.js';
import { changesOf, detailOf, emptyQuery, eventsOf, pageOf, statsOf } from './helpers/web-data.js';

const E = 'http://hub.test';
const CTX: PageContext = { catalogPath: '/tmp/<b>cat</b>.duckdb', dataAsOf: '2025-01-02T03:04:05.000Z', hubEndpoint: E, selfUrl: 'http://127.0.0.1:8080/changes.atom' };
const XSS = 'xss/<img src=x onerror=alert(1)>';
const EVIL = 'evil/../../escape';

/** The usable records of the hostile corpus, as collect builds them. */
const RECORDS: DatasetRecord[] = (() => {
  const corpus = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'hostile.json'), 'utf8')) as RawDataset[];
  const out = new Map<string, DatasetRecord>();
  for (const raw of corpus) {
    try {
      const r = buildRecord(raw, { endpoint: E, collectedAt: '2025-01-01T00:00:00.000Z' });
      if (!out.has(r.id)) out.set(r.id, r);
    } catch {
      // an unusable id: not a record
    }
  }
  return [...out.values()];
})();
const rec = (id: string): DatasetRecord => RECORDS.find((r) => r.id === id)!;

interface Tag { name: string; attrs: Array<[string, string | null]> }

/** Every start tag of a document we render (attribute values are always double-quoted and escaped, so this is exact). */
function tags(doc: string): Tag[] {
  const out: Tag[] = [];
  for (const m of doc.matchAll(/<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s=>"'/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Array<[string, string | null]> = [];
    for (const a of m[2]!.matchAll(/\s+([^\s=>"'/]+)(?:="([^"]*)")?/g)) attrs.push([a[1]!.toLowerCase(), a[2] ?? null]);
    out.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'link', 'script', 'style', 'body', 'header', 'nav', 'main', 'footer', 'div', 'span', 'a',
  'h1', 'h2', 'h3', 'p', 'b', 'code', 'pre', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'time', 'form',
  'input', 'select', 'option', 'button', 'label', 'aside', 'section', 'article', 'details', 'summary', 'noscript', 'figure', 'figcaption',
  'svg', 'g', 'rect', 'line', 'polyline', 'circle', 'text']);

/** What any rendered document must hold to: our tags only, no handler or style attribute, URLs of our own or http(s). */
function expectSafe(doc: string, where: string, opts: { report?: boolean } = {}): void {
  // nothing but our own markup: a `<` of the data is always escaped, so no tag of it can appear
  expect(doc.startsWith('<!doctype html>'), where).toBe(true);
  for (const t of tags(doc)) {
    expect(ALLOWED_TAGS.has(t.name), `${where}: <${t.name}>`).toBe(true);
    for (const [name, value] of t.attrs) {
      expect(name.startsWith('on'), `${where}: ${name} on <${t.name}>`).toBe(false);
      expect(name, where).not.toBe('style');
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name)) {
        const ok = value !== null && (isSafeHref(value.replaceAll('&amp;', '&')) || (t.name === 'link' && value === 'data:,'));
        expect(ok, `${where}: ${name}="${value}" on <${t.name}>`).toBe(true);
        expect(value!.toLowerCase(), where).not.toMatch(/^\s*(javascript|data:text|vbscript)/);
      }
    }
    if (t.name === 'script') {
      expect(opts.report, `${where}: a script in the report`).not.toBe(true);
      expect(t.attrs, where).toEqual([['src', '/assets/app.js'], ['defer', null]]);
    }
  }
  // an inline script is never there: the only script element is the empty one loading /assets/app.js
  expect(doc.match(/<script\b/gi)?.length ?? 0, where).toBe(opts.report ? 0 : 1);
  expect(doc, where).not.toContain('<script>');
  if (opts.report) expect(doc.match(/<style>/g)?.length, where).toBe(1);
  else expect(doc, where).not.toContain('<style');
}

describe('the escaping template', () => {
  it('escapes text and attribute values, keeps fragments, joins lists, drops null/false', () => {
    const t = `<script>alert("x")</script>&'`;
    expect(html`<p title="${t}">${t}</p>`.value).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
    expect(html`<b>${html`<i>${'<'}</i>`}</b>`.value).toBe('<b><i>&lt;</i></b>');
    expect(html`${['<a>', new SafeHtml('<br>'), 1, null, false, undefined]}`.value).toBe('&lt;a&gt;<br>1');
    expect(escapeHtml('a\u0000b\ud800c')).toBe('a\uFFFDb\uFFFDc');
    expect(escapeHtml('😀')).toBe('😀');
  });

  it('a URL attribute takes only our paths and http(s): javascript:, data:, //other and garbage become "#"', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>', '//evil.example/x', '/\\evil.example', 'vbscript:x', 'mailto:a@b']) {
      expect(html`<a href="${bad}">x</a>`.value, bad).toBe('<a href="#">x</a>');
    }
    expect(html`<a href="${'/datasets/a%2Fb?x=1&y=2'}">x</a>`.value).toBe('<a href="/datasets/a%2Fb?x=1&amp;y=2">x</a>');
    expect(html`<a href="${'https://example.org/a"b'}">x</a>`.value).toBe('<a href="https://example.org/a&quot;b">x</a>');
  });

  it('externalLink makes a link for http(s) only; anything else is text', () => {
    expect(externalLink('https://github.com/a/b').value).toBe('<a class="external" href="https://github.com/a/b" rel="noopener noreferrer nofollow">https://github.com/a/b</a>');
    for (const bad of ["javascript:alert('homepage')", 'data:text/html,<script>alert(1)</script>', 'ftp://x', 'www.example.org', '', null, 42]) {
      const out = externalLink(bad).value;
      expect(out, String(bad)).not.toContain('<a');
      expect(out).toMatch(/^<span class="not-a-link">/);
    }
    expect(externalLink("javascript:alert('x')").value).toBe('<span class="not-a-link">javascript:alert(&#39;x&#39;)</span>');
    expect(httpUrl('HTTPS://Example.org')).toBe('https://example.org/');
  });

  it('ids go into URLs whole: / and dots encoded, lone surrogates replaced', () => {
    expect(datasetPath(EVIL)).toBe('/datasets/evil%2F..%2F..%2Fescape');
    expect(datasetPath('a/b')).toBe('/datasets/a%2Fb');
    expect(datasetPath(XSS)).toBe('/datasets/xss%2F%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
    expect(datasetPath('surrogate/lone\ud800id')).toBe('/datasets/surrogate%2Flone%EF%BF%BDid');
    // the browser keeps it whole: it resolves to itself, not to a parent folder
    expect(new URL(datasetPath(EVIL), 'http://h/').pathname).toBe('/datasets/evil%2F..%2F..%2Fescape');
  });

  it('escapeXml replaces what XML 1.0 cannot hold', () => {
    expect(escapeXml('a<b>&"\'\u0000\u001b\t\n\ud800')).toBe('a&lt;b&gt;&amp;&quot;&apos;\uFFFD\uFFFD\t\n\uFFFD');
  });
});

describe('numbers and dates for people', () => {
  it('formats counts, bytes and dates', () => {
    expect([0, 999, 1000, 1234, 999_499, 999_500, 1_250_000, 3e9, null].map(formatCount)).toEqual(['0', '999', '1K', '1.2K', '999K', '1M', '1.3M', '3B', '–']);
    expect([0, 999, 1000, 3_400_000_000, 1.5e12, 999_960].map(formatBytes)).toEqual(['0 B', '999 B', '1 kB', '3.4 GB', '1.5 TB', '1 MB']);
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatDate('2024-03-05T14:02:00Z')).toBe('5 Mar 2024');
    expect(formatDateTime('2024-03-05T14:02:00Z')).toBe('5 Mar 2024, 14:02 UTC');
    expect(formatDate('not a date')).toBe('–');
  });
});

describe('charts', () => {
  it('draw SVG with a title, labels and values as text; nothing when there is no data', () => {
    const bars = barChart('License', [{ label: '<script>', value: 10 }, { label: 'mit', value: 5 }], { total: 20 });
    expect(bars.value).toContain('<figcaption>License</figcaption>');
    expect(bars.value).toContain('&lt;script&gt;');
    expect(bars.value).toContain('10 (50.0%)');
    expect(bars.value.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(columnChart('Per month', [{ label: 'Jan 2024', value: 3 }, { label: 'Feb 2024', value: 0 }]).value.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(columnChart('Per month', []).value).toContain('No data yet.');
    const line = lineChart('History', [{ label: 'a', a: 10, b: 1 }, { label: 'b', a: 20, b: 2 }], { a: 'downloads', b: 'likes' });
    expect(line.value.match(/<polyline/g)).toHaveLength(2);
    expect(line.value).toContain('downloads (left axis)');
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
  });

  it('log buckets get their empty neighbours back, so a gap shows as a gap', () => {
    expect(fillLogGaps([{ label: '0', count: 1 }, { label: '10–99', count: 2 }, { label: '10k–100k', count: 3 }]).map((b) => `${b.label}:${b.count}`))
      .toEqual(['0:1', '1–9:0', '10–99:2', '100–999:0', '1k–10k:0', '10k–100k:3']);
    expect(fillLogGaps([{ label: 'odd', count: 1 }])).toEqual([{ label: 'odd', count: 1 }]);
  });
});

describe('every page with the hostile corpus', () => {
  it('the corpus carries the browser cases', () => {
    expect(rec(XSS).info.pretty_name).toContain('<script>');
    expect(rec(XSS).links.homepage).toBe("javascript:alert('homepage')");
    expect(rec(XSS).info.description).toContain('onerror=');
    expect(rec(EVIL)).toBeDefined();
  });

  it('the search page: results and facets escaped, each result linked by its encoded id, data-total and data-dataset-id', () => {
    const query = emptyQuery({ q: '<script>alert("q")</script>', facets: { ...emptyQuery().facets, language: ['<b>x</b>'] }, page: 2, per_page: 200, min_rows: 5000, max_bytes: 1e9 });
    const doc = renderSearchPage(pageOf(RECORDS, query, 1234), query, CTX);
    expectSafe(doc, 'search');
    expect(doc).toContain('data-total="1234"');
    for (const r of RECORDS.slice(0, 200)) expect(doc, r.id).toContain(`data-dataset-id="${escapeHtml(r.id)}"`);
    expect(doc).toContain(`href="/datasets/evil%2F..%2F..%2Fescape"`);
    expect(doc).toContain('&lt;script&gt;alert(&#39;pretty&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(&#39;pretty&#39;)&gt;');
    expect(doc).toContain('value="&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;"');
    // a facet value from the URL is kept as a hidden field and a chip, escaped
    expect(doc).toContain('<input type="hidden" name="language" value="&lt;b&gt;x&lt;/b&gt;">');
    // facet links toggle the value: the chosen one off, another one on (page back to 1)
    const langLinks = [...doc.matchAll(/<a href="([^"]*)"[^>]*data-facet="language" data-value="([^"]*)"/g)];
    expect(langLinks.length).toBeGreaterThan(0);
    for (const [, href, value] of langLinks) {
      const p = new URLSearchParams(href!.replaceAll('&amp;', '&').slice(2));
      const chosen = p.getAll('language');
      if (value === '&lt;b&gt;x&lt;/b&gt;') expect(chosen).toEqual([]);
      else expect(chosen).toContain('<b>x</b>');
      expect(p.get('page')).toBeNull();
      expect(p.get('per_page')).toBe('200');
    }
    // pagination keeps the question
    expect(doc).toMatch(/<a href="\/\?q=[^"]*&amp;min_rows=5000&amp;max_bytes=1000000000&amp;page=3&amp;per_page=200" rel="next">/);
    // ranges: a value from the URL stays chosen, even one that is not a round step
    expect(doc).toContain('<option value="5000" selected>5K rows</option>');
    expect(doc).toContain('<option value="1000000000" selected>1 GB</option>');
  });

  it('a result from a partial conversion shows the estimate as such; others the viewer rows', () => {
    const viewer = (v: Record<string, unknown>) => ({ available: true, num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null, pending: [], failed: [], splits: [], ...v });
    const partial = { ...rec('weird/characters'), viewer: viewer({ partial: true, num_rows: 400_000_000, estimated_num_rows: 1_234_000_000 }) } as unknown as DatasetRecord;
    const whole = { ...rec(EVIL), viewer: viewer({ partial: false, num_rows: 2_500, estimated_num_rows: null }) } as unknown as DatasetRecord;
    const doc = renderSearchPage(pageOf([partial, whole], emptyQuery(), 2), emptyQuery(), CTX);
    const item = (id: string): string => doc.split(`data-dataset-id="${escapeHtml(id)}"`)[1]!.split('</li>')[0]!;
    expect(item(partial.id)).toContain('<b>~1.2B</b> rows (estimated)');
    expect(item(partial.id)).toContain('400,000,000');
    expect(item(partial.id)).not.toContain('<b>400M</b>');
    expect(item(whole.id)).toContain('<b>2.5K</b> rows');
    expect(item(whole.id)).not.toContain('estimated');
    const page = renderDatasetPage(detailOf(partial), CTX);
    expect(page).toContain('Rows (estimated)');
    expect(page).toContain('Rows converted');
  });

  it('an empty catalog and a question without answer say so', () => {
    const empty = renderSearchPage(pageOf([], emptyQuery(), 0), emptyQuery(), CTX);
    expectSafe(empty, 'empty');
    expect(empty).toContain('data-total="0"');
    expect(empty).toContain('The catalog holds no dataset yet');
    const none = renderSearchPage(pageOf([], emptyQuery({ q: 'zzz' }), 0), emptyQuery({ q: 'zzz' }), CTX);
    expect(none).toContain('No dataset matches');
    expect(none).not.toContain('rel="next"');
  });

  it('the dataset page of every hostile record: text literal, no javascript: or data: link, Hub link, files capped', () => {
    for (const r of RECORDS) {
      const doc = renderDatasetPage(detailOf(r), CTX);
      expectSafe(doc, r.id);
      expect(doc).toContain(`data-dataset-id="${escapeHtml(r.id)}"`);
    }
    const xss = renderDatasetPage(detailOf(rec(XSS)), CTX);
    expect(xss).toContain('<h1>xss/&lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(xss).toContain('&lt;script&gt;alert(&#39;description&#39;)&lt;/script&gt; &lt;img src=x onerror=&quot;alert(&#39;description&#39;)&quot;&gt;');
    expect(xss).toContain('<span class="not-a-link">javascript:alert(&#39;homepage&#39;)</span>');
    expect(xss).toContain('data/&lt;script&gt;alert(&#39;file&#39;)&lt;/script&gt;.csv');
    expect(xss).toContain('&lt;svg onload=alert(&#39;tag&#39;)&gt;');
    const evil = renderDatasetPage(detailOf(rec(EVIL)), CTX);
    expect(evil).toContain('<span class="not-a-link">data:text/html,&lt;script&gt;alert(&#39;evil&#39;)&lt;/script&gt;</span>');
    expect(evil).toContain('href="/api/datasets/evil%2F..%2F..%2Fescape"');
    const huge = renderDatasetPage(detailOf(rec('shape/huge-siblings')), CTX);
    expect(huge.match(/<td class="path">/g)).toHaveLength(500);
    expect(huge).toContain('and 9,500 more files');
    const big = renderDatasetPage(detailOf(rec('big/description-1mb')), CTX);
    expect(big.length).toBeLessThan(200_000);
    expect(big).toContain('The description is longer');
  });

  it('the dataset page shows the viewer block: totals, splits, estimated rows, pending and failed subsets', () => {
    const r = { ...rec('weird/characters'), viewer: {
      available: true, partial: true, num_rows: 1000, estimated_num_rows: 5_000_000, num_bytes_original_files: 1e9, num_bytes_parquet_files: 5e8, num_bytes_memory: 2e9,
      pending: ['<pending>'], failed: ['bad-config'],
      splits: [{ config: '<cfg>', split: 'train', num_rows: 1000, estimated_num_rows: 5_000_000, num_columns: 4, num_bytes_parquet_files: 5e8, num_bytes_memory: 2e9 }],
    } } as unknown as DatasetRecord;
    const doc = renderDatasetPage(detailOf(r), CTX);
    expectSafe(doc, 'viewer');
    expect(doc).toContain('Rows (estimated)');
    expect(doc).toContain('5M');
    expect(doc).toContain('&lt;pending&gt;');
    expect(doc).toContain('bad-config');
    expect(doc).toContain('&lt;cfg&gt;');
    const off = renderDatasetPage(detailOf({ ...r, viewer: { available: false, reason: '<ResponseNotFound>' } } as DatasetRecord), CTX);
    expect(off).toContain('&lt;ResponseNotFound&gt;');
  });

  it('the changes page, the stats page, the error page', () => {
    const changes = renderChangesPage(changesOf(eventsOf(RECORDS, 'updated'), 5000), CTX);
    expectSafe(changes, 'changes');
    expect(changes).toContain('href="/datasets/evil%2F..%2F..%2Fescape"');
    expect(changes).toContain('data-total="5000"');
    expect(changes).toContain('href="/changes?page=2" rel="next"');
    const first = [rec(XSS), rec(EVIL)];
    const stats = renderStatsPage(statsOf([...first, ...RECORDS.filter((r) => !first.includes(r))]), CTX);
    expectSafe(stats, 'stats');
    expect(stats).toContain('&lt;svg onload=alert(&#39;tag&#39;)&gt;');
    expect(stats).toContain('href="/datasets/xss%2F%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"');
    expect(stats).toContain('href="/datasets/evil%2F..%2F..%2Fescape"');
    expect(stats.match(/<svg class="chart-svg"/g)!.length).toBeGreaterThanOrEqual(6);
    const error = renderErrorPage(404, `no dataset "<script>alert(1)</script>"`, CTX);
    expectSafe(error, 'error');
    expect(error).toContain('no dataset &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(error).toContain('/tmp/&lt;b&gt;cat&lt;/b&gt;.duckdb');
  });

  it('the report: one file, inline style and SVG, no script, nothing loaded, data-total, Hub links', () => {
    const doc = renderReport(statsOf(RECORDS), changesOf(eventsOf(RECORDS, 'added'), 4321), { ...CTX, selfUrl: null });
    expectSafe(doc, 'report', { report: true });
    expect(doc.match(/data-total="[^"]*"/g)).toEqual(['data-total="4321"']);
    expect(doc).toContain(`${RECORDS.length} of 4,321 changes shown`);
    expect(tags(doc).filter((t) => t.attrs.some(([n]) => n === 'src'))).toEqual([]);
    expect(doc).toContain('@media print');
    expect(doc.match(/<svg class="chart-svg"/g)!.length).toBeGreaterThanOrEqual(6);
    // datasets link to the Hub (an id with a dot segment encoded whole)
    expect(doc).toContain(`href="${E}/datasets/evil%2F..%2F..%2Fescape"`);
    expect(doc).toContain(`href="${E}/datasets/xss/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"`);
  });

  it('the Atom feed: escaped XML, absolute links to the encoded dataset pages, no character XML forbids', () => {
    const feed = renderAtomFeed(changesOf(eventsOf(RECORDS, 'removed')), CTX);
    expect(feed.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')).toBe(true);
    expect(feed.match(/<entry>/g)).toHaveLength(RECORDS.length);
    expect(feed).toContain('<link rel="self" type="application/atom+xml" href="http://127.0.0.1:8080/changes.atom"/>');
    expect(feed).toContain('href="http://127.0.0.1:8080/datasets/evil%2F..%2F..%2Fescape"');
    expect(feed).toContain('<title>removed: xss/&lt;img src=x onerror=alert(1)&gt;</title>');
    expect(feed).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(feed).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(feed).not.toContain('<script');
    expect(feed).toContain("<title>Changes of the Hub&apos;s datasets</title>");
    expect(renderAtomFeed({ ...changesOf([]), kind: 'removed' }, CTX)).toContain("<title>Changes of the Hub&apos;s datasets (removed)</title>");
  });

  it('assets: the stylesheet, the script and the icon, served by name', () => {
    expect(Object.keys(ASSETS).sort()).toEqual(['app.js', 'favicon.svg', 'style.css']);
    expect(ASSETS['style.css']!.type).toMatch(/^text\/css/);
    expect(ASSETS['app.js']!.type).toMatch(/^text\/javascript/);
    expect(ASSETS['style.css']!.body).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//);
  });
});
