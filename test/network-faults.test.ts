/**
 * The real CLI against the fake Hub: a 3,000-dataset collection with --file-sizes through each
 * fault class and all of them mixed, with and without quota headers; per-dataset failures;
 * tree pages. Every dataset must come out exactly once, in listing order.
 *
 * Two fake-Hub counters need reading with care (the fake is shared, so the test works around
 * them rather than changing it):
 * - `ignoredRetryAfter` counts every request that reaches the server after a 429 was sent,
 *   including those the client had already sent before the 429 reached it. No client can call
 *   those back; with `--concurrency C` there are at most C − 1 of them per 429. So the test
 *   checks from the request log that no 429 is followed by more than C − 1 requests inside its
 *   Retry-After.
 * - `inFlight` is decremented on the server response's 'close' event. When the server drops a
 *   connection (reset / truncated faults) or the client drops a timed-out one, Node emits that
 *   event a loop turn later, so the next request can be counted while the dropped one still is:
 *   for those classes `maxInFlight` may read C + 1 (the client never has more than C requests
 *   open; test/http-client.test.ts checks that against a server that counts exactly).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticId, loadFixtureCorpus } from './helpers/corpus.js';
import { runCli, tempDir, outputFiles, readJson } from './helpers/cli.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './helpers/fake-hub.js';

const N = 3000;
const CONCURRENCY = 8;
const hubs: FakeHub[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

/** The ids the listing shows, in order (the fake shows private items too when it has no token set). */
const idsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => syntheticId(i));
const EXPECTED_IDS = idsOf(N);

interface Run {
  hub: FakeHub;
  code: number | null;
  stderr: string;
  ms: number;
  aggregate: { datasets: Array<{ id: string; files: Array<{ size: number | null }>; errors: unknown[] }>; summary: Record<string, unknown> };
}

/** `collect --all --file-sizes` against a fake Hub of 3,000 synthetic datasets in pages of 100 (so the listing meets faults too). */
async function collect(hubOptions: FakeHubOptions, options: Record<string, string> = {}): Promise<Run> {
  const hub = await startFakeHub({ synthetic: N, maxPageSize: 100, latencyMs: 1, ...hubOptions });
  hubs.push(hub);
  const out = tempDir('faults-');
  const opts: Record<string, string> = { '--concurrency': String(CONCURRENCY), '--max-retries': '10', '--timeout': '5', ...options };
  const started = Date.now();
  const r = await runCli(['collect', '--all', '--file-sizes', '--no-individual', '--endpoint', hub.url, '--out', out, ...Object.entries(opts).flat()], { timeoutMs: 120_000 });
  const ms = Date.now() - started;
  const files = outputFiles(out);
  expect(files.aggregate).toHaveLength(1);
  return { hub, code: r.code, stderr: r.stderr, ms, aggregate: readJson(files.aggregate[0]!) };
}

/** Every dataset exactly once, in listing order, with per-file sizes, no failure, and the request count the server saw. */
function expectComplete(run: Run): void {
  expect(run.code, run.stderr).toBe(0);
  const ids = run.aggregate.datasets.map((d) => d.id);
  expect(ids.length).toBe(EXPECTED_IDS.length);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(EXPECTED_IDS);
  expect(run.aggregate.datasets.filter((d) => d.errors.length > 0)).toEqual([]);
  for (const d of run.aggregate.datasets) expect(d.files.every((f) => f.size !== null)).toBe(true);
  expect(run.aggregate.summary).toMatchObject({ total_datasets: EXPECTED_IDS.length, failed: 0, complete: true, requests: run.hub.counters.total });
}

/** For each 429: how many requests reached the server inside its Retry-After (those already sent when it reached the client). */
function requestsInsideRetryAfter(hub: FakeHub, latencyMs: number): number[] {
  const log = hub.requests;
  const counts: number[] = [];
  for (let i = 0; i < log.length; i++) {
    if (log[i]!.status !== 429) continue;
    const start = log[i]!.at;
    const end = start + latencyMs + 1000 - 20; // every 429 here says Retry-After: 1 (the fake's grace is 20 ms)
    let n = 0;
    for (let j = i + 1; j < log.length && log[j]!.at < end; j++) if (log[j]!.at >= start) n += 1;
    counts.push(n);
  }
  return counts;
}

function expectRetryAfterHonoured(run: Run): void {
  const inside = requestsInsideRetryAfter(run.hub, 1);
  expect(inside.length).toBe(run.hub.counters.faultsInjected['429'] ?? 0);
  for (const n of inside) expect(n).toBeLessThanOrEqual(CONCURRENCY - 1);
  expect(run.hub.counters.ignoredRetryAfter).toBeLessThanOrEqual(inside.length * (CONCURRENCY - 1));
}

