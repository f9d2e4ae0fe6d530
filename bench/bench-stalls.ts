/**
 * Two `--file-sizes` cases against the fake Hub (in this process), the real CLI as a child:
 *
 * - interrupt: `collect --limit 200 --file-sizes` where the first dataset is a 5,000-file repo
 *   whose tree pages answer slowly; SIGINT once `INTERRUPT_AFTER` detail requests arrived.
 *   Reports the records kept in the aggregate file, then `--resume` and the detail calls it made.
 * - failing: 600 datasets, every 10th answering 500 forever to its detail call, default retry
 *   backoff; wall time against the same run without failures, for each way of fetching file
 *   sizes: `collect --file-sizes`, `enrich` (the 600 ids on stdin), `sync --file-sizes` (a new
 *   catalog) and the library (`datasetSource → enrichFileSizes`, bench/stall-library-child.ts).
 *
 * Run: `npm run build && node dist/bench/bench-stalls.js [interrupt|failing] [collect|enrich|sync|library…] [--page-size N]`
 * (`--page-size`: the fake Hub's largest page, so the listing has several pages).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeHub, type FakeHub } from '../test/helpers/fake-hub.js';
import { syntheticDataset } from '../test/helpers/corpus.js';
import type { RawDataset } from '../src/types.js';
import { BIN, cleanUp, cliEnv, DIST_BENCH, removeDir, tempDir } from './util.js';

const INTERRUPT_AFTER = 100;

function corpus(n: number, mark: (i: number, item: RawDataset) => void): RawDataset[] {
  const items: RawDataset[] = [];
  for (let i = 0; i < n; i += 1) {
    const item = { ...syntheticDataset(i, n), private: false, gated: false, disabled: false };
    mark(i, item);
    items.push(item);
  }
  return items;
}

interface Run {
  code: number | null;
  seconds: number;
  stderr: string;
}

interface RunOut extends Run {
  stdout: string;
}

function runNode(argv: string[], opts: { stdin?: string; onStart?: (kill: (sig: NodeJS.Signals) => void) => void } = {}): Promise<RunOut> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: cliEnv(), stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // stdout is read (and counted by the caller) so a large answer never blocks the child
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stderr, stdout }));
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    opts.onStart?.((sig) => child.kill(sig));
  });
}

function runCli(args: string[], onStart?: (kill: (sig: NodeJS.Signals) => void) => void): Promise<Run> {
  return runNode([BIN, ...args], { onStart });
}

function keptRecords(dir: string): number {
  const name = readdirSync(dir).find((n) => n.startsWith('all_datasets_metadata_'));
  if (!name) return 0;
  const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { datasets: unknown[] };
  return doc.datasets.length;
}

async function whenDetails(hub: FakeHub, n: number): Promise<void> {
  while (hub.counters.detail < n) await new Promise((r) => setTimeout(r, 20));
}

async function interruptCase(): Promise<void> {
  const hub = await startFakeHub({
    datasets: corpus(200, (i, item) => {
      if (i === 0) item.__fake = { fileCount: 5000 };
    }),
    latencyMs: 10,
    faults: { rateSlow: 1, slowMs: 3000, onlyRoutes: ['tree'] },
  });
  const dir = tempDir('stall-int');
  try {
    const args = ['collect', '--limit', '200', '--file-sizes', '--out', dir, '--endpoint', hub.url, '--quiet'];
    let sentAt = 0;
    const r = await runCli(args, (kill) => {
      void whenDetails(hub, INTERRUPT_AFTER).then(() => {
        sentAt = performance.now();
        kill('SIGINT');
      });
    });
    const stopMs = performance.now() - sentAt;
    const details = hub.counters.detail;
    const kept = keptRecords(dir);
    hub.resetCounters();
    hub.setOptions({ faults: {} });
    const resumed = await runCli(['collect', '--resume', '--out', dir, '--endpoint', hub.url, '--quiet']);
    console.log(`interrupt: SIGINT after ${details} detail requests → exit ${r.code} in ${stopMs.toFixed(0)} ms, ${kept} records kept`);
    console.log(`  --resume: exit ${resumed.code}, ${hub.counters.detail} detail + ${hub.counters.tree} tree calls, ${keptRecords(dir)} records in the finished file, ${resumed.seconds.toFixed(1)} s`);
  } finally {
    await hub.close();
    await removeDir(dir);
  }
}

const FAILING_N = 600;

type Way = 'collect' | 'enrich' | 'sync' | 'library';
const WAYS: Way[] = ['collect', 'enrich', 'sync', 'library'];

/** One run of `way` against `hub`, writing under `dir`: its wall time and a short note of what it did. */
async function runWay(way: Way, hub: FakeHub, dir: string): Promise<{ code: number | null; seconds: number; note: string }> {
  if (way === 'collect') {
    const r = await runCli(['collect', '--limit', String(FAILING_N), '--file-sizes', '--no-individual', '--out', dir, '--endpoint', hub.url, '--quiet']);
    return { code: r.code, seconds: r.seconds, note: /(?:collected|stopped after) .*$/m.exec(r.stderr)?.[0] ?? r.stderr.trim().slice(-200) };
  }
  if (way === 'enrich') {
    const ids = Array.from({ length: FAILING_N }, (_, i) => String(syntheticDataset(i, FAILING_N).id)).join('\n') + '\n';
    const r = await runNode([BIN, 'enrich', '--endpoint', hub.url, '--quiet'], { stdin: ids });
    const lines = r.stdout.split('\n').filter((l) => l !== '').length;
    return { code: r.code, seconds: r.seconds, note: `${lines} records out; ${/enriched .*$/m.exec(r.stderr)?.[0] ?? 'no failures'}` };
  }
  if (way === 'sync') {
    const r = await runCli(['sync', '--db', join(dir, 'catalog.duckdb'), '--file-sizes', '--endpoint', hub.url, '--quiet']);
    return { code: r.code, seconds: r.seconds, note: /sync \d+ .*$/m.exec(r.stderr)?.[0] ?? r.stderr.trim().slice(-200) };
  }
  const r = await runNode([join(DIST_BENCH, 'stall-library-child.js'), hub.url, String(FAILING_N)]);
  return { code: r.code, seconds: r.seconds, note: r.stdout.trim() || r.stderr.trim().slice(-200) };
}

