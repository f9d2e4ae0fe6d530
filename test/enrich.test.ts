/**
 * `enrich` through the real CLI against the fake Hub: stdin ids or NDJSON records in, enriched
 * records out in input order; unusable lines named on stderr and skipped; failures as records.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ndjsonLines, runCli } from './helpers/cli.js';
import { syntheticId } from './helpers/corpus.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './helpers/fake-hub.js';

const hubs: FakeHub[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function enrich(input: string, hubOptions: FakeHubOptions = {}, args: string[] = []) {
  const hub = await startFakeHub(hubOptions);
  hubs.push(hub);
  const r = await runCli(['enrich', '--endpoint', hub.url, ...args], { input, timeoutMs: 60_000 });
  return { ...r, hub, records: r.code === 0 ? ndjsonLines(r.stdout) : [] };
}

const RECORD_KEYS = ['id', 'name', 'author', 'sha', 'links', 'info', 'statistics', 'files', 'additional', 'viewer', 'errors', 'collected_at'];

describe('enrich', () => {
  it('writes the records in input order while answers come back out of order', async () => {
    // ids in a shuffled order, some as NDJSON records; slow answers and retried faults reorder completions
    const ids = Array.from({ length: 400 }, (_, i) => syntheticId((i * 7919) % 1000));
    const input = ids.map((id, i) => (i % 3 === 0 ? JSON.stringify({ id, statistics: { trending_score: 12345 } }) : id)).join('\n') + '\n';
    const r = await enrich(input, { synthetic: 1000, latencyMs: 1, faults: { seed: 4, rateSlow: 0.1, slowMs: 120, rate503: 0.03, rateTruncate: 0.03 } }, ['--concurrency', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.records.map((x) => x.id)).toEqual(ids);
    expect(r.records.every((x) => x.errors.length === 0 && x.files.length > 0 && x.files.every((f: { size: unknown }) => typeof f.size === 'number'))).toBe(true);
    expect(r.records.filter((_, i) => i % 3 === 0).every((x) => x.statistics.trending_score === 12345)).toBe(true); // kept from the input record
    expect(r.hub.counters.maxInFlight).toBeLessThanOrEqual(9); // 8, plus the fake's late count of a dropped connection
    expect(r.stderr).toMatch(/enriched 400 datasets, 0 failed/);
  });

  it('names every unusable line on stderr, skips it and goes on', async () => {
    const lines = [
      'rajpurkar/squad', // 1
      '', // 2: blank, ignored silently
      'not an id!!', // 3
      '{"no_id": true}', // 4
      '{"id": "allenai/c4", oops', // 5
      '[1, 2]', // 6
      '../../etc/passwd', // 7
      JSON.stringify({ id: 'allenai/c4', info: { pretty_name: 'kept?' } }), // 8
      '{"id": 42}', // 9
      '  openai/gsm8k  ', // 10
    ];
    const r = await enrich(lines.join('\n'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.records.map((x) => x.id)).toEqual(['rajpurkar/squad', 'allenai/c4', 'openai/gsm8k']);
    for (const n of [3, 4, 5, 6, 7, 9]) expect(r.stderr).toMatch(new RegExp(`stdin line ${n} skipped \\(`));
    expect(r.stderr).not.toMatch(/stdin line (1|2|8|10) /);
    expect(r.stderr).toContain('stdin line 5 skipped (not valid JSON): "{\\"id\\": \\"allenai/c4\\", oops"');
    expect(r.stderr).toMatch(/enriched 3 datasets, 0 failed, 6 input lines skipped/);
  });

  it('answers a legacy id with the namespaced record, directly or through a redirect', async () => {
    const r = await enrich('squad\ngsm8k\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.records.map((x) => [x.id, x.author, x.name])).toEqual([
      ['rajpurkar/squad', 'rajpurkar', 'squad'],
      ['openai/gsm8k', 'openai', 'gsm8k'],
    ]);
    for (const rec of r.records) {
      expect(rec.errors).toEqual([]);
      expect(rec.links.dataset_url).toBe(`${r.hub.url}/datasets/${rec.id}`);
      expect(rec.files.length).toBeGreaterThan(0);
      expect(rec.statistics.total_size_bytes).toBe(rec.files.reduce((a: number, f: { size: number }) => a + f.size, 0));
    }
    // a bare id also asks for the listing-only fields (downloadsAllTime, trendingScore, mainSize)
    const extra = '?expand[]=downloadsAllTime&expand[]=trendingScore&expand[]=mainSize';
    expect(r.hub.requests.map((q) => [q.url, q.status]).sort()).toEqual([
      ['/api/datasets/gsm8k?blobs=true', 307],
      [`/api/datasets/gsm8k${extra}`, 307],
      ['/api/datasets/openai/gsm8k?blobs=true', 200],
      [`/api/datasets/openai/gsm8k${extra}`, 200],
      ['/api/datasets/squad?blobs=true', 200],
      [`/api/datasets/squad${extra}`, 200],
    ]);
  });

  it('writes a failed id as a record of the full shape with an errors entry, and the run goes on', async () => {
    const input = ['nobody/nothing', 'restricted-org/clinical-notes', 'broken-org/malformed-detail', 'huge/body', 'enrich-only/unlisted-dataset', 'HuggingFaceFW/fineweb'].join('\n');
    const r = await enrich(input, { hugeBodyBytes: 65 * 1024 * 1024 + 1 }, ['--max-retries', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.records.map((x) => x.id)).toEqual(input.split('\n'));
    for (const rec of r.records) expect(Object.keys(rec)).toEqual(RECORD_KEYS);
    const [missing, gated, malformed, huge, unlisted, big] = r.records;
    expect(missing.errors).toEqual([{ stage: 'detail', status: 401, code: 'RepoNotFound', message: expect.stringContaining('HTTP 401') }]);
    expect(missing).toMatchObject({ name: 'nothing', author: 'nobody', sha: null, files: [], statistics: { downloads: null, file_count: 0 } });
    expect(gated.errors).toEqual([{ stage: 'detail', status: 403, code: 'GatedRepo', message: expect.any(String) }]);
    expect(malformed.errors).toEqual([{ stage: 'detail', status: null, code: 'ETL_BAD_BODY', message: expect.stringContaining('(after 3 attempts)') }]);
    expect(huge.errors).toEqual([{ stage: 'detail', status: null, code: 'ETL_BODY_TOO_LARGE', message: expect.stringContaining('larger than 64 MB') }]);
    expect(unlisted.errors).toEqual([]);
    expect(big.errors).toEqual([]);
    expect(big.files).toHaveLength(2500);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/enriched 6 datasets, 4 failed/);
  });

  it('counts as failed only what failed in this run', async () => {
    const earlier = { id: 'allenai/c4', errors: [{ stage: 'detail', status: 503, code: 'ETL_HTTP_STATUS', message: 'earlier run' }] };
    const r = await enrich(JSON.stringify(earlier) + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.records[0].errors).toEqual(earlier.errors); // an input field is kept
    expect(r.records[0].files.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/enriched 1 dataset, 0 failed/);
  });

  it('writes each record as soon as it is ready, and Ctrl-C stops a run that waits for more input', async () => {
    const hub = await startFakeHub({});
    hubs.push(hub);
    const child = spawn(process.execPath, [BIN, 'enrich', '--endpoint', hub.url], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.write('rajpurkar/squad\n'); // stdin stays open
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ndjsonLines(stdout).map((r) => r.id)).toEqual(['rajpurkar/squad']);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr).toMatch(/interrupted; enriched 1 dataset/);
  });
});
