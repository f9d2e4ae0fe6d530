/**
 * What a new user meets first, through the real CLI against the fake Hub: resuming from the
 * default folder (and from `./dir`, `dir/`), Ctrl-C during `--file-sizes` keeping finished work,
 * datasets that always fail not stalling the others, and the rough edges around them (usage
 * errors, help, files meant to be opened, silent waits, unusable folders).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ndjsonLines, outputFiles, readJson, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { syntheticDataset } from './helpers/corpus.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { ptyAvailable, screenText, spawnPty } from './helpers/pty.js';
import type { RawDataset } from '../src/types.js';

const STATE = '.hf-datasets-state.json';
const hubs: FakeHub[] = [];
const dirs: string[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close().catch(() => undefined)));
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(prefix = 'first-'): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

async function hubOf(datasets: RawDataset[], opts: Parameters<typeof startFakeHub>[0] = {}): Promise<FakeHub> {
  const hub = await startFakeHub({ datasets, ...opts });
  hubs.push(hub);
  return hub;
}

/** `n` public datasets, listed (by downloads) in index order; `mark` may add fake-Hub markers. */
function corpus(n: number, mark: (i: number, item: RawDataset) => void = () => undefined): RawDataset[] {
  return Array.from({ length: n }, (_, i) => {
    const item: RawDataset = { ...syntheticDataset(i, n), private: false, gated: false, disabled: false };
    mark(i, item);
    return item;
  });
}

function aggregateIds(out: string): string[] {
  const files = outputFiles(out);
  expect(files.aggregate).toHaveLength(1);
  return readJson(files.aggregate[0]!).datasets.map((d: { id: string }) => d.id);
}

/** Detail and tree requests (answered or not) for the dataset `id`. */
function callsFor(hub: FakeHub, ids: Set<string>): string[] {
  return hub.requests
    .map((r) => decodeURIComponent(r.url.split('?')[0]!))
    .filter((p) => p.startsWith('/api/datasets/'))
    .map((p) => p.slice('/api/datasets/'.length).split('/tree/')[0]!)
    .filter((id) => ids.has(id));
}

