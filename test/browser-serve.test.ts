/**
 * `serve` driven as a person uses it, in the system's Chromium (playwright-core): a fake Hub synced three times by the
 * real CLI (with the hostile corpus's markup-carrying datasets), `serve --port 0` as a child process. Search, click a
 * facet, change the sort, go to page 2, open a dataset, follow a change, read the Atom feed, open the hostile datasets.
 * Throughout: no console error (a CSP violation is one), no request to any other origin, no dialog from hostile markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir } from './helpers/cli.js';
import { HOSTILE_BROWSER_IDS, syncBrowseCatalog, type BrowseCatalog } from './helpers/browse-catalog.js';
import { startServe, type Served } from './helpers/serve.js';
import { SKIP_BROWSER, browserSuite, launchChromium } from './helpers/chromium.js';

const [XSS, EVIL] = HOSTILE_BROWSER_IDS;

describe.skipIf(SKIP_BROWSER)(browserSuite('serve in Chromium'), () => {
  let browser: Browser;
  let catalog: BrowseCatalog;
  let server: Served;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const foreign: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    const dir = tempDir('hfds-browse-');
    [browser, catalog] = await Promise.all([launchChromium(), syncBrowseCatalog(dir, { datasets: 150, hostile: true })]);
    server = await startServe(catalog.db);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const origin = new URL(server.url).origin;
    // any request to another origin is recorded and refused
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('data:') || new URL(u).origin === origin) return route.continue();
      foreign.push(u);
      return route.abort();
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()} (${page.url()})`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const total = async (): Promise<number> => Number(await page.getAttribute('[data-total]', 'data-total'));
  const resultIds = (): Promise<string[]> => page.$$eval('[data-dataset-id]', (els) => els.map((e) => e.getAttribute('data-dataset-id')!));
  const params = (): URLSearchParams => new URL(page.url()).searchParams;

  it('searches, clicks a facet, changes the sort, goes to page 2, opens a dataset', async () => {
    await page.goto(`${server.url}/`);
    expect(await total()).toBe(catalog.present.length);
    expect(await resultIds()).toHaveLength(50);

    // search: the form's GET puts q in the URL
    await page.fill('#q', 'dataset');
    await Promise.all([page.waitForURL(/[?&]q=dataset/), page.press('#q', 'Enter')]);
    // the page's script leaves empty fields and defaults out of the URL
    expect([...params().keys()]).toEqual(['q']);
    const searched = await total();
    expect(searched).toBeGreaterThan(50);
    expect(searched).toBeLessThanOrEqual(catalog.present.length);

    // a facet: its count is the total it leads to (every filter but its own applies), and the URL holds it
    const facet = page.locator('a[data-facet="license"]').first();
    const value = (await facet.getAttribute('data-value'))!;
    const count = Number((await facet.locator('.count').innerText()).replace(/,/g, ''));
    await Promise.all([page.waitForURL(/[?&]license=/), facet.click()]);
    expect(params().getAll('license')).toEqual([value]);
    expect(params().get('q')).toBe('dataset');
    expect(await total()).toBe(count);
    expect(await page.getAttribute(`a[data-facet="license"][data-value="${value}"]`, 'class')).toBe('selected');

    // drop the facet again (its chip), then sort by likes: the select submits the form (the page's script)
    await Promise.all([page.waitForURL((u) => !u.searchParams.has('license')), page.locator('.chip a[title="Remove"]').last().click()]);
    expect(await total()).toBe(searched);
    await Promise.all([page.waitForURL(/[?&]sort=likes/), page.selectOption('select[name="sort"]', 'likes')]);
    expect(params().get('q')).toBe('dataset');

    // a range: at least 100K rows (the fake viewer's datasets have 4 to 400K rows), applied with the filters' button
    await page.selectOption('select[name="min_rows"]', '100000');
    await Promise.all([page.waitForURL(/[?&]min_rows=100000/), page.click('button.apply')]);
    const ranged = await total();
    expect(ranged).toBeGreaterThan(50);
    expect(ranged).toBeLessThan(searched);
    expect([...params().keys()].sort()).toEqual(['min_rows', 'q', 'sort']);

    // page 2: the next 50, none repeated
    const first = await resultIds();
    await Promise.all([page.waitForURL(/[?&]page=2/), page.click('a[rel="next"]')]);
    expect(params().get('sort')).toBe('likes');
    const second = await resultIds();
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => first.includes(id))).toEqual([]);

    // open a dataset: its page, its id, its chart
    const id = second[0]!;
    await Promise.all([page.waitForURL(/\/datasets\//), page.click(`[data-dataset-id="${id}"] a`)]);
    expect(new URL(page.url()).pathname).toBe(`/datasets/${encodeURIComponent(id)}`);
    expect(await page.innerText('h1')).toBe(id);
    expect(await page.locator('figure.chart-line svg circle').count()).toBeGreaterThanOrEqual(3);
  });

  it('follows a change from /changes, filters by kind, reads the Atom feed', async () => {
    await page.goto(`${server.url}/changes`);
    const changes = await total();
    expect(changes).toBeGreaterThan(catalog.present.length); // every add, plus updates, removals and a restore
    await Promise.all([page.waitForURL(/kind=updated/), page.click('nav.kinds a:text-is("updated")')]);
    const updatedRows = page.locator('.changes tbody tr');
    expect(await updatedRows.count()).toBe(catalog.updated.length);
    expect(await page.locator('.changes .kind').allInnerTexts()).toEqual(Array(catalog.updated.length).fill('updated'));
    const link = updatedRows.first().locator('a');
    const id = await link.innerText();
    expect(catalog.updated).toContain(id);
    await Promise.all([page.waitForURL(/\/datasets\//), link.click()]);
    expect(await page.innerText('h1')).toBe(id);
    expect(await page.locator('.dataset .kind', { hasText: 'updated' }).count()).toBe(1);

    // the feed: well-formed Atom, the latest 200, entries linking to this server's dataset pages
    const feed = await page.request.get(`${server.url}/changes.atom`);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toMatch(/^application\/atom\+xml/);
    const xml = await feed.text();
    const parsed = await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml');
      const ns = 'http://www.w3.org/2005/Atom';
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
        entries: [...doc.getElementsByTagNameNS(ns, 'entry')].map((e) => ({
          id: e.getElementsByTagNameNS(ns, 'id')[0]?.textContent,
          title: e.getElementsByTagNameNS(ns, 'title')[0]?.textContent,
          updated: e.getElementsByTagNameNS(ns, 'updated')[0]?.textContent,
          href: e.getElementsByTagNameNS(ns, 'link')[0]?.getAttribute('href'),
        })),
      };
    })()`) as { error: number; root: string; entries: Array<{ id: string; title: string; updated: string; href: string }> };
    expect(parsed.error).toBe(0);
    expect(parsed.root).toBe('http://www.w3.org/2005/Atom feed');
    expect(parsed.entries).toHaveLength(Math.min(200, changes));
    for (const e of parsed.entries) {
      expect(e.href.startsWith(`${server.url}/datasets/`), e.href).toBe(true);
      expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
      expect(e.id && e.title).toBeTruthy();
    }
    // an entry's link opens its dataset
    await page.goto(parsed.entries[0]!.href);
    expect(await page.innerText('h1')).toBe(parsed.entries[0]!.title.replace(/^\w+: /, ''));
  });

  it('the hostile datasets: found by search, their pages run no script and show their text literally', async () => {
    for (const [q, id] of [['onerror', XSS], ['evil', EVIL]] as const) {
      await page.goto(`${server.url}/?q=${encodeURIComponent(q)}`);
      expect(await resultIds()).toContain(id);
      const link = page.locator('[data-dataset-id] a', { hasText: id });
      await Promise.all([page.waitForURL(/\/datasets\//), link.first().click()]);
      // the id went into the URL whole: the page is its own, not a parent folder's
      expect(new URL(page.url()).pathname).toBe(`/datasets/${encodeURIComponent(id)}`);
      expect(await page.innerText('h1')).toBe(id);
      const facts = await page.evaluate(`({
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        images: document.querySelectorAll('img, svg[onload], iframe, object, embed').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
        badLinks: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => !/^(https?:|\\/|\\?|#)/.test(h)),
        text: document.body.innerText,
      })`) as { scripts: string[]; images: number; handlers: number; badLinks: string[]; text: string };
      expect(facts.scripts).toEqual(['/assets/app.js']);
      expect(facts.images).toBe(0);
      expect(facts.handlers).toBe(0);
      expect(facts.badLinks).toEqual([]);
      if (id === XSS) {
        expect(facts.text).toContain(`<script>alert('pretty')</script><img src=x onerror=alert('pretty')>`);
        expect(facts.text).toContain(`<script>alert('description')</script> <img src=x onerror="alert('description')">`);
        expect(facts.text).toContain(`javascript:alert('homepage')`);
        expect(await page.locator(`a[href^="javascript"]`).count()).toBe(0);
      } else {
        expect(facts.text).toContain(`data:text/html,<script>alert('evil')</script>`);
        expect(facts.text).toContain(`Evil "quotes" & <b>bold</b> onerror=alert('evil')`);
      }
    }
  });

  it('works without JavaScript: the search form, a range and a facet link', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    try {
      const p = await plain.newPage();
      await p.goto(`${server.url}/`);
      await p.fill('#q', 'dataset');
      await p.selectOption('select[name="min_rows"]', '100000');
      const [answer] = await Promise.all([p.waitForNavigation(), p.click('button.apply')]);
      expect(answer?.status()).toBe(200);
      // without the script the empty fields travel too, and the server reads them as not given
      const sent = new URL(p.url()).searchParams;
      expect(sent.get('q')).toBe('dataset');
      expect(sent.get('min_rows')).toBe('100000');
      expect(sent.get('max_rows')).toBe('');
      const n = Number(await p.getAttribute('[data-total]', 'data-total'));
      expect(n).toBeGreaterThan(0);
      const facet = p.locator('a[data-facet="language"]').first();
      const count = Number((await facet.locator('.count').innerText()).replace(/,/g, ''));
      await Promise.all([p.waitForURL(/[?&]language=/), facet.click()]);
      expect(Number(await p.getAttribute('[data-total]', 'data-total'))).toBe(count);
      expect(new URL(p.url()).searchParams.get('min_rows')).toBe('100000');
    } finally {
      await plain.close();
    }
  });

  it('nothing went wrong along the way: no console error, no other origin, no dialog', () => {
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
