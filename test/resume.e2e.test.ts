/**
 * Interrupts, resume and incremental runs, through the real CLI against the fake Hub:
 * kill -9 and SIGINT at several points, then --resume; every dataset exactly once in every
 * output, and at most two list pages fetched again per interruption.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputFiles, readJson, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

const TOTAL = 6000;
const STATE = '.hf-datasets-state.json';

function listUrls(hub: FakeHub, from: number): string[] {
  return hub.requests
    .slice(from)
    .filter((r) => r.url.startsWith('/api/datasets?') && r.status === 200)
    .map((r) => r.url);
}

function stateTotal(out: string): number {
  try {
    return (JSON.parse(readFileSync(join(out, STATE), 'utf8')) as { counts: { total: number } }).counts.total;
  } catch {
    return -1;
  }
}

function stateBytes(out: string): number {
  try {
    return (JSON.parse(readFileSync(join(out, STATE), 'utf8')) as { offsets: { aggregate: number } }).offsets.aggregate;
  } catch {
    return Infinity;
  }
}

function aggregateBytes(out: string): number {
  try {
    const name = readdirSync(out).find((n) => n.startsWith('all_datasets_metadata_'));
    return name ? statSync(join(out, name)).size : 0;
  } catch {
    return 0;
  }
}

/** true from `delayMs` after the state first shows `total` datasets. */
function afterProgress(out: string, total: number, delayMs: number): () => boolean {
  let reachedAt: number | null = null;
  return () => {
    if (reachedAt === null && stateTotal(out) >= total) reachedAt = Date.now();
    return reachedAt !== null && Date.now() - reachedAt >= delayMs;
  };
}

/** Runs the CLI and interrupts it when `when` says so (polled every 5 ms), with `signal`. */
async function interrupted(args: string[], signal: NodeJS.Signals, when: (elapsedMs: number) => boolean): Promise<CliResult> {
  const started = Date.now();
  return runCli(args, {
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (when(Date.now() - started)) {
          clearInterval(timer);
          child.kill(signal);
        }
      }, 5);
      child.on('close', () => clearInterval(timer));
    },
  });
}

function checkComplete(out: string, reference: string[]): void {
  const files = outputFiles(out);
  expect(files.aggregate).toHaveLength(1);
  const agg = readJson(files.aggregate[0]!);
  const links = readJson(files.links[0]!);
  const ids = agg.datasets.map((d: { id: string }) => d.id);
  expect(ids.length).toBe(reference.length);
  expect(new Set(ids).size).toBe(reference.length);
  expect(ids).toEqual(reference); // listing order survives the interruption
  expect(links.datasets.map((d: { id: string }) => d.id)).toEqual(reference);
  expect(agg.summary).toMatchObject({ total_datasets: reference.length, complete: true });
  expect(links.summary).toEqual(agg.summary);
  const individual = files.individual;
  expect(individual.filter((n) => n.includes('.tmp-'))).toEqual([]);
  expect(individual).toHaveLength(reference.length);
  expect(readJson(join(out, STATE)).complete).toBe(true);
}