async function failingCase(ways: Way[], pageSize: number | undefined): Promise<void> {
  const paging = pageSize === undefined ? {} : { maxPageSize: pageSize };
  const clean = await startFakeHub({ datasets: corpus(FAILING_N, () => undefined), latencyMs: 10, ...paging });
  const failing = await startFakeHub({
    datasets: corpus(FAILING_N, (i, item) => {
      if (i % 10 === 5) item.__fake = { detailStatus: 500 };
    }),
    latencyMs: 10,
    ...paging,
  });
  const dir = tempDir('stall-fail');
  try {
    for (const way of ways) {
      for (const [name, hub] of [['clean', clean], ['10% failing', failing]] as const) {
        const out = join(dir, `${way}-${name.replace(/\W/g, '')}`);
        mkdirSync(out, { recursive: true });
        const r = await runWay(way, hub, out);
        console.log(`failing${pageSize === undefined ? '' : ` (pages of ${pageSize})`}: ${way}: ${name}: exit ${r.code}, ${r.seconds.toFixed(1)} s (${r.note})`);
      }
    }
  } finally {
    await clean.close();
    await failing.close();
    await removeDir(dir);
  }
}

const which = process.argv[2];
const rest = process.argv.slice(3);
const ways = rest.filter((w): w is Way => (WAYS as string[]).includes(w));
const at = rest.indexOf('--page-size');
const pageSize = at >= 0 ? Number(rest[at + 1]) : undefined;
try {
  if (which !== 'failing') await interruptCase();
  if (which !== 'interrupt') await failingCase(ways.length > 0 ? ways : WAYS, pageSize);
} finally {
  await cleanUp();
}
