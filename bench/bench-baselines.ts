/**
 * Benchmark 2: against one fake Hub with 300 ms added to every response —
 *   listing: the link-following limit, our `collect --all --ndjson`, and @huggingface/hub
 *            `listDatasets` asking for the same fields (N = 20,000);
 *   catalog with file lists: our `collect --all --out DIR`, and `listDatasets` with `siblings`
 *            (the file lists from the listing, as hf.js can; N = 2,000).
 * Page sizes differ: `collect` asks for 1,000 datasets a page, hf.js's `listDatasets` for 500.
 * Every client runs in its own process and is timed from spawn to exit.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliNote } from './bench-listing.js';
import { runCli } from './cli-run.js';
import { startFakeProcess, type FakeProcess } from './fake-process.js';
import { assertOk, measure, type Measured } from './measure.js';
import type { Row } from './report.js';
import { cliEnv, DIST_BENCH, dirSize, removeDir, tempDir } from './util.js';

export const LATENCY_MS = 300;

async function counted<T>(fake: FakeProcess, run: () => Promise<T>): Promise<{ result: T; c: Awaited<ReturnType<FakeProcess['counters']>>; fakeCpuS: number }> {
  await fake.reset();
  const before = await fake.counters();
  const result = await run();
  const c = await fake.counters();
  return { result, c, fakeCpuS: (c.cpuMs - before.cpuMs) / 1000 };
}

const cpu = (m: Measured): number | null => (m.userMs === null ? null : (m.userMs + (m.sysMs ?? 0)) / 1000);

async function script(name: string, args: string[], dir: string): Promise<{ m: Measured; out: Record<string, number> }> {
  const resultFile = join(dir, `${name}-result.json`);
  const m = await measure({ args: [join(DIST_BENCH, `${name}.js`), ...args], env: cliEnv(), cwd: dir, stdoutFile: resultFile, timeoutMs: 300_000 });
  assertOk(name, m);
  return { m, out: JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, number> };
}

export async function benchBaselineList(n: number): Promise<Row[]> {
  const fake = await startFakeProcess({ synthetic: n, latencyMs: LATENCY_MS });
  const dir = tempDir('baseline-list');
  const rows: Row[] = [];
  try {
    const lim = await counted(fake, () => script('link-limit', [fake.url], dir));
    rows.push({
      id: 'link-limit-20k', what: 'follow Link only (same query), drain bodies', n, seconds: lim.result.m.seconds,
      requests: lim.c.total, list: lim.c.list, detail: lim.c.detail, rssKb: lim.result.m.maxRssKb, cpuS: cpu(lim.result.m),
      fakeCpuS: lim.fakeCpuS, outBytes: null, note: `in-process ${lim.result.out.seconds!.toFixed(2)} s; ${lim.result.out.pages} pages`,
    });
    const ours = await counted(fake, () => runCli(['collect', '--all', '--ndjson', '--endpoint', fake.url], { cwd: dir, stdoutFile: join(dir, 'ours.ndjson') }));
    assertOk('collect --ndjson', ours.result);
    rows.push({
      id: 'ours-list-20k', what: 'collect --all --ndjson (1,000 a page)', n, seconds: ours.result.seconds, requests: ours.c.total, list: ours.c.list,
      detail: ours.c.detail, rssKb: ours.result.maxRssKb, cpuS: cpu(ours.result), fakeCpuS: ours.fakeCpuS, outBytes: ours.result.stdoutBytes,
      note: cliNote(ours.result, n),
    });
    const hf = await counted(fake, () => script('baseline-hfjs', ['list', fake.url, join(dir, 'hfjs-list.json')], dir));
    rows.push({
      id: 'hfjs-list-20k', what: '@huggingface/hub listDatasets (same fields, 500 a page) → one JSON file', n, seconds: hf.result.m.seconds,
      requests: hf.c.total, list: hf.c.list, detail: hf.c.detail, rssKb: hf.result.m.maxRssKb, cpuS: cpu(hf.result.m), fakeCpuS: hf.fakeCpuS,
      outBytes: statSync(join(dir, 'hfjs-list.json')).size, note: `${hf.result.out.records} records; in-process ${hf.result.out.seconds!.toFixed(2)} s`,
    });
    return rows;
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}

export async function benchBaselineCatalog(n: number): Promise<Row[]> {
  const fake = await startFakeProcess({ synthetic: n, latencyMs: LATENCY_MS });
  const dir = tempDir('baseline-catalog');
  const rows: Row[] = [];
  try {
    const out = join(dir, 'out');
    const ours = await counted(fake, () => runCli(['collect', '--all', '--out', out, '--endpoint', fake.url], { cwd: dir }));
    assertOk('collect --out', ours.result);
    rows.push({
      id: 'ours-catalog-2k', what: 'collect --all --out DIR (files from the listing, 1,000 a page)', n, seconds: ours.result.seconds, requests: ours.c.total,
      list: ours.c.list, detail: ours.c.detail, rssKb: ours.result.maxRssKb, cpuS: cpu(ours.result), fakeCpuS: ours.fakeCpuS,
      outBytes: (await dirSize(out)).bytes, note: cliNote(ours.result, n),
    });
    const hf = await counted(fake, () => script('baseline-hfjs', ['catalog', fake.url, join(dir, 'hfjs-catalog.json')], dir));
    rows.push({
      id: 'hfjs-catalog-2k', what: 'listDatasets with siblings (files from the listing, 500 a page) → one JSON file', n, seconds: hf.result.m.seconds,
      requests: hf.c.total, list: hf.c.list, detail: hf.c.detail, rssKb: hf.result.m.maxRssKb, cpuS: cpu(hf.result.m), fakeCpuS: hf.fakeCpuS,
      outBytes: statSync(join(dir, 'hfjs-catalog.json')).size, note: `${hf.result.out.records} records`,
    });
    return rows;
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}
