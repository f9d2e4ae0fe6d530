/**
 * The catalog benchmarks:
 *   sync-vs-collect: at 400 ms per response, a full `sync` into a new catalog against
 *                    `collect --all --no-individual --out DIR` over the same fake Hub (N = 20,000);
 *   sync-200k:       a first sync of 200,000 datasets (time, requests, peak RSS, catalog size), then a
 *                    second sync after 1% of the corpus got a new commit (time, requests).
 * Every client runs in its own process, timed from spawn to exit.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cliNote } from './bench-listing.js';
import { runCli, type CliRun } from './cli-run.js';
import { startFakeProcess, type FakeProcess } from './fake-process.js';
import { assertOk } from './measure.js';
import type { Row } from './report.js';
import { removeDir, tempDir } from './util.js';

export const SYNC_LATENCY_MS = 400;

const SUMMARY = /sync \d+ complete(?: \(continued\))?: (\d+) pages?, (\d+) datasets?, (\d+) added, (\d+) updated, (\d+) restored, (\d+) removed, (\d+) requests?/;

function syncNote(r: CliRun): string {
  const m = SUMMARY.exec(r.stderr);
  return m ? `${m[3]} added, ${m[4]} updated, ${m[6]} removed; CLI counted ${m[7]} requests` : 'no summary line';
}

const cpu = (m: CliRun): number | null => (m.userMs === null ? null : (m.userMs + (m.sysMs ?? 0)) / 1000);

async function counted(fake: FakeProcess, run: () => Promise<CliRun>): Promise<{ r: CliRun; c: Awaited<ReturnType<FakeProcess['counters']>>; fakeCpuS: number }> {
  await fake.reset();
  const before = await fake.counters();
  const r = await run();
  const c = await fake.counters();
  return { r, c, fakeCpuS: (c.cpuMs - before.cpuMs) / 1000 };
}

function row(id: string, what: string, n: number, x: Awaited<ReturnType<typeof counted>>, outBytes: number | null, note: string): Row {
  return { id, what, n, seconds: x.r.seconds, requests: x.c.total, list: x.c.list, detail: x.c.detail, rssKb: x.r.maxRssKb, cpuS: cpu(x.r), fakeCpuS: x.fakeCpuS, outBytes, note };
}

export async function benchSyncVsCollect(n: number): Promise<Row[]> {
  const fake = await startFakeProcess({ synthetic: n, latencyMs: SYNC_LATENCY_MS });
  const dir = tempDir('sync-vs-collect');
  try {
    const collect = await counted(fake, () => runCli(['collect', '--all', '--no-individual', '--out', join(dir, 'out'), '--endpoint', fake.url], { cwd: dir }));
    assertOk('collect', collect.r);
    const db = join(dir, 'hub.duckdb');
    const sync = await counted(fake, () => runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir }));
    assertOk('sync', sync.r);
    return [
      row('collect-400ms', `collect --all --no-individual at ${SYNC_LATENCY_MS} ms`, n, collect, null, cliNote(collect.r, n)),
      row('sync-400ms', `sync (new catalog) at ${SYNC_LATENCY_MS} ms`, n, sync, statSync(db).size,
        `${(sync.r.seconds / collect.r.seconds).toFixed(3)}× collect; ${syncNote(sync.r)}`),
    ];
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}

export async function benchSync200k(n: number): Promise<Row[]> {
  const dir = tempDir('sync-200k');
  const db = join(dir, 'hub.duckdb');
  const rows: Row[] = [];
  const fake = await startFakeProcess({ synthetic: n });
  try {
    const first = await counted(fake, () => runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir, timeoutMs: 3_600_000 }));
    assertOk('first sync', first.r);
    rows.push(row('sync-200k', 'first sync into a new catalog', n, first, statSync(db).size, `${syncNote(first.r)}; catalog ${statSync(db).size} bytes`));
    // the Hub moves: 1% of the datasets get a new commit and more downloads
    await fake.set({ syntheticMoved: { every: 100, generation: 1 } });
    const second = await counted(fake, () => runCli(['sync', '--db', db, '--endpoint', fake.url], { cwd: dir, timeoutMs: 3_600_000 }));
    assertOk('second sync', second.r);
    rows.push(row('sync-200k-1pct', 'second sync after 1% changed', n, second, statSync(db).size, `${syncNote(second.r)}; catalog ${statSync(db).size} bytes`));
    return rows;
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}