/** Runs the CLI and sends SIGINT when `ready` says so (checked every 5 ms). */
function interruptWhen(args: string[], ready: (stdout: () => string) => boolean, env: Record<string, string> = {}): Promise<CliResult> {
  let out = '';
  return runCli(args, {
    env,
    timeoutMs: 60_000,
    onSpawn: (child) => {
      child.stdout!.on('data', (d: Buffer | string) => (out += String(d)));
      const timer = setInterval(() => {
        if (ready(() => out)) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 5);
      child.on('close', () => clearInterval(timer));
    },
  });
}

/** A listing that fails for good at its second page: the run ends unfinished (exit 1), resumable. */
async function unfinishedRun(hub: FakeHub, args: string[], cwd: string): Promise<CliResult> {
  hub.resetCounters();
  hub.setOptions({ faults: { atRequests: { 2: '503' } } });
  const r = await runCli(['collect', '--limit', '1500', '--no-individual', '--max-retries', '0', '--endpoint', hub.url, ...args], { cwd });
  hub.setOptions({ faults: {} });
  expect(r.code).toBe(1);
  return r;
}

describe('resume from every spelling of the folder', () => {
  for (const spelling of ['./out', 'out/', 'out//', null]) {
    it(`${spelling === null ? 'the default folder' : spelling}: the printed --resume hint and plain --resume continue the run`, async () => {
      const hub = await hubOf(corpus(1500));
      const cwd = dir();
      const outArgs = spelling === null ? [] : ['--out', spelling];
      const first = await unfinishedRun(hub, outArgs, cwd);
      const hint = /continue with (--resume --out \S+)\)/.exec(first.stderr);
      expect(hint, first.stderr).not.toBeNull();
      const folder = join(cwd, spelling === null ? 'hf_datasets_output' : 'out');
      expect(aggregateIds(folder)).toHaveLength(1000);
      // the hint, as printed (default folder: plain --resume, as a user would type it)
      const resumeArgs = spelling === null ? ['--resume'] : hint![1]!.split(' ');
      const second = await runCli(['collect', ...resumeArgs, '--endpoint', hub.url], { cwd });
      expect(second.stderr).not.toMatch(/ENOENT/);
      expect(second.code).toBe(0);
      const ids = aggregateIds(folder);
      expect(ids).toHaveLength(1500);
      expect(new Set(ids).size).toBe(1500);
    });
  }

  it('a state written with names cut short (by the first release, from `--out ./dir`) is still resumed', async () => {
    const hub = await hubOf(corpus(1500));
    const cwd = dir();
    const out = join(cwd, 'out');
    await unfinishedRun(hub, ['--out', out], cwd);
    const state = readJson(join(out, STATE));
    for (const key of ['aggregate_file', 'links_file', 'ids_file']) state[key] = state[key].slice(2);
    writeFileSync(join(out, STATE), JSON.stringify(state, null, 2));
    const r = await runCli(['collect', '--resume', '--out', out, '--endpoint', hub.url], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(aggregateIds(out)).size).toBe(1500);
    expect(readJson(outputFiles(out).links[0]!).datasets).toHaveLength(1500);
  });

  it('a new run that replaces an unfinished one removes the old hidden ids file', async () => {
    const hub = await hubOf(corpus(1500));
    const cwd = dir();
    await unfinishedRun(hub, ['--out', 'out'], cwd);
    expect(readdirSync(join(cwd, 'out')).filter((n) => n.startsWith('.hf-datasets-ids-'))).toHaveLength(1);
    const r = await runCli(['collect', '--limit', '10', '--no-individual', '--out', 'out', '--endpoint', hub.url], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holds an unfinished run/);
    expect(readdirSync(join(cwd, 'out')).filter((n) => n.startsWith('.hf-datasets-ids-'))).toEqual([]);
  });
});

