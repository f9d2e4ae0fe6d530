/**
 * Benchmark 3: per-dataset detail calls over N datasets with 50 ms added to every response, at
 * concurrency 8 — `collect --all --file-sizes` and `enrich` (ids on stdin) — against the ideal
 * bound N × 50 ms / 8, and against what a bare client doing only the same requests achieves on
 * the same fake Hub (bench/bare-limit.ts detail: the fake's own per-request work is part of every call).
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

export const ENRICH_LATENCY_MS = 50;
export const ENRICH_CONCURRENCY = 8;

type Counters = Awaited<ReturnType<FakeProcess['counters']>>;

/** First request's arrival to the last one's, plus the latency of that last answer, in s. */
function phase(c: Counters): number | undefined {
  return c.firstAt === null || c.lastAt === null ? undefined : (c.lastAt - c.firstAt + ENRICH_LATENCY_MS) / 1000;
}

function row(id: string, what: string, n: number, r: CliRun, c: Counters, fakeCpuS: number): Row {
  const ideal = (n * ENRICH_LATENCY_MS) / ENRICH_CONCURRENCY / 1000;
  const p = phase(c);
  return {
    id, what, n, seconds: r.seconds, requests: c.total, list: c.list, detail: c.detail + c.tree, rssKb: r.maxRssKb,
    cpuS: r.userMs === null ? null : (r.userMs + (r.sysMs ?? 0)) / 1000, fakeCpuS, outBytes: r.stdoutBytes, phaseS: p,
    note: [`ideal ${ideal.toFixed(2)} s`, p === undefined ? '' : `request phase ${p.toFixed(2)} s`, `max in flight ${c.maxInFlight}`, cliNote(r, n)].filter(Boolean).join('; '),
  };
}

export async function benchEnrich(n: number): Promise<Row[]> {
  const fake = await startFakeProcess({ synthetic: n, latencyMs: ENRICH_LATENCY_MS });
  const dir = tempDir('enrich');
  const rows: Row[] = [];
  const conc = String(ENRICH_CONCURRENCY);
  try {
    const idsFile = join(dir, 'ids.txt');
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(syntheticId(i)); // the fake has no token set: private items are visible too
    writeFileSync(idsFile, ids.join('\n') + '\n');
    {
      await fake.reset();
      const before = await fake.counters();
      const resultFile = join(dir, 'detail-limit.json');
      const m = await measure({ args: [join(DIST_BENCH, 'bare-limit.js'), 'detail', fake.url, idsFile, conc], env: cliEnv(), cwd: dir, stdoutFile: resultFile, timeoutMs: 300_000 });
      assertOk('detail-limit', m);
      const c = await fake.counters();
      const out = JSON.parse(readFileSync(resultFile, 'utf8')) as { seconds: number };
      const ideal = (n * ENRICH_LATENCY_MS) / ENRICH_CONCURRENCY / 1000;
      rows.push({
        id: 'detail-limit-1k', what: `bare client: the same detail calls, concurrency ${conc}`, n, seconds: m.seconds, requests: c.total, list: c.list,
        detail: c.detail + c.tree, rssKb: m.maxRssKb, cpuS: m.userMs === null ? null : (m.userMs + (m.sysMs ?? 0)) / 1000, fakeCpuS: (c.cpuMs - before.cpuMs) / 1000,
        outBytes: null, phaseS: phase(c), note: `ideal ${ideal.toFixed(2)} s; in-process ${out.seconds.toFixed(2)} s; request phase ${phase(c)?.toFixed(2) ?? '?'} s; max in flight ${c.maxInFlight}`,
      });
    }
    for (const [id, what, args, stdin] of [
      ['file-sizes-1k', `collect --all --file-sizes --concurrency ${conc} --ndjson`, ['collect', '--all', '--file-sizes', '--concurrency', conc, '--ndjson'], undefined],
      ['enrich-1k', `enrich --concurrency ${conc} (ids on stdin)`, ['enrich', '--concurrency', conc], idsFile],
    ] as const) {
      await fake.reset();
      const before = await fake.counters();
      const r = await runCli([...args, '--endpoint', fake.url], { cwd: dir, stdoutFile: join(dir, `${id}.ndjson`), stdinFile: stdin });
      assertOk(id, r);
      const c = await fake.counters();
      rows.push(row(id, what, n, r, c, (c.cpuMs - before.cpuMs) / 1000));
    }
    return rows;
  } finally {
    await fake.close();
    await removeDir(dir);
  }
}
