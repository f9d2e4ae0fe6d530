/**
 * `sync --file-sizes` through the one record pipeline: a dataset whose detail keeps failing on the
 * first page does not stop the pages behind it from being looked up and fetched, so a page may be
 * looked up before the page before it commits. An id the listing repeats on a later page (a moving
 * ranking) is still stored once, with one `added` event, and the failed fetch is marked to be asked again.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawDataset } from '../src/types.js';
import { count, query } from './helpers/catalog-db.js';
import { runCli, tempDir } from './helpers/cli.js';
import { syntheticDataset } from './helpers/corpus.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

const hubs: FakeHub[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sync --file-sizes through the record pipeline', () => {
  it('stores each id once when the listing repeats it on a later page, with a failing detail ahead of it', async () => {
    const n = 40;
    const items: RawDataset[] = Array.from({ length: n }, (_, i) => ({ ...syntheticDataset(i, n), private: false, gated: false, disabled: false }));
    const broken = String(items[2]!.id);
    items[2]!.__fake = { detailStatus: 500 };
    // pages of 10: ids of page 1 and page 3 come again on pages 2 and 4
    const listing = [...items.slice(0, 14), items[5]!, ...items.slice(14, 31), items[25]!, ...items.slice(31)];
    const hub = await startFakeHub({ datasets: listing, maxPageSize: 10 });
    hubs.push(hub);
    const dir = tempDir('hfds-flow-');
    dirs.push(dir);
    const db = join(dir, 'hub.duckdb');

    const r = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--file-sizes', '--max-retries', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sync 1 complete: 5 pages, 40 datasets, 40 added/);
    expect(await count(db, 'SELECT count(*) FROM datasets')).toBe(n);
    expect(await count(db, 'SELECT count(DISTINCT id) FROM datasets')).toBe(n);
    expect(await count(db, "SELECT count(*) FROM events WHERE kind = 'added'")).toBe(n);
    expect(await count(db, 'SELECT count(*) FROM downloads_history')).toBe(n);
    const states = await query<{ id: string; ok: boolean }>(db, "SELECT id, ok FROM fetch_state WHERE stage = 'file_sizes' ORDER BY id");
    expect(states).toHaveLength(n);
    expect(states.filter((s) => !s.ok).map((s) => s.id)).toEqual([broken]);
    // one detail call for each dataset but the broken one, which was tried 3 times
    expect(hub.counters.detail).toBe(n - 1 + 3);
  });
});