describe('interrupt and --resume', () => {
  let hub: FakeHub;
  let reference: string[];

  beforeAll(async () => {
    hub = await startFakeHub({ synthetic: TOTAL, latencyMs: 120 });
    const out = tempDir();
    const r = await runCli(['collect', '--all', '--out', out, '--endpoint', hub.url, '--no-individual']);
    expect(r.code, r.stderr).toBe(0);
    reference = readJson(outputFiles(out).aggregate[0]!).datasets.map((d: { id: string }) => d.id);
    expect(reference).toHaveLength(TOTAL);
  });
  afterAll(async () => {
    await hub.close();
  });

  // kill points follow what the run has done (state file, bytes written), not wall-clock times,
  // so they hold on a loaded machine
  const points: Array<[NodeJS.Signals, string, (out: string) => (ms: number) => boolean]> = [
    ['SIGKILL', 'before the first page arrives', (out) => () => stateTotal(out) === 0],
    ['SIGKILL', 'while the first page is being written', (out) => () => stateTotal(out) === 0 && aggregateBytes(out) > 200_000],
    ['SIGKILL', 'right after a page checkpoint', (out) => () => stateTotal(out) >= 1000],
    ['SIGKILL', 'mid-run, at a random instant', (out) => afterProgress(out, 2000, Math.floor(Math.random() * 300))],
    ['SIGINT', 'while a page is being written', (out) => () => stateTotal(out) >= 1000 && aggregateBytes(out) > stateBytes(out) + 100_000],
    ['SIGINT', 'right after a page checkpoint', (out) => () => stateTotal(out) >= 2000],
    ['SIGTERM', 'mid-run', (out) => afterProgress(out, 1000, 100)],
  ];

  for (const [signal, label, when] of points) {
    it(`${signal} ${label}, then --resume: every dataset exactly once`, async () => {
      const out = tempDir();
      const args = ['collect', '--all', '--out', out, '--endpoint', hub.url];
      const mark = hub.requests.length;
      const first = await interrupted(args, signal, when(out));
      const firstUrls = listUrls(hub, mark);

      if (signal === 'SIGKILL') {
        expect(first.signal).toBe('SIGKILL');
      } else {
        expect(first.code, first.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
        // the files are valid JSON, marked incomplete
        const agg = readJson(outputFiles(out).aggregate[0]!);
        expect(agg.summary.complete).toBe(false);
        expect(readJson(outputFiles(out).links[0]!).summary.complete).toBe(false);
        expect(agg.datasets.length).toBe(agg.summary.total_datasets);
        expect(first.stderr).not.toMatch(/\n\s+at /);
      }
      expect(existsSync(join(out, STATE))).toBe(true);

      const mark2 = hub.requests.length;
      const second = await runCli([...args, '--resume']);
      expect(second.code, second.stderr).toBe(0);
      const again = listUrls(hub, mark2).filter((u) => firstUrls.includes(u));
      expect(again.length, `re-fetched: ${again.join('\n')}`).toBeLessThanOrEqual(2);
      checkComplete(out, reference);
    });
  }

  it('two interruptions in a row, then a resume, still give every dataset once', async () => {
    const out = tempDir();
    const args = ['collect', '--all', '--out', out, '--endpoint', hub.url];
    await interrupted(args, 'SIGKILL', () => stateTotal(out) >= 1000);
    await interrupted([...args, '--resume'], 'SIGINT', () => stateTotal(out) >= 3000);
    const last = await runCli([...args, '--resume']);
    expect(last.code, last.stderr).toBe(0);
    checkComplete(out, reference);
  });

  it('--resume with NDJSON writes only the records not emitted before', async () => {
    const out = tempDir();
    const args = ['collect', '--all', '--out', out, '--ndjson', '--endpoint', hub.url, '--no-individual'];
    const first = await interrupted(args, 'SIGINT', afterProgress(out, 1000, 150));
    expect(first.code).toBe(130);
    const second = await runCli([...args, '--resume']);
    expect(second.code, second.stderr).toBe(0);
    const ids = [...first.stdout.split('\n'), ...second.stdout.split('\n')].filter(Boolean).map((l) => JSON.parse(l).id as string);
    expect(ids).toEqual(reference);
  });
});

describe('resume errors and --since', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub({ synthetic: 2500 });
  });
  afterAll(async () => {
    await hub.close();
  });

  it('--resume with nothing to resume, or after a finished run, is exit 2', async () => {
    const out = tempDir();
    let r = await runCli(['collect', '--resume', '--out', out, '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to resume/);
    r = await runCli(['collect', '--limit', '10', '--out', out, '--endpoint', hub.url]);
    expect(r.code).toBe(0);
    r = await runCli(['collect', '--resume', '--out', out, '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--resume with different query options is exit 2; network options may change', async () => {
    const out = tempDir();
    const args = ['collect', '--all', '--sort', 'likes', '--out', out, '--endpoint', hub.url];
    const first = await interrupted(args, 'SIGINT', () => stateTotal(out) >= 1000);
    expect(first.code).toBe(130);
    const bad = await runCli(['collect', '--sort', 'downloads', '--resume', '--out', out, '--endpoint', hub.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sort/);
    const ok = await runCli(['collect', '--resume', '--out', out, '--endpoint', hub.url, '--concurrency', '2', '--timeout', '10']);
    expect(ok.code, ok.stderr).toBe(0);
    const agg = readJson(outputFiles(out).aggregate[0]!);
    expect(agg.summary).toMatchObject({ total_datasets: 2500, complete: true });
    expect(agg.collection_info.query.sort).toBe('likes');
  });

  it('a new run in a folder with an unfinished run starts afresh, with a warning', async () => {
    const out = tempDir();
    const args = ['collect', '--all', '--out', out, '--endpoint', hub.url, '--no-individual'];
    await interrupted(args, 'SIGINT', () => stateTotal(out) >= 1000);
    const r = await runCli(['collect', '--limit', '5', '--out', out, '--endpoint', hub.url, '--no-individual']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/unfinished run/);
    expect(outputFiles(out).aggregate).toHaveLength(2);
  });

  it('a run without --out keeps no state', async () => {
    const cwd = tempDir();
    const r = await runCli(['collect', '--limit', '3', '--ndjson', '--endpoint', hub.url], { cwd });
    expect(r.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  });

  for (const sort of ['createdAt', 'lastModified'] as const) {
    it(`--since with --sort ${sort} stops at the first older dataset`, async () => {
      const out = tempDir();
      const all = await runCli(['collect', '--all', '--ndjson', '--sort', sort, '--endpoint', hub.url]);
      const recs = all.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const field = sort === 'createdAt' ? 'created_at' : 'last_modified';
      const cut = recs[1234].statistics[field] as string; // datasets at or after this instant are kept
      const expected = recs.filter((x) => Date.parse(x.statistics[field]) >= Date.parse(cut)).length;
      hub.resetCounters();
      const r = await runCli(['collect', '--all', '--sort', sort, '--since', cut, '--out', out, '--endpoint', hub.url, '--no-individual']);
      expect(r.code, r.stderr).toBe(0);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets.length).toBe(expected);
      expect(agg.datasets.length).toBeGreaterThanOrEqual(1235);
      expect(agg.summary.complete).toBe(true);
      expect(agg.collection_info.query.since).toBe(new Date(cut).toISOString());
      expect(hub.counters.list).toBeLessThanOrEqual(3);
    });
  }
});
