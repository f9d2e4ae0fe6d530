/**
 * `--viewer-stats` through the real CLI: a fake Hub and a fake dataset viewer, each on its own
 * port. Records keep their order and get the viewer block of their answer; failures become
 * `errors` entries and the run goes on; the token goes to both origins and nowhere else; a 429
 * from the viewer does not hold back the Hub listing; `summary.requests` counts both.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { normalizeConfig } from '../src/config.js';
import { viewerBlockFromSize } from '../src/record/viewer.js';
import type { DatasetRecord } from '../src/types.js';
import { expectRecordShape } from './helpers/record-shape.js';
import { ndjsonLines, outputFiles, readJson, runCli, tempDir } from './helpers/cli.js';
import { syntheticId } from './helpers/corpus.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './helpers/fake-hub.js';
import { fakeSizeAnswer, startFakeViewer, type FakeViewer, type FakeViewerOptions } from './helpers/fake-viewer.js';

const TOKEN = 'hf_e2e_viewer_token_abcdef0123456789';
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function servers(hubOpts: FakeHubOptions, viewerOpts: FakeViewerOptions = {}): Promise<{ hub: FakeHub; viewer: FakeViewer }> {
  const hub = await startFakeHub({ token: TOKEN, ...hubOpts });
  const viewer = await startFakeViewer(viewerOpts);
  closers.push(() => hub.close(), () => viewer.close());
  return { hub, viewer };
}

function dir(): string {
  const d = tempDir('hfds-viewer-');
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A server on a third origin that logs the Authorization header it received. */
async function thirdOrigin(): Promise<{ url: string; seen: Array<string | undefined> }> {
  const seen: Array<string | undefined> = [];
  const s: Server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const text = JSON.stringify(fakeSizeAnswer('moved/elsewhere'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

const ok = (id: string) => viewerBlockFromSize(fakeSizeAnswer(id));

describe('collect --viewer-stats', () => {
  it('adds the viewer block in listing order; the viewer\'s own answers are facts, failures are errors entries', async () => {
    const third = await thirdOrigin();
    const ids = {
      partial: syntheticId(1), notFound: syntheticId(2), notReady: syntheticId(3), unauth: syntheticId(4), fail: syntheticId(5), slow: syntheticId(6),
      malformed: syntheticId(7), moved: syntheticId(8), flaky: syntheticId(9), noAccess: syntheticId(10), blocked: syntheticId(11),
      tooMany: syntheticId(12), unexpected: syntheticId(13), pending: syntheticId(14), failed: syntheticId(15), nothing: syntheticId(16), legacy: syntheticId(17),
    };
    const { hub, viewer } = await servers({ synthetic: 40, maxPageSize: 15 }, {
      scenarios: {
        [ids.partial]: { kind: 'partial' },
        [ids.notFound]: { kind: 'not-found' },
        [ids.notReady]: { kind: 'not-ready' },
        [ids.unauth]: { kind: 'error-code', code: 'ExternalUnauthenticatedError' },
        [ids.noAccess]: { kind: 'error-code', code: 'ExternalAuthenticatedError' },
        [ids.blocked]: { kind: 'error-code', code: 'DatasetInBlockListError' },
        [ids.tooMany]: { kind: 'error-code', code: 'DatasetWithTooManyConfigsError' },
        [ids.unexpected]: { kind: 'error-code', code: 'UnexpectedError' },
        [ids.pending]: { kind: 'pending' },
        [ids.failed]: { kind: 'failed' },
        [ids.nothing]: { kind: 'nothing-sized' },
        [ids.legacy]: { kind: 'legacy' },
        [ids.fail]: { kind: 'error500' },
        [ids.slow]: { kind: 'slow', ms: 300 },
        [ids.malformed]: { kind: 'malformed' },
        [ids.moved]: { kind: 'redirect', location: `${third.url}/size?dataset=moved%2Felsewhere` },
        [ids.flaky]: { kind: 'error500', times: 2 },
      },
    });
    const out = dir();
    const plain = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url], { env: { HF_TOKEN: TOKEN } });
    expect(plain.code, plain.stderr).toBe(0);
    const listRequests = hub.counters.total;
    hub.resetCounters();

    const r = await runCli(['collect', '--all', '--viewer-stats', '--viewer-endpoint', viewer.url, '--out', out, '--concurrency', '4', '--max-retries', '2', '--endpoint', hub.url], { env: { HF_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    const agg = readJson(outputFiles(out).aggregate[0]!);
    const records = agg.datasets as Array<Record<string, any>>;
    expect(records.map((x) => x.id)).toEqual(ndjsonLines(plain.stdout).map((x) => x.id)); // the listing's order
    expect(ndjsonLines(plain.stdout).every((x) => x.viewer === null)).toBe(true);
    expect(agg.collection_info.query.viewer_stats).toBe(true);
    const byId = new Map(records.map((x) => [x.id as string, x]));
    const special = new Set(Object.values(ids));
    for (const rec of records) if (!special.has(rec.id)) expect(rec.viewer, rec.id).toEqual(ok(rec.id));
    expect(byId.get(ids.partial)!.viewer).toEqual(viewerBlockFromSize(fakeSizeAnswer(ids.partial, { partial: true })));
    expect(byId.get(ids.partial)!.viewer.estimated_num_rows).toBeGreaterThan(byId.get(ids.partial)!.viewer.num_rows);
    expect(byId.get(ids.pending)!.viewer).toMatchObject({ available: true, pending: ['extra'], failed: [], num_rows: expect.any(Number) });
    expect(byId.get(ids.failed)!.viewer).toMatchObject({ available: true, pending: [], failed: ['extra'], num_rows: expect.any(Number) });
    expect(byId.get(ids.nothing)!.viewer).toMatchObject({ available: true, num_rows: null, num_bytes_parquet_files: null, failed: ['default', 'extra'], splits: [] });
    expect(byId.get(ids.legacy)!.viewer).toMatchObject({ available: true, num_rows: expect.any(Number), estimated_num_rows: null });
    for (const rec of records) expectRecordShape(rec as DatasetRecord);
    expect(byId.get(ids.slow)!.viewer).toEqual(ok(ids.slow));
    expect(byId.get(ids.flaky)!.viewer).toEqual(ok(ids.flaky));
    expect(byId.get(ids.moved)!.viewer).toEqual(ok('moved/elsewhere'));
    for (const [id, reason] of [[ids.notFound, 'ResponseNotFound'], [ids.notReady, 'ResponseNotReady'], [ids.unauth, 'ExternalUnauthenticatedError'],
      [ids.noAccess, 'ExternalAuthenticatedError'], [ids.blocked, 'DatasetInBlockListError'], [ids.tooMany, 'DatasetWithTooManyConfigsError'], [ids.unexpected, 'UnexpectedError']]) {
      expect(byId.get(id!)!.viewer).toEqual({ available: false, reason });
      expect(byId.get(id!)!.errors).toEqual([]);
    }
    expect(byId.get(ids.fail)!.viewer).toEqual({ available: false, reason: 'HTTP 500' });
    expect(byId.get(ids.fail)!.errors).toEqual([{ stage: 'viewer', status: 500, code: 'ETL_HTTP_STATUS', message: expect.stringContaining('HTTP 500') }]);
    expect(byId.get(ids.malformed)!.viewer).toEqual({ available: false, reason: 'ETL_BAD_BODY' });
    expect(byId.get(ids.malformed)!.errors).toEqual([expect.objectContaining({ stage: 'viewer', code: 'ETL_BAD_BODY' })]);
    expect(agg.summary.failed).toBe(2);
    expect(r.stderr).toMatch(/collected 40 datasets, 2 failed/);

    // no extra Hub request; one /size per dataset plus the retries; summary.requests counts both
    expect(hub.counters.total).toBe(listRequests);
    expect(hub.counters.detail).toBe(0);
    const perId = (id: string) => viewer.requests.filter((q) => q.dataset === id).length;
    for (const id of [ids.notReady, ids.unauth, ids.noAccess, ids.blocked, ids.tooMany, ids.unexpected]) expect(perId(id)).toBe(1);
    expect([perId(ids.fail), perId(ids.malformed), perId(ids.flaky)]).toEqual([3, 3, 3]);
    expect(viewer.counters.total).toBe(40 + 2 + 2 + 2);
    expect(agg.summary.requests).toBe(hub.counters.total + viewer.counters.total + third.seen.length);
    expect(viewer.counters.maxInFlight).toBeLessThanOrEqual(4);

    // the token: to the Hub and to the viewer, not to the third origin a redirect pointed at
    expect(hub.requests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(viewer.requests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(third.seen).toEqual([undefined]);
    expect(r.stderr).not.toContain(TOKEN);
    for (const f of [...outputFiles(out).aggregate, ...outputFiles(out).links, join(out, '.hf-datasets-state.json')]) expect(readFileSync(f, 'utf8')).not.toContain(TOKEN.slice(3));
  });

  it('a 429 from the viewer pauses viewer requests, not the Hub listing', async () => {
    const first = syntheticId(0);
    // 30 datasets fit the viewer stage's look-ahead (2 × --concurrency), so nothing but a pause could hold the listing back
    const { hub, viewer } = await servers({ synthetic: 30, maxPageSize: 5 }, { scenarios: {} });
    // which id comes first in the listing: every dataset's first viewer answer is a 429 for that one
    const probe = await runCli(['collect', '--limit', '1', '--ndjson', '--endpoint', hub.url], { env: { HF_TOKEN: TOKEN } });
    const head = ndjsonLines(probe.stdout)[0]?.id ?? first;
    viewer.setOptions({ scenarios: { [head]: { kind: '429', retryAfter: 2 } } });
    hub.resetCounters();
    const r = await runCli(['collect', '--all', '--ndjson', '--viewer-stats', '--viewer-endpoint', viewer.url, '--endpoint', hub.url, '--concurrency', '16'], { env: { HF_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    expect(records).toHaveLength(30);
    expect(records[0].id).toBe(head);
    expect(records.every((x) => x.viewer?.available === true)).toBe(true);
    const tries = viewer.requests.filter((q) => q.dataset === head);
    expect(tries.map((q) => q.status)).toEqual([429, 200]);
    const pauseEnd = tries[1]!.at;
    expect(pauseEnd - tries[0]!.at).toBeGreaterThanOrEqual(1900);
    const pages = hub.requests.filter((q) => q.url.startsWith('/api/datasets?') || q.url.startsWith('/api/datasets/?'));
    expect(pages.length).toBeGreaterThanOrEqual(6);
    expect(pages.every((q) => q.at < pauseEnd)).toBe(true); // the whole listing went on during the viewer's pause
    // only requests already under way when the 429 came back (at most 15 more slots) reach the viewer during the pause;
    // without the pause, the other 29 would (viewer.test.ts checks the pause itself exactly)
    const t429 = tries[0]!.at;
    expect(viewer.requests.filter((q) => q.at > t429 && q.at < t429 + 1900).length).toBeLessThanOrEqual(15);
  });

  it('search takes --viewer-stats too; a bad --viewer-endpoint is a usage error', async () => {
    expect(normalizeConfig('search', { term: 'x', viewerStats: true }, {}).query.viewer_stats).toBe(true);
    expect(normalizeConfig('enrich', { viewerStats: true }, {}).query.viewer_stats).toBe(true);
    const c = normalizeConfig('collect', {}, {});
    expect([c.query.viewer_stats, c.viewerEndpoint]).toEqual([false, 'https://datasets-server.huggingface.co']);
    expect(normalizeConfig('collect', { viewerEndpoint: 'http://127.0.0.1:9/' }, {}).viewerEndpoint).toBe('http://127.0.0.1:9');
    const cwd = dir();
    const r = await runCli(['search', 'x', '--viewer-stats', '--viewer-endpoint', 'ftp://nope'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('hf-datasets: --viewer-endpoint must be an http(s) URL, got "ftp://nope"');
  });
});

describe('enrich --viewer-stats', () => {
  it('adds file sizes and the viewer block, in input order; an input block is replaced', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => syntheticId((i * 7) % 50));
    const { hub, viewer } = await servers({ synthetic: 50 }, {
      scenarios: { [ids[0]!]: { kind: 'slow', ms: 200 }, [ids[3]!]: { kind: 'not-ready' }, [ids[4]!]: { kind: 'error500' } },
    });
    const input = ids.map((id, i) => (i === 1 ? JSON.stringify({ id, viewer: { available: false, reason: 'ResponseNotReady' } }) : id)).join('\n') + '\n';
    const r = await runCli(['enrich', '--viewer-stats', '--viewer-endpoint', viewer.url, '--endpoint', hub.url, '--concurrency', '4', '--max-retries', '1'], { input, env: { HF_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    expect(records.map((x) => x.id)).toEqual(ids);
    expect(records[0].viewer).toEqual(ok(ids[0]!));
    expect(records[1].viewer).toEqual(ok(ids[1]!));
    expect(records[3].viewer).toEqual({ available: false, reason: 'ResponseNotReady' });
    expect(records[4].viewer).toEqual({ available: false, reason: 'HTTP 500' });
    expect(records[4].errors).toEqual([expect.objectContaining({ stage: 'viewer', status: 500 })]);
    expect(records.every((x) => x.files.length > 0)).toBe(true);
    expect(r.stderr).toMatch(new RegExp(`enriched 30 datasets, 1 failed, ${hub.counters.total + viewer.counters.total} requests`));
    expect(viewer.requests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);

    // without the flag, the input's block is kept and the viewer is not asked
    viewer.resetCounters();
    const kept = await runCli(['enrich', '--viewer-endpoint', viewer.url, '--endpoint', hub.url], { input: ids.slice(0, 2).map((id) => JSON.stringify({ id, viewer: { available: false, reason: 'ResponseNotReady' } })).join('\n'), env: { HF_TOKEN: TOKEN } });
    expect(kept.code, kept.stderr).toBe(0);
    expect(ndjsonLines(kept.stdout).map((x) => x.viewer)).toEqual([{ available: false, reason: 'ResponseNotReady' }, { available: false, reason: 'ResponseNotReady' }]);
    expect(viewer.counters.total).toBe(0);
  });
});
