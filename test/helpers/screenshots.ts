/**
 * The README's screenshots: syncs a realistic fake catalog (a few hundred datasets, three syncs), serves it, and
 * photographs `/` and `/stats` at 1280×800 with the system's Chromium into docs/screenshots/.
 *   npm run build && node dist/test/helpers/screenshots.js [OUT_DIR] [--all]
 * `--all` also takes the dataset page, /changes, an error page and the report (to look at, not committed).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, removeTempDirs, runCli } from './cli.js';
import { syncBrowseCatalog } from './browse-catalog.js';
import { startServe } from './serve.js';
import { launchChromium } from './chromium.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const all = args.includes('--all');
  const out = resolve(args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'docs', 'screenshots'));
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'hfds-shots-'));
  const browser = await launchChromium();
  try {
    const catalog = await syncBrowseCatalog(dir, { datasets: 400, hostile: all });
    const server = await startServe(catalog.db);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const shot = async (path: string, name: string, fullPage = false): Promise<void> => {
        await page.goto(server.url + path);
        await page.screenshot({ path: join(out, name), fullPage });
        console.log(join(out, name));
      };
      await shot('/', 'browse.png');
      await shot('/stats', 'stats.png');
      if (all) {
        await shot('/?task=text-classification&sort=likes', 'browse-facet.png', true);
        await shot('/stats', 'stats-full.png', true);
        await shot(`/datasets/${encodeURIComponent(catalog.updated[0]!)}`, 'dataset.png', true);
        await shot(`/datasets/${encodeURIComponent('xss/<img src=x onerror=alert(1)>')}`, 'dataset-xss.png', true);
        await shot('/changes', 'changes.png', true);
        await shot('/datasets/nope%2Fnothing', 'error.png');
        const report = join(dir, 'report.html');
        const res = await runCli(['report', '--db', catalog.db, '--output', report]);
        if (res.code !== 0) throw new Error(res.stderr);
        await page.goto(pathToFileURL(report).href);
        await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
        writeFileSync(join(out, 'report.html'), await page.content());
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: join(out, 'report-print.png'), fullPage: true });
      }
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
    await removeTempDirs();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
