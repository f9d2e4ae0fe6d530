/**
 * The report in a real browser (the system's Chromium through playwright-core): written by the real CLI from a
 * synced fake catalog, opened from a file:// URL with every network request refused. It renders its charts, logs
 * no error, asks for nothing, runs no script of the hostile corpus, carries data-total, and prints.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runCli, tempDir } from './helpers/cli.js';
import { HOSTILE_BROWSER_IDS, syncBrowseCatalog, type BrowseCatalog } from './helpers/browse-catalog.js';
import { SKIP_BROWSER, browserSuite, launchChromium } from './helpers/chromium.js';

describe.skipIf(SKIP_BROWSER)(browserSuite('the report in Chromium, offline'), () => {
  let browser: Browser;
  let catalog: BrowseCatalog;
  let report: string;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('hfds-report-');
    [browser, catalog] = await Promise.all([launchChromium(), syncBrowseCatalog(dir, { datasets: 60, hostile: true })]);
    report = join(dir, 'report.html');
    const res = await runCli(['report', '--db', catalog.db, '--output', report]);
    expect(res.code, res.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders its charts from a file with the network refused: no request, no console error, no script, text literal', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: true });
    const url = pathToFileURL(report).href;
    const requests: string[] = [];
    const refused: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    await context.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      refused.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });

    // charts: inline SVG, drawn (non-empty boxes), with their titles as text
    const charts = await page.evaluate(`[...document.querySelectorAll('figure.chart svg.chart-svg')].map((s) => {
      const r = s.getBoundingClientRect();
      return { w: r.width, h: r.height, title: s.querySelector('title')?.textContent ?? '', bars: s.querySelectorAll('rect.bar').length };
    })`) as Array<{ w: number; h: number; title: string; bars: number }>;
    expect(charts.length).toBeGreaterThanOrEqual(6);
    for (const c of charts) {
      expect(c.w, c.title).toBeGreaterThan(100);
      expect(c.h, c.title).toBeGreaterThan(20);
      expect(c.bars, c.title).toBeGreaterThan(0);
    }
    expect(charts.map((c) => c.title)).toEqual(expect.arrayContaining(['Datasets created per month', 'License', 'Task category', 'Modality']));
    // the stylesheet applied (inline <style>): the cards sit in a grid
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.cards')).display`)).toBe('grid');
    // data-total: the changes of the latest sync (all listed here), one row each; the overview counts the datasets present
    const total = Number(await page.getAttribute('[data-total]', 'data-total'));
    expect(total).toBeGreaterThan(0);
    expect(await page.locator('[data-total] tbody tr').count()).toBe(total);
    expect(await page.getAttribute('[data-present]', 'data-present')).toBe(String(catalog.present.length));
    // nothing asked of the network, nothing failed, no script ran
    expect(requests.filter((u) => u !== url && !u.startsWith('data:'))).toEqual([]);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(`document.scripts.length`)).toBe(0);
    expect(await page.evaluate(`document.querySelectorAll('img, iframe, object, embed').length`)).toBe(0);
    // the hostile ids are text, and link to the Hub (http only)
    const text = await page.evaluate(`document.body.innerText`) as string;
    for (const id of HOSTILE_BROWSER_IDS) expect(text).toContain(id);
    const hrefs = await page.evaluate(`[...document.querySelectorAll('a[href]')].map((a) => a.href)`) as string[];
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h, h).toMatch(/^https?:\/\//);
    // it prints: a PDF of more than one page
    const pdf = join(dir, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4' });
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
    await context.close();
  });
});