describe('3,000 datasets with --file-sizes through each fault class', () => {
  it('429 with Retry-After in seconds: waited out without using retries, every worker paused', async () => {
    // the first listing request and a few random ones; --max-retries 0 proves a 429 uses no retry
    // the first listing request, and a detail request while 7 others are in flight
    const run = await collect({ faults: { atRequests: { 1: '429', 1500: '429' } } }, { '--max-retries': '0' });
    expectComplete(run);
    expect(run.hub.counters.faultsInjected['429']).toBe(2);
    expect(run.hub.counters.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expectRetryAfterHonoured(run);
  });

  it('503: retried with backoff; every slot used and never more', async () => {
    const run = await collect({ faults: { seed: 11, rate503: 0.05 } });
    expectComplete(run);
    expect(run.hub.counters.faultsInjected['503']).toBeGreaterThan(100);
    expect(run.hub.counters.detail).toBeGreaterThan(N);
    expect(run.hub.counters.maxInFlight).toBe(CONCURRENCY);
  });

  it.each([
    ['dropped connection', { rateReset: 0.05 }, 1],
    ['truncated body', { rateTruncate: 0.05 }, 1],
    ['malformed body', { rateMalformed: 0.05 }, 0],
  ] as const)('%s: retried with backoff', async (_kind, faults, slack) => {
    const run = await collect({ faults: { seed: 11, ...faults } });
    expectComplete(run);
    const injected = Object.values(run.hub.counters.faultsInjected).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(100);
    expect(run.hub.counters.maxInFlight).toBeLessThanOrEqual(CONCURRENCY + slack);
  });

  it('timeouts: an answer slower than --timeout is given up and asked again', async () => {
    const run = await collect({ faults: { slowMs: 1800, atRequests: { 2: 'slow', 1500: 'slow' } } }, { '--timeout': '1' }); // undici checks timeouts every 0.5 s: 1 s fires by 1.5 s
    expectComplete(run);
    expect(run.hub.counters.faultsInjected.slow).toBe(2);
    expect(run.hub.counters.total).toBe(N + 30 + run.hub.counters.faultsInjected.slow!); // each timed-out request was sent once more
    expect(run.hub.counters.maxInFlight).toBeLessThanOrEqual(CONCURRENCY + 1);
  });

  it('quota headers: paced to the budget, no request over the quota', async () => {
    const run = await collect({ quota: { limit: 1200, windowSec: 1 } });
    expectComplete(run);
    expect(run.hub.counters.overQuota).toBe(0);
    expect(run.hub.counters.ignoredRetryAfter).toBe(0);
    expect(run.hub.counters.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    // 3,030 requests at 1,200 a second, none over the quota: it waited for the window's resets
  });

  it('everything mixed, with quota headers', async () => {
    const run = await collect({
      quota: { limit: 1500, windowSec: 1 },
      faults: { seed: 5, rate429: 0.0005, rate503: 0.02, rateReset: 0.02, rateTruncate: 0.02, rateMalformed: 0.02, rateSlow: 0.01, slowMs: 200 },
    });
    expectComplete(run);
    const f = run.hub.counters.faultsInjected;
    for (const kind of ['503', 'reset', 'truncate', 'malformed', 'slow']) expect(f[kind], kind).toBeGreaterThan(10);
    expect(run.hub.counters.overQuota).toBe(0);
    expect(run.hub.counters.maxInFlight).toBeLessThanOrEqual(CONCURRENCY + 1);
    expectRetryAfterHonoured(run);
  });
});

describe('quota of 40 requests per 2 s window, --concurrency 8', () => {
  it('never sends a request over the quota and shows the budget in the progress lines', async () => {
    const hub = await startFakeHub({ synthetic: 70, latencyMs: 2, quota: { limit: 40, windowSec: 2 } });
    hubs.push(hub);
    const out = tempDir('quota-');
    const r = await runCli(['collect', '--all', '--file-sizes', '--no-individual', '--endpoint', hub.url, '--out', out, '--concurrency', '8', '--log-level', 'debug'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(hub.counters.total).toBe(71);
    expect(hub.counters.overQuota).toBe(0);
    expect(hub.counters.ignoredRetryAfter).toBe(0);
    expect(hub.counters.maxInFlight).toBeLessThanOrEqual(8);
    // 71 requests, none over 40 a window: it waited for a reset (and said so)
    expect(r.stderr).toMatch(/rate-limit quota used up \(0\/40 left\); waiting \d\.\d s for the window to reset/);
  });
});

describe('Retry-After as an HTTP date', () => {
  it('is waited out like seconds: the run completes, and only requests already in flight arrive before the date', async () => {
    const run = await collect({ synthetic: 300, faults: { retryAfterAsDate: true, atRequests: { 150: '429' } } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.aggregate.datasets.map((d) => d.id)).toEqual(idsOf(300));
    expect(run.hub.counters.faultsInjected['429']).toBe(1);
    const log = run.hub.requests;
    for (const [i, entry] of log.entries()) {
      if (entry.status !== 429) continue;
      const until = Math.ceil((entry.at + 1 + 1000) / 1000) * 1000; // the fake's date: the next whole second after 1 s
      const inside = log.slice(i + 1).filter((e) => e.at < until - 20);
      expect(inside.length).toBeLessThanOrEqual(CONCURRENCY - 1);
    }
  });
});

describe('per-dataset failures keep the listing data', () => {
  it('404, 403, a 500 that persists, a malformed body and a body over 64 MB become errors entries; the run goes on', async () => {
    const corpus = loadFixtureCorpus();
    const five = corpus.find((d) => d.id === 'nyu-mll/glue')!;
    five.__fake = { detailStatus: 500 };
    corpus.push({ _id: '65f0c0ffee0000000000beef', id: 'huge/body', author: 'huge', downloads: 0, likes: 0, tags: [], siblings: [{ rfilename: 'README.md' }] });
    const hub = await startFakeHub({ datasets: corpus, hugeBodyBytes: 65 * 1024 * 1024 + 1000 });
    hubs.push(hub);
    const out = tempDir('failures-');
    const r = await runCli(['collect', '--all', '--file-sizes', '--endpoint', hub.url, '--out', out, '--max-retries', '2'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const files = outputFiles(out);
    const agg = readJson(files.aggregate[0]!);
    const byId = new Map<string, any>(agg.datasets.map((d: any) => [d.id, d]));
    const listed = corpus.filter((d) => !(d.__fake as { unlisted?: boolean } | undefined)?.unlisted); // no token set: private ones are listed too
    expect(agg.datasets).toHaveLength(listed.length);
    const failed = ['ghost-user/deleted-dataset', 'restricted-org/clinical-notes', 'nyu-mll/glue', 'broken-org/malformed-detail', 'huge/body'];
    expect(agg.datasets.filter((d: any) => d.errors.length > 0).map((d: any) => d.id).sort()).toEqual([...failed].sort());
    expect(agg.summary).toMatchObject({ failed: 5, complete: true, total_datasets: listed.length });
    expect(byId.get('ghost-user/deleted-dataset').errors).toEqual([{ stage: 'detail', status: 404, code: 'RepoNotFound', message: expect.stringContaining('HTTP 404') }]);
    expect(byId.get('restricted-org/clinical-notes').errors).toEqual([{ stage: 'detail', status: 403, code: 'GatedRepo', message: expect.stringContaining('restricted') }]);
    expect(byId.get('nyu-mll/glue').errors).toEqual([{ stage: 'detail', status: 500, code: 'ETL_HTTP_STATUS', message: expect.stringContaining('HTTP 500') }]);
    expect(byId.get('broken-org/malformed-detail').errors).toEqual([{ stage: 'detail', status: null, code: 'ETL_BAD_BODY', message: expect.stringContaining('not valid JSON (after 3 attempts)') }]);
    expect(byId.get('huge/body').errors).toEqual([{ stage: 'detail', status: null, code: 'ETL_BODY_TOO_LARGE', message: expect.stringContaining('larger than 64 MB') }]);
    // the listing data is still there
    const glue = byId.get('nyu-mll/glue');
    expect(glue.statistics.downloads).toBe(five.downloads);
    expect(glue.files.length).toBeGreaterThan(0);
    // the individual file says the same, and the last stderr line counts the failures
    const individual = JSON.parse(readFileSync(`${out}/individual_datasets/nyu-mll__glue.json`, 'utf8'));
    expect(individual.errors).toHaveLength(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/5 failed/);
  });

  it('reads a repo with more than 1,000 files from its tree pages, under faults', async () => {
    const hub = await startFakeHub({ faults: { seed: 2, onlyRoutes: ['tree', 'detail'], rate503: 0.1, rateTruncate: 0.1 } });
    hubs.push(hub);
    const out = tempDir('tree-');
    const r = await runCli(['collect', '--all', '--file-sizes', '--no-individual', '--endpoint', hub.url, '--out', out, '--max-retries', '10'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const agg = readJson(outputFiles(out).aggregate[0]!);
    const fineweb = agg.datasets.find((d: any) => d.id === 'HuggingFaceFW/fineweb');
    expect(fineweb.errors).toEqual([]);
    expect(fineweb.files).toHaveLength(2500);
    expect(fineweb.files.every((f: any) => typeof f.size === 'number' && !f.path.endsWith('/'))).toBe(true);
    expect(fineweb.statistics.file_count).toBe(2500);
    expect(fineweb.statistics.total_size_bytes).toBe(fineweb.files.reduce((a: number, f: any) => a + f.size, 0));
    const treePages = new Set(hub.requests.filter((q) => q.url.includes('/api/datasets/HuggingFaceFW/fineweb/tree/')).map((q) => q.url));
    expect(treePages.size).toBe(3); // 2,500 files and 3 directories, 1,000 entries a page
    expect(hub.counters.faultsInjected['503']! + hub.counters.faultsInjected.truncate!).toBeGreaterThan(3);
    expect(hub.requests.some((q) => q.url.startsWith('/api/datasets/HuggingFaceFW/fineweb?'))).toBe(false);
  });
});
