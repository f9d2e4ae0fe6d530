/**
 * Fatal failures through the real CLI: the endpoint unreachable (at the start, or while details
 * are fetched), a 401 on the listing, an output folder that cannot be written. Each ends with one
 * clear line on stderr (the last one, no stack trace), exit 1, and files that are valid JSON with
 * `complete: false`.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ndjsonLines, outputFiles, readJson, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { syntheticId } from './helpers/corpus.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

const hubs: FakeHub[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close().catch(() => undefined)));
});

/** A 127.0.0.1 port nothing listens on. */
async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The run's last stderr line, after checking there is no stack trace. */
function lastLine(r: CliResult): string {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr.trim().split('\n').at(-1)!;
}

function expectIncompleteFiles(out: string): { aggregate: any; links: any } {
  const files = outputFiles(out);
  expect(files.aggregate).toHaveLength(1);
  expect(files.links).toHaveLength(1);
  const aggregate = readJson(files.aggregate[0]!);
  const links = readJson(files.links[0]!);
  expect(aggregate.summary.complete).toBe(false);
  expect(links.summary.complete).toBe(false);
  expect(links.datasets.map((d: { id: string }) => d.id)).toEqual(aggregate.datasets.map((d: { id: string }) => d.id));
  for (const name of readdirSync(join(out, 'individual_datasets'))) readJson(join(out, 'individual_datasets', name));
  expect(readJson(join(out, '.hf-datasets-state.json')).complete).toBe(false);
  return { aggregate, links };
}

describe('fatal errors', () => {
  it('endpoint unreachable: one line, exit 1, valid files with complete:false', async () => {
    const endpoint = await deadEndpoint();
    const out = tempDir('fatal-');
    const r = await runCli(['collect', '--endpoint', endpoint, '--out', out, '--max-retries', '2'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r)).toBe(`hf-datasets: cannot reach ${endpoint}/api/datasets?…: connection refused (after 3 attempts); 0 datasets kept in ${outputFiles(out).aggregate[0]} (incomplete; continue with --resume --out ${out}) (is the Hub address right? it comes from --endpoint or HF_ENDPOINT; to try the tool without the Hub, \`npm run demo\` runs it against a local fake Hub)`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const { aggregate } = expectIncompleteFiles(out);
    expect(aggregate.datasets).toEqual([]);
    expect(aggregate.summary.requests).toBe(3);
  });

  it('endpoint gone while details are fetched: the run stops (no dataset marked failed), and --resume finishes it', async () => {
    const hub = await startFakeHub({ synthetic: 600, maxPageSize: 100, latencyMs: 2 });
    hubs.push(hub);
    const out = tempDir('fatal-');
    const run = runCli(['collect', '--all', '--file-sizes', '--endpoint', hub.url, '--out', out, '--max-retries', '2', '--concurrency', '4'], { timeoutMs: 30_000 });
    await hub.until((c) => c.detail >= 150);
    await hub.close();
    const r = await run;
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^hf-datasets: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/datasets\/.* \(after 3 attempts\); \d+ datasets kept in .* \(incomplete; continue with --resume --out .*\)$/);
    const { aggregate } = expectIncompleteFiles(out);
    expect(aggregate.datasets.length).toBeGreaterThan(50);
    expect(aggregate.datasets.filter((d: { errors: unknown[] }) => d.errors.length > 0)).toEqual([]);
    expect(aggregate.summary.failed).toBe(0);

    const again = await startFakeHub({ synthetic: 600, maxPageSize: 100 });
    hubs.push(again);
    const resumed = await runCli(['collect', '--resume', '--endpoint', again.url, '--out', out], { timeoutMs: 30_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = readJson(outputFiles(out).aggregate[0]!);
    expect(done.summary.complete).toBe(true);
    expect(done.datasets.map((d: { id: string }) => d.id)).toEqual(Array.from({ length: 600 }, (_, i) => syntheticId(i)));
    expect(done.datasets.every((d: { errors: unknown[]; files: Array<{ size: unknown }> }) => d.errors.length === 0 && d.files.every((f) => typeof f.size === 'number'))).toBe(true);
  });

  it('401 on the listing: one line, exit 1, valid files with complete:false', async () => {
    const hub = await startFakeHub({ token: 'hf_theRightToken' });
    hubs.push(hub);
    const out = tempDir('fatal-');
    const r = await runCli(['collect', '--endpoint', hub.url, '--out', out, '--token', 'hf_notTheRightToken'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r)).toBe(
      `hf-datasets: HTTP 401 for GET ${hub.url}/api/datasets?…: Invalid credentials in Authorization header (the token was refused: check --token / HF_TOKEN); 0 datasets kept in ${outputFiles(out).aggregate[0]} (incomplete; continue with --resume --out ${out})`,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(hub.counters.total).toBe(1); // a 401 is not retried
    expect(expectIncompleteFiles(out).aggregate.datasets).toEqual([]);
  });

  it('an output folder that cannot be written: one line, exit 1, nothing written, the Hub not asked', async () => {
    const hub = await startFakeHub({});
    hubs.push(hub);
    const parent = tempDir('fatal-');
    const file = join(parent, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await runCli(['collect', '--endpoint', hub.url, '--out', join(file, 'out')], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(/^hf-datasets: .*a-file\/out.*ENOTDIR/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(parent)).toEqual(['a-file']);
    expect(hub.counters.total).toBe(0);
    expect(existsSync(join(file, 'out'))).toBe(false);
  });

  it('enrich with the endpoint unreachable: one line, exit 1, nothing on stdout', async () => {
    const endpoint = await deadEndpoint();
    const r = await runCli(['enrich', '--endpoint', endpoint, '--max-retries', '1'], { input: 'a/b\nc/d\ne/f\n', timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r)).toMatch(new RegExp(`^hf-datasets: cannot reach ${endpoint}/api/datasets/a/b\\?blobs=true: connection refused \\(after 2 attempts\\) \\(is the Hub address right\\? .*\`npm run demo\`.*\\)$`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(ndjsonLines(r.stdout)).toEqual([]);
  });
});
