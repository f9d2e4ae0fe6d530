/**
 * Two `--file-sizes` cases against the fake Hub (in this process), the real CLI as a child:
 *
 * - interrupt: `collect --limit 200 --file-sizes` where the first dataset is a 5,000-file repo
 *   whose tree pages answer slowly; SIGINT once `INTERRUPT_AFTER` detail requests arrived.
 *   Reports the records kept in the aggregate file, then `--resume` and the detail calls it made.
 * - failing: 600 datasets, every 10th answering 500 forever to its detail call, default retry
 *   backoff; wall time against the same run without failures.
 *
 * Run: `npm run build && node dist/bench/bench-stalls.js [interrupt|failing]`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeHub, type FakeHub } from '../test/helpers/fake-hub.js';
import { syntheticDataset } from '../test/helpers/corpus.js';
import type { RawDataset } from '../src/types.js';
import { BIN, cleanUp, cliEnv, removeDir, tempDir } from './util.js';

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

function runCli(args: string[], onStart?: (kill: (sig: NodeJS.Signals) => void) => void): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stderr }));
    onStart?.((sig) => child.kill(sig));
  });
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

async function failingCase(): Promise<void> {
  const clean = await startFakeHub({ datasets: corpus(600, () => undefined), latencyMs: 10 });
  const failing = await startFakeHub({
    datasets: corpus(600, (i, item) => {
      if (i % 10 === 5) item.__fake = { detailStatus: 500 };
    }),
    latencyMs: 10,
  });
  const dir = tempDir('stall-fail');
  try {
    for (const [name, hub] of [['clean', clean], ['10% failing', failing]] as const) {
      const r = await runCli(['collect', '--limit', '600', '--file-sizes', '--no-individual', '--out', join(dir, name.replace(/\W/g, '')), '--endpoint', hub.url, '--quiet']);
      const line = /(?:collected|stopped after) .*$/m.exec(r.stderr)?.[0] ?? 'no failures';
      console.log(`failing: ${name}: exit ${r.code}, ${r.seconds.toFixed(1)} s (${line})`);
    }
  } finally {
    await clean.close();
    await failing.close();
    await removeDir(dir);
  }
}

const which = process.argv[2];
try {
  if (which !== 'failing') await interruptCase();
  if (which !== 'interrupt') await failingCase();
} finally {
  await cleanUp();
}
