/**
 * The core issue's "done when", through the real CLI process against the fake Hub.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtureCorpus } from './helpers/corpus.js';
import { BIN, cliEnv, ndjsonLines, outputFiles, readJson, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

describe('collect against a 3,000-dataset fake Hub', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub({ synthetic: 3000 });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('--limit 2500 writes every output, each dataset once, in listing order, with 3 list requests', async () => {
    const out = tempDir();
    hub.resetCounters();
    const r = await runCli(['collect', '--limit', '2500', '--out', out, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(hub.counters.list).toBe(3);
    expect(hub.counters.total).toBe(3);

    const files = outputFiles(out);
    expect(files.aggregate).toHaveLength(1);
    expect(files.links).toHaveLength(1);
    const agg = readJson(files.aggregate[0]!);
    const links = readJson(files.links[0]!);
    expect(agg.summary).toMatchObject({ total_datasets: 2500, failed: 0, requests: 3, complete: true });
    expect(links.summary).toEqual(agg.summary);
    expect(links.collection_info).toEqual(agg.collection_info);
    expect(agg.collection_info).toMatchObject({ tool: 'hf-dataset-collector', endpoint: hub.url });
    expect(agg.collection_info.query).toEqual({ search: null, author: null, filter: [], sort: 'downloads', since: null, limit: 2500, file_sizes: false, viewer_stats: false });

    const ids = agg.datasets.map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(2500);
    // listing order: downloads descending
    const downloads = agg.datasets.map((d: { statistics: { downloads: number } }) => d.statistics.downloads);
    expect([...downloads].sort((a, b) => b - a)).toEqual(downloads);
    expect(links.datasets.map((d: { id: string }) => d.id)).toEqual(ids);
    expect(Object.keys(links.datasets[0])).toEqual(['id', 'dataset_url', 'github', 'papers', 'homepage', 'paperswithcode_id', 'doi', 'download_links']);

    expect(files.individual).toHaveLength(2500);
    const first = agg.datasets[0];
    const single = readJson(join(out, 'individual_datasets', first.id.includes('/') ? `${first.id.replace('/', '__')}.json` : `${first.id}.json`));
    expect(single).toEqual(first);
    // the record's shape
    expect(Object.keys(first)).toEqual(['id', 'name', 'author', 'sha', 'links', 'info', 'statistics', 'files', 'additional', 'viewer', 'errors', 'collected_at']);
    expect(first.links.dataset_url).toBe(`${hub.url}/datasets/${first.id}`);
    expect(first.statistics.file_count).toBe(first.files.length);
    expect(first.links.download_links).toHaveLength(first.files.length);
  });

  it('--all --ndjson | head -3 prints three records and exits 0 quietly', async () => {
    const child = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" collect --all --ndjson --endpoint ${hub.url} | head -3; echo "status=\${PIPESTATUS:-}"`], {
      env: cliEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(JSON.parse(l).id).toBeTypeOf('string');
    for (const l of stderr.split('\n').filter(Boolean)) expect(l).toMatch(/^hf-datasets (info|warn):/);
    expect(stderr).not.toMatch(/Error|EPIPE|at /);
  });

  it('the CLI exits 0 when its stdout reader goes away (EPIPE), with --out files closed as incomplete', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [BIN, 'collect', '--all', '--ndjson', '--out', out, '--endpoint', hub.url], { env: cliEnv() });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const agg = readJson(outputFiles(out).aggregate[0]!);
    expect(agg.summary.complete).toBe(false);
    expect(readJson(join(out, '.hf-datasets-state.json')).complete).toBe(false);
  });

  it('--ndjson without --out writes no files', async () => {
    const cwd = tempDir();
    const r = await runCli(['collect', '--limit', '5', '--ndjson', '--endpoint', hub.url], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(5);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('two runs in the same folder never overwrite each other', async () => {
    const out = tempDir();
    const [a, b] = await Promise.all([
      runCli(['collect', '--limit', '3', '--out', out, '--endpoint', hub.url]),
      runCli(['collect', '--limit', '4', '--out', out, '--endpoint', hub.url]),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const files = outputFiles(out);
    expect(files.aggregate).toHaveLength(2);
    const totals = files.aggregate.map((f) => readJson(f).summary.total_datasets).sort();
    expect(totals).toEqual([3, 4]);
  });
});

describe('search, filters and the fixture corpus', () => {
  let hub: FakeHub;
  const corpus = loadFixtureCorpus();
  beforeAll(async () => {
    hub = await startFakeHub({ datasets: corpus });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('search TERM writes search_<term>_<ts>.json with only matching datasets', async () => {
    const out = tempDir();
    const r = await runCli(['search', 'squad', '--out', out, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const names = readdirSync(out);
    const file = names.find((n) => /^search_squad_\d{8}_\d{6}\.json$/.test(n));
    expect(file, names.join(',')).toBeDefined();
    const doc = readJson(join(out, file!));
    expect(doc.datasets.length).toBeGreaterThan(0);
    for (const d of doc.datasets) expect(d.id.toLowerCase()).toContain('squad');
    const expected = corpus.filter((d) => String(d.id).toLowerCase().includes('squad') && d.private !== true).length;
    expect(doc.datasets.length).toBe(expected);
    expect(doc.collection_info.query.search).toBe('squad');
  });

  it('search X --search Y is a usage error and writes nothing', async () => {
    const cwd = tempDir();
    const r = await runCli(['search', 'a', '--search', 'b', '--endpoint', hub.url], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--author and --filter are passed to the Hub', async () => {
    const r = await runCli(['collect', '--all', '--ndjson', '--filter', 'language:en', '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    expect(records.length).toBeGreaterThan(0);
    for (const rec of records) expect(rec.info.tags).toContain('language:en');
    const listUrl = hub.requests.find((q) => q.url.includes('filter='))!.url;
    expect(listUrl).toContain('filter=language%3Aen');
    expect(listUrl).toContain('expand%5B%5D=siblings');
  });

  it('writes records that match the fixtures, with links on the configured endpoint', async () => {
    const r = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout);
    const byId = new Map(records.map((x) => [x.id, x]));
    expect(byId.size).toBe(records.length);
    const squad = byId.get('rajpurkar/squad');
    expect(squad).toBeDefined();
    expect(squad.author).toBe('rajpurkar');
    expect(squad.links.dataset_url).toBe(`${hub.url}/datasets/rajpurkar/squad`);
    for (const rec of records) for (const link of rec.links.download_links) expect(link.startsWith(`${hub.url}/datasets/`)).toBe(true);
  });
});

describe('how the listing is paged', () => {
  it('a moving ranking (pages repeating ids) yields every dataset once', async () => {
    const hub = await startFakeHub({ synthetic: 3000, reorderEveryPage: true });
    try {
      const r = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url]);
      expect(r.code, r.stderr).toBe(0);
      const ids = ndjsonLines(r.stdout).map((x) => x.id as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(3000);
    } finally {
      await hub.close();
    }
  });

  it('asks for 1000 a page and falls back to 500 when the Hub refuses it; follows Link only', async () => {
    const hub = await startFakeHub({ synthetic: 1800, rejectLimitAbove: 500 });
    try {
      const r = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(ndjsonLines(r.stdout)).toHaveLength(1800);
      const lists = hub.requests.filter((q) => q.url.startsWith('/api/datasets?'));
      expect(lists[0]!.url).toContain('limit=1000');
      expect(lists[0]!.status).toBe(400);
      expect(lists.slice(1).every((q) => q.url.includes('limit=500') && q.status === 200)).toBe(true);
      expect(lists).toHaveLength(1 + 4); // 500 + 500 + 500 + 300
    } finally {
      await hub.close();
    }
  });

  it('a short page is not taken as the last one: only a missing Link ends the listing', async () => {
    const hub = await startFakeHub({ synthetic: 2500, maxPageSize: 300 });
    try {
      const r = await runCli(['collect', '--all', '--ndjson', '--endpoint', hub.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(ndjsonLines(r.stdout)).toHaveLength(2500);
      expect(hub.counters.list).toBe(9);
    } finally {
      await hub.close();
    }
  });
});

describe('bad usage', () => {
  const cases: Array<[string, string[]]> = [
    ['negative limit', ['collect', '--limit', '-5']],
    ['bogus sort', ['collect', '--sort', 'bogus']],
    ['unknown option', ['collect', '--frobnicate']],
    ['since without a date sort', ['collect', '--since', '2024-01-01']],
    ['since not a date', ['collect', '--since', 'yesterday', '--sort', 'createdAt']],
    ['limit and all', ['collect', '--limit', '3', '--all']],
    ['zero concurrency', ['collect', '--concurrency', '0']],
    ['unknown command', ['frobnicate']],
  ];
  for (const [name, args] of cases) {
    it(`${name}: one line, exit 2, nothing written`, async () => {
      const cwd = tempDir();
      const r = await runCli(args, { cwd });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^hf-datasets: /);
      expect(r.stdout).toBe('');
      expect(existsSync(join(cwd, 'hf_datasets_output'))).toBe(false);
    });
  }
});
