/**
 * Viewer statistics over N datasets: a fake Hub and a fake dataset viewer, each in its own
 * process. (1) Viewer-bound: 50 ms per viewer answer, --concurrency 8: `collect --all
 * --viewer-stats` against the ideal N × 50 ms / 8 and against a bare undici client making the
 * same /size calls (bench/bare-limit.ts viewer). (2) Listing-bound: the Hub answers each page of 100 after
 * LIST_LATENCY_MS, so the listing alone takes N / 100 × that; `collect --all` with and without
 * `--viewer-stats` show whether viewer requests slow the listing down (its request phase and the
 * wall time should stay the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticId } from '../test/helpers/corpus.js';
import { cliNote } from './bench-listing.js';
import { runCli, type CliRun } from './cli-run.js';
import { startFakeProcess, type FakeProcess } from './fake-process.js';
import { assertOk, measure } from './measure.js';
import type { Row } from './report.js';
import { cliEnv, DIST_BENCH, removeDir, tempDir } from './util.js';

export const VIEWER_LATENCY_MS = 50;
export const VIEWER_CONCURRENCY = 8;
export const LIST_LATENCY_MS = 1000;
const LIST_PAGE = 100;

type Counters = Awaited<ReturnType<FakeProcess['counters']>>;

/** First request's arrival to the last one's, plus the latency of that last answer, in s. */
function phase(c: Counters, latencyMs: number): number | undefined {
  return c.firstAt === null || c.lastAt === null ? undefined : (c.lastAt - c.firstAt + latencyMs) / 1000;
}

const cpu = (r: { userMs: number | null; sysMs: number | null }): number | null => (r.userMs === null ? null : (r.userMs + (r.sysMs ?? 0)) / 1000);

function cliRow(id: string, what: string, n: number, r: CliRun, hub: Counters, viewer: Counters | null, fakeCpuS: number, note: string[]): Row {
  return {
    id, what, n, seconds: r.seconds, requests: hub.total + (viewer?.total ?? 0), list: hub.list, detail: viewer?.total ?? 0, rssKb: r.maxRssKb,
    cpuS: cpu(r), fakeCpuS, outBytes: r.stdoutBytes, note: [...note, cliNote(r, n)].filter(Boolean).join('; '),
  };
}

export async function benchViewer(n: number): Promise<Row[]> {
  const tag = n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
  const conc = String(VIEWER_CONCURRENCY);
  const dir = tempDir('viewer');
  const rows: Row[] = [];
  const viewer = await startFakeProcess({ latencyMs: VIEWER_LATENCY_MS }, 'fake-viewer-server.js');
  let hub = await startFakeProcess({ synthetic: n });
  try {
    const ideal = (n * VIEWER_LATENCY_MS) / VIEWER_CONCURRENCY / 1000;
    const idsFile = join(dir, 'ids.txt');
    writeFileSync(idsFile, Array.from({ length: n }, (_, i) => syntheticId(i)).join('\n') + '\n');
    {
      await viewer.reset();
      const before = await viewer.counters();
      const resultFile = join(dir, 'viewer-limit.json');
      const m = await measure({ args: [join(DIST_BENCH, 'bare-limit.js'), 'viewer', viewer.url, idsFile, conc], env: cliEnv(), cwd: dir, stdoutFile: resultFile, timeoutMs: 300_000 });
      assertOk('viewer-limit', m);
      const c = await viewer.counters();
      const out = JSON.parse(readFileSync(resultFile, 'utf8')) as { seconds: number };
      const p = phase(c, VIEWER_LATENCY_MS);
      rows.push({
        id: `viewer-limit-${tag}`, what: `bare undici client: the same /size calls, concurrency ${conc}`, n, seconds: m.seconds, requests: c.total, list: 0, detail: c.total,
        rssKb: m.maxRssKb, cpuS: cpu(m), fakeCpuS: (c.cpuMs - before.cpuMs) / 1000, outBytes: null, phaseS: p,
        note: `ideal ${ideal.toFixed(2)} s; in-process ${out.seconds.toFixed(2)} s; request phase ${p?.toFixed(2) ?? '?'} s; max in flight ${c.maxInFlight}`,
      });
    }
    {
      await Promise.all([viewer.reset(), hub.reset()]);
      const vb = await viewer.counters();
      const hb = await hub.counters();
      const id = `viewer-stats-${tag}`;
      const r = await runCli(['collect', '--all', '--viewer-stats', '--concurrency', conc, '--ndjson', '--endpoint', hub.url, '--viewer-endpoint', viewer.url], { cwd: dir, stdoutFile: join(dir, `${id}.ndjson`) });
      assertOk(id, r);
      const [vc, hc] = [await viewer.counters(), await hub.counters()];
      const p = phase(vc, VIEWER_LATENCY_MS);
      const row = cliRow(id, `collect --all --viewer-stats --concurrency ${conc} --ndjson`, n, r, hc, vc, (vc.cpuMs - vb.cpuMs + hc.cpuMs - hb.cpuMs) / 1000, [
        `ideal ${ideal.toFixed(2)} s`, `viewer request phase ${p?.toFixed(2) ?? '?'} s`, `viewer max in flight ${vc.maxInFlight}`,
      ]);
      rows.push({ ...row, phaseS: p });
    }
    // listing-bound: a slow Hub, pages of 100
    await hub.close();
    hub = await startFakeProcess({ synthetic: n, latencyMs: LIST_LATENCY_MS, maxPageSize: LIST_PAGE });
    const listIdeal = (Math.ceil(n / LIST_PAGE) * LIST_LATENCY_MS) / 1000;
    for (const [id, withViewer] of [[`slow-list-${tag}`, false], [`slow-list-viewer-${tag}`, true]] as const) {
      await Promise.all([viewer.reset(), hub.reset()]);
      const vb = await viewer.counters();
      const hb = await hub.counters();
      const args = ['collect', '--all', '--concurrency', conc, '--ndjson', '--endpoint', hub.url, ...(withViewer ? ['--viewer-stats', '--viewer-endpoint', viewer.url] : [])];
      const r = await runCli(args, { cwd: dir, stdoutFile: join(dir, `${id}.ndjson`) });
      assertOk(id, r);
      const [vc, hc] = [await viewer.counters(), await hub.counters()];
      const p = phase(hc, LIST_LATENCY_MS);
      const what = `Hub at ${LIST_LATENCY_MS} ms a page of ${LIST_PAGE}: collect --all${withViewer ? ' --viewer-stats' : ''} --concurrency ${conc}`;
      const row = cliRow(id, what, n, r, hc, withViewer ? vc : null, (vc.cpuMs - vb.cpuMs + hc.cpuMs - hb.cpuMs) / 1000, [
        `listing ideal ${listIdeal.toFixed(2)} s`, `listing request phase ${p?.toFixed(2) ?? '?'} s`, withViewer ? `viewer requests ${vc.total}` : '',
      ]);
      rows.push({ ...row, phaseS: p });
    }
    return rows;
  } finally {
    await Promise.all([hub.close(), viewer.close()]);
    await removeDir(dir);
  }
}
