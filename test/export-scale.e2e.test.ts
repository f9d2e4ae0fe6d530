/**
 * `export` of a catalog of tens of thousands of datasets through the real CLI: every format
 * (Parquet, NDJSON to a file and to stdout, CSV) holds every dataset once, and the process stays
 * within the memory of sync (peak RSS, measured by the bench's exit hook). Before, Parquet ran out
 * of DuckDB's 48 MB past ~2,000 datasets and NDJSON at 20,000. Also: a catalog on read-only media
 * exports to a file elsewhere (DuckDB spilled beside the catalog).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from './helpers/catalog-db.js';
import { BIN, cliEnv, ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { mountReadOnly, mountsAllowed, unmount } from './helpers/mounts.js';

const N = 30_000;
/** sync of 200,000 datasets peaks at ~170 MB; export must stay in the same range */
const PEAK_RSS_MB = 300;
const RSS_HOOK = pathToFileURL(join(ROOT, 'dist', 'bench', 'rss-hook.js')).href;

let hub: FakeHub;
let dir: string;
let db: string;

beforeAll(async () => {
  hub = await startFakeHub({ synthetic: N });
  dir = tempDir('hfds-export-scale-');
  db = join(dir, 'catalog', 'hub.duckdb');
  mkdirSync(join(dir, 'catalog'));
  const s = await runCli(['sync', '--db', db, '--endpoint', hub.url]);
  expect(s.code, s.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await hub.close();
});

/**
 * Runs the CLI with stdout to `stdoutFile` (through a pipe, `| cat > FILE`, when `pipe`); its exit
 * code, stderr and peak RSS (MiB).
 */
function measured(args: string[], stdoutFile: string, pipe = false): Promise<{ code: number | null; stderr: string; peakMb: number }> {
  const usage = join(dir, `usage-${Math.random().toString(36).slice(2)}.json`);
  const out = openSync(stdoutFile, 'w');
  const env = cliEnv({ BENCH_USAGE_FILE: usage });
  const node = [process.execPath, '--import', RSS_HOOK, BIN, ...args];
  const child = pipe
    ? spawn('bash', ['-c', 'set -o pipefail; "$@" | cat', 'bash', ...node], { env, stdio: ['ignore', out, 'pipe'] })
    : spawn(node[0]!, node.slice(1), { env, stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      let peakMb = NaN;
      try {
        peakMb = (JSON.parse(readFileSync(usage, 'utf8')) as { maxRssKb: number }).maxRssKb / 1024;
      } catch {
        // no usage file: the process did not exit normally
      }
      resolve({ code, stderr, peakMb });
    });
  });
}

function idsOfLines(file: string, id: (line: string) => string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map(id);
}

function expectEveryIdOnce(ids: string[]): void {
  expect(ids.length).toBe(N);
  expect(new Set(ids).size).toBe(N);
}

describe(`export of ${N.toLocaleString('en')} datasets`, () => {
  it(`parquet: every dataset once, readable by DuckDB; peak RSS under ${PEAK_RSS_MB} MB`, async () => {
    const pq = join(dir, 'hub.parquet');
    const r = await measured(['export', '--db', db, '--format', 'parquet', '--output', pq], join(dir, 'stdout'));
    expect(r.code, r.stderr).toBe(0);
    expect(await count(db, `SELECT count(*) FROM read_parquet('${pq}')`)).toBe(N);
    expect(await count(db, `SELECT count(DISTINCT id) FROM read_parquet('${pq}')`)).toBe(N);
    // the parquet's records are the catalog's
    expect(await count(db, `SELECT count(*) FROM read_parquet('${pq}') p JOIN datasets d ON d.id = p.id AND d.record::VARCHAR = p.record`)).toBe(N);
    expect(r.peakMb).toBeLessThan(PEAK_RSS_MB);
  }, 120_000);

  const targets = { file: 'a file (--output)', pipe: 'stdout, a pipe (| cat > FILE)', redirect: 'stdout, a file (> FILE)' } as const;
  for (const [to, what] of Object.entries(targets)) {
    it(`ndjson to ${what}: every dataset once; peak RSS under ${PEAK_RSS_MB} MB`, async () => {
      const file = join(dir, `hub-${to}.ndjson`);
      const r = await measured(['export', '--db', db, '--format', 'ndjson', ...(to === 'file' ? ['--output', file] : [])], to === 'file' ? join(dir, 'stdout') : file, to === 'pipe');
      expect(r.code, r.stderr).toBe(0);
      expectEveryIdOnce(idsOfLines(file, (l) => (JSON.parse(l) as { id: string }).id));
      expect(r.peakMb).toBeLessThan(PEAK_RSS_MB);
    }, 120_000);
  }

  it(`csv: every dataset once; peak RSS under ${PEAK_RSS_MB} MB`, async () => {
    const file = join(dir, 'hub.csv');
    const r = await measured(['export', '--db', db, '--format', 'csv', '--output', file], join(dir, 'stdout'));
    expect(r.code, r.stderr).toBe(0);
    const [header, ...ids] = idsOfLines(file, (l) => l.split(',')[0]!);
    expect(header).toBe('id');
    expectEveryIdOnce(ids);
    expect(r.peakMb).toBeLessThan(PEAK_RSS_MB);
  }, 120_000);

  it.skipIf(!mountsAllowed)('a catalog on read-only media exports to a file elsewhere, in every format (mount --bind, ro)', async () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    mountReadOnly(join(dir, 'catalog'), ro);
    try {
      for (const format of ['parquet', 'ndjson', 'csv']) {
        const r = await runCli(['export', '--db', join(ro, 'hub.duckdb'), '--format', format, '--output', join(dir, `ro.${format}`)]);
        expect(r.code, `${format}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toContain(`exported ${N} datasets`);
      }
    } finally {
      unmount(ro);
    }
  }, 120_000);
});
