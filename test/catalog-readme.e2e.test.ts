/**
 * The DuckDB queries in README "The catalog database" run against a real catalog (two syncs of the
 * fixture corpus, with file sizes), so the documentation stays true.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from './helpers/catalog-db.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

function readmeQueries(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## The catalog database');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 10));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

let hub: FakeHub;
let dir: string;
let db: string;

beforeAll(async () => {
  hub = await startFakeHub({ maxPageSize: 20 });
  dir = tempDir('hfds-readme-');
  db = join(dir, 'hf_datasets.duckdb');
  for (const extra of [['--file-sizes'], []]) {
    const r = await runCli(['sync', '--db', db, '--endpoint', hub.url, ...extra]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('README catalog queries', () => {
  it('there are four, and each answers sensibly on a real catalog', async () => {
    const [added, licenses, downloads, biggest] = readmeQueries();
    expect(biggest).toBeDefined();
    const a = await query<{ id: string }>(db, added!);
    expect(a.length).toBe(0); // the second sync listed the same corpus: nothing added after the first (test/new-user-round3-minor)
    const l = await query<{ license: string; datasets: bigint }>(db, licenses!);
    expect(l.length).toBeGreaterThan(1);
    expect(Number(l[0]!.datasets)).toBeGreaterThanOrEqual(Number(l.at(-1)!.datasets));
    const d = await query<{ downloads: bigint }>(db, downloads!);
    expect(d.length).toBe(2); // one point per complete sync
    expect(d[0]!.downloads).toBeGreaterThan(0n);
    const b = await query<{ id: string; total_size_bytes: bigint; size: string }>(db, biggest!);
    expect(b.length).toBe(10);
    expect(b[0]!.total_size_bytes).toBeGreaterThanOrEqual(b[9]!.total_size_bytes);
    expect(b[0]!.size).toMatch(/B$/);
  });
});
