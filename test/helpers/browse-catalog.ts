/**
 * A catalog to browse: a fake Hub whose corpus moves over three syncs (datasets added, committed to, removed,
 * restored, downloads drifting, a few rising fast), synced by the real CLI with viewer statistics from the fake
 * viewer, plus (optionally) the hostile corpus's markup-carrying datasets. Served with `startServe` (serve.ts).
 * Used by the browser tests and by test/helpers/screenshots.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawDataset } from '../../src/types.js';
import { ROOT, runCli } from './cli.js';
import { startFakeHub } from './fake-hub.js';
import { startFakeViewer } from './fake-viewer.js';
import { MovingCorpus } from './moving-corpus.js';

/** The hostile corpus's datasets made for the browser (markup in every text field; an id that climbs out of /datasets/). */
export const HOSTILE_BROWSER_IDS = ['xss/<img src=x onerror=alert(1)>', 'evil/../../escape'] as const;

export function hostileItems(): RawDataset[] {
  const corpus = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'hostile.json'), 'utf8')) as RawDataset[];
  return HOSTILE_BROWSER_IDS.map((id) => {
    const item = corpus.find((x) => x.id === id);
    if (!item) throw new Error(`fixtures/hostile.json has no ${id}`);
    return item;
  });
}

export interface BrowseCatalog {
  db: string;
  /** ids present after the last sync */
  present: string[];
  added: string[];
  updated: string[];
  removed: string[];
  restored: string[];
}

/** Syncs `datasets` synthetic datasets (and the hostile ones) into `dir/hub.duckdb` three times, the Hub moving in between. */
export async function syncBrowseCatalog(dir: string, opts: { datasets: number; hostile?: boolean }): Promise<BrowseCatalog> {
  const db = join(dir, 'hub.duckdb');
  const hub = await startFakeHub({ datasets: [], maxPageSize: 1000 });
  const viewer = await startFakeViewer();
  try {
    // a small universe spreads creation dates over the years (the synthetic corpus ranks by index)
    const corpus = new MovingCorpus(opts.datasets, Math.ceil(opts.datasets * 1.3));
    if (opts.hostile) for (const item of hostileItems()) corpus.items.set(String(item.id), { ...item });
    const sync = async (): Promise<void> => {
      corpus.serve(hub);
      const res = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--viewer-endpoint', viewer.url, '--viewer-stats', '--quiet']);
      if (res.code !== 0) throw new Error(`sync failed (${res.code}): ${res.stderr}`);
    };
    await sync();
    const ids = corpus.ids().filter((id) => !(HOSTILE_BROWSER_IDS as readonly string[]).includes(id));
    const step = Math.max(12, Math.floor(ids.length / 12)); // residues 3, 5, 7, 9, 11 below pick disjoint datasets
    // second sync: commits, removals, new datasets, drift, and a few datasets rising fast
    const updated = ids.filter((_, i) => i % step === 3).slice(0, 12);
    for (const id of updated) corpus.commit(id);
    const gone = ids.filter((_, i) => i % step === 5).slice(0, 6).map((id) => corpus.remove(id));
    let added = corpus.add(Math.max(3, Math.floor(opts.datasets / 25)));
    corpus.drift(40);
    ids.filter((_, i) => i % step === 7).slice(0, 10).forEach((id, k) => {
      const item = corpus.items.get(id)!;
      item.downloads = (item.downloads as number) + 5_000 * (k + 1) ** 2;
    });
    await sync();
    // third sync: one removed dataset comes back, a few more commits and additions, more drift
    const back = gone.shift()!;
    corpus.restore(back);
    const updated3 = ids.filter((_, i) => i % step === 9).slice(0, 5).filter((id) => corpus.items.has(id));
    for (const id of updated3) corpus.commit(id);
    added = [...added, ...corpus.add(3)];
    corpus.drift(90);
    ids.filter((_, i) => i % step === 11).slice(0, 10).forEach((id, k) => {
      const item = corpus.items.get(id);
      if (item) item.downloads = (item.downloads as number) + 20_000 * (10 - k) ** 2;
    });
    await sync();
    return {
      db, present: corpus.ids(), added, updated: [...updated, ...updated3],
      removed: gone.map((g) => String(g.id)), restored: [String(back.id)],
    };
  } finally {
    await hub.close();
    await viewer.close();
  }
}