describe('--file-sizes: Ctrl-C keeps finished work, failing datasets do not stall the others', () => {
  it('Ctrl-C while a 5,000-file repo is still being read keeps every record whose details are done; --resume asks only for the rest', async () => {
    const hub = await hubOf(corpus(200, (i, item) => {
      if (i === 0) item.__fake = { fileCount: 5000 };
    }), { faults: { rateSlow: 1, slowMs: 60_000, onlyRoutes: ['tree'] } });
    const out = dir();
    const answered = (): number => hub.requests.filter((r) => r.status === 200 && /^\/api\/datasets\/[^?]+\?blobs=true/.test(r.url)).length;
    const r = await interruptWhen(['collect', '--limit', '200', '--file-sizes', '--out', out, '--endpoint', hub.url], () => answered() >= 199);
    expect(r.code, r.stderr).toBe(130);
    const kept = aggregateIds(out);
    const big = syntheticDataset(0, 200).id as string;
    expect(kept).not.toContain(big);
    expect(kept.length).toBeGreaterThanOrEqual(190); // every answered one, but a few just in flight
    expect(new Set(kept).size).toBe(kept.length);
    expect(readJson(outputFiles(out).aggregate[0]!).summary.complete).toBe(false);

    hub.setOptions({ faults: {} });
    hub.resetCounters();
    const again = await runCli(['collect', '--resume', '--out', out, '--endpoint', hub.url]);
    expect(again.code, again.stderr).toBe(0);
    expect(callsFor(hub, new Set(kept))).toEqual([]); // their details are not asked again
    const ids = aggregateIds(out);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    expect(readJson(outputFiles(out).aggregate[0]!).datasets.find((d: { id: string }) => d.id === big).statistics.file_count).toBe(5000);
  });

  it('a dataset whose details always fail holds up none of the others; Ctrl-C then keeps all of them', async () => {
    const hub = await hubOf(corpus(1100, (i, item) => {
      if (i === 0) item.__fake = { detailStatus: 500 };
    }));
    const out = dir();
    const failing = syntheticDataset(0, 1100).id as string;
    // its retries would take minutes: the details of the others must all be fetched meanwhile
    const answered = (): number => hub.requests.filter((r) => r.status === 200 && /^\/api\/datasets\/[^?]+\?blobs=true/.test(r.url)).length;
    const r = await interruptWhen(
      ['collect', '--limit', '1000', '--file-sizes', '--no-individual', '--ndjson', '--out', out, '--max-retries', '50', '--endpoint', hub.url],
      () => answered() >= 999,
      { HF_DATASETS_BACKOFF_MS: '1000' },
    );
    expect(r.code, r.stderr).toBe(130);
    const kept = aggregateIds(out);
    expect(kept.length).toBeGreaterThanOrEqual(990); // every answered one, but a few just in flight
    expect(kept).not.toContain(failing);
    expect(ndjsonLines(r.stdout).map((d: { id: string }) => d.id)).toEqual(kept);

    hub.resetCounters();
    const again = await runCli(['collect', '--resume', '--out', out, '--ndjson', '--max-retries', '0', '--endpoint', hub.url]);
    expect(again.code, again.stderr).toBe(0);
    expect(ndjsonLines(again.stdout).map((d: { id: string }) => d.id)[0]).toBe(failing);
    expect(callsFor(hub, new Set(kept))).toEqual([]);
    expect(again.stderr).toMatch(/; 1 dataset kept with an errors entry/);
    const ids = aggregateIds(out);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('usage and help', () => {
  it('a bare --filter is a usage error: one line, exit 2, nothing written', async () => {
    const cwd = dir();
    for (const args of [['--filter'], ['--filter', '--limit', '5'], ['--filter', 'language:en', '--filter']]) {
      const r = await runCli(['collect', ...args, '--endpoint', 'http://127.0.0.1:9'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('hf-datasets: --filter needs a value (e.g. --filter language:en)\n');
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('search without a term, an unknown command, option or argument: one clear line, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['search'], 'search needs a TERM: hf-datasets search TERM'],
      [['serach', 'squad'], 'unknown command "serach": use collect, search TERM, enrich, sync, export, serve, report or query SQL (see hf-datasets --help)'],
      [['collect', '--limmit', '5'], 'unknown option --limmit (see hf-datasets collect --help)'],
      [['sync', '--bogus'], 'unknown option --bogus (see hf-datasets sync --help)'],
      [['export', '--frmat', 'csv'], 'unknown option --frmat (see hf-datasets export --help)'],
      [['enrich', 'rajpurkar/squad'], 'unexpected argument "rajpurkar/squad" (see hf-datasets enrich --help)'],
    ];
    for (const [args, line] of cases) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`hf-datasets: ${line}\n`);
    }
  });

  it('search --help does not offer --search; every example command is one whole line', async () => {
    const search = await runCli(['search', '--help']);
    expect(search.stdout).not.toMatch(/--search/);
    for (const cmd of ['collect', 'search', 'enrich']) {
      const r = await runCli([cmd, '--help']);
      const lines = r.stdout.split('\n');
      const examples = lines.slice(lines.indexOf('Examples:') + 1, lines.findIndex((l) => l.startsWith('Exit codes'))).filter((l) => l.trim() !== '');
      const commands = examples.filter((l) => l.startsWith('    '));
      expect(commands.length).toBeGreaterThan(1);
      for (const c of commands) expect(c.trim()).toMatch(/^(hf-datasets|echo) .*[^\s|\\]$/);
      // a description line is followed by its command, never by a continuation
      for (let i = 0; i < examples.length; i += 2) expect(examples[i]).toMatch(/^ {2}\S.*:$/);
    }
  });
});

describe('records as a user opens them', () => {
  it('individual files are indented with 2 spaces; the links summary has doi', async () => {
    const hub = await hubOf(corpus(20));
    const out = dir();
    const r = await runCli(['collect', '--limit', '20', '--out', out, '--endpoint', hub.url]);
    expect(r.code).toBe(0);
    const files = outputFiles(out);
    for (const name of files.individual) {
      const text = readFileSync(join(out, 'individual_datasets', name), 'utf8');
      expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
    }
    const links = readJson(files.links[0]!).datasets;
    expect(links[0]).toHaveProperty('doi');
    const records = readJson(files.aggregate[0]!).datasets;
    expect(links.map((l: { doi: unknown }) => l.doi)).toEqual(records.map((d: { links: { doi: unknown } }) => d.links.doi));
  });

  it('enrich of bare ids gives the records collect --file-sizes gives (downloads_all_time, trending_score included)', async () => {
    const hub = await hubOf(corpus(8));
    const collected = await runCli(['collect', '--limit', '8', '--file-sizes', '--ndjson', '--endpoint', hub.url]);
    expect(collected.code).toBe(0);
    const want = ndjsonLines(collected.stdout);
    const enriched = await runCli(['enrich', '--endpoint', hub.url], { input: want.map((d) => d.id).join('\n') + '\n' });
    expect(enriched.code, enriched.stderr).toBe(0);
    const got = ndjsonLines(enriched.stdout);
    const drop = (d: Record<string, unknown>): Record<string, unknown> => ({ ...d, collected_at: null });
    expect(got.map((d) => d.statistics.trending_score)).toEqual(want.map((d) => d.statistics.trending_score));
    expect(got.every((d) => d.statistics.downloads_all_time !== null)).toBe(true);
    expect(got.map(drop)).toEqual(want.map(drop));
  });
});

describe('waits and folders explained', () => {
  it('an unreachable Hub ends with a hint on HF_ENDPOINT and npm run demo', async () => {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const r = await runCli(['collect', '--ndjson', '--max-retries', '1', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^hf-datasets: cannot reach .*connection refused.*HF_ENDPOINT.*`npm run demo`/);
  });

  it('a Hub that does not answer: after a few seconds the run says it is retrying, and why', async () => {
    const s = createServer((socket) => sockets.add(socket)); // accepts, never answers
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const r = await runCli(['collect', '--ndjson', '--timeout', '1', '--max-retries', '4', '--endpoint', endpoint], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`warn: no progress for \\ds: retrying requests to ${endpoint} after .*timed out.* \\(\\d+ retr(y|ies) so far\\)`));
  });

  it('an --out that cannot be created names the folder and the reason', async () => {
    const r = await runCli(['collect', '--out', '/sys/hf-datasets-test/out', '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hf-datasets: cannot use \/sys\/hf-datasets-test\/out as the output folder: (not permitted \(EPERM\)|permission denied \(EACCES\)|a read-only file system \(EROFS\))\n$/);
    expect(existsSync('/sys/hf-datasets-test')).toBe(false);
  });
});

describe.skipIf(!ptyAvailable())('enrich on a terminal', () => {
  it('says it reads ids from stdin and draws no progress line over the typing', async () => {
    const hub = await hubOf(corpus(3));
    const id = syntheticDataset(1, 3).id as string;
    const s = spawnPty([process.execPath, BIN, 'enrich', '--endpoint', hub.url], { env: cliEnv() });
    try {
      await s.waitFor('reading repo ids from stdin, one per line (or NDJSON records with an "id"); end with Ctrl-D');
      s.send(`${id}\r`);
      await s.waitFor(`{"id":"${id}"`);
      s.send('\x04');
      expect(await s.exited).toBe(0);
      expect(s.raw()).not.toMatch(/\x1b\[2K/); // no live line was drawn (or erased)
      expect(screenText(s.raw())).toMatch(/enriched 1 dataset, 0 failed/);
    } finally {
      s.kill();
    }
  });
});
