/**
 * The memory guard: the real CLI collects 20,000 datasets from the fake Hub with every output
 * (aggregate, links, individual files, NDJSON on stdout), and its peak RSS stays under a bound.
 * Peak RSS is VmHWM from /proc/self/status, written by a preload when the CLI exits (the bench's
 * rss-hook); it is stable from run to run, unlike time, which is never asserted here.
 * Figures and why the bound: bench/RESULTS.md ("Current figures").
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, outputFiles, ROOT, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

const N = 20_000;
/**
 * 122 MiB measured (50k: 129 MiB, 200k: 136 MiB; the target is under 150 MB = 143 MiB at 200k);
 * the regression this guards against (a page asked ahead held as parsed objects) measured 180 MiB here.
 */
const BOUND_MIB = 145;
const HOOK = pathToFileURL(join(ROOT, 'dist', 'bench', 'rss-hook.js')).href;

const hubs: FakeHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

/** Runs the CLI with the peak-RSS preload, stdout to a file; resolves with its exit code and peak RSS in MiB. */
function collectMeasured(args: string[], dir: string): Promise<{ code: number | null; stderr: string; peakMib: number; stdoutBytes: number }> {
  const usage = join(dir, 'usage.json');
  const stdoutFile = join(dir, 'records.ndjson');
  const fd = openSync(stdoutFile, 'w');
  const child = spawn(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: dir,
    env: { ...cliEnv(), BENCH_USAGE_FILE: usage },
    stdio: ['ignore', fd, 'pipe'],
  });
  closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const peakKb = (JSON.parse(readFileSync(usage, 'utf8')) as { maxRssKb: number }).maxRssKb;
      resolve({ code, stderr, peakMib: peakKb / 1024, stdoutBytes: statSync(stdoutFile).size });
    });
  });
}

describe.runIf(process.platform === 'linux')('memory', () => {
  it(`collect --all with every output keeps its peak RSS under ${BOUND_MIB} MiB for ${N.toLocaleString('en')} datasets`, async () => {
    const hub = await startFakeHub({ synthetic: N });
    hubs.push(hub);
    const dir = tempDir('memory-');
    const out = join(dir, 'out');
    const r = await collectMeasured(['collect', '--all', '--out', out, '--ndjson', '--quiet', '--endpoint', hub.url], dir);
    expect(r.code, r.stderr).toBe(0);
    // it did the whole work: every record on stdout and in the files
    expect(outputFiles(out).individual).toHaveLength(N);
    expect(r.stdoutBytes).toBeGreaterThan(N * 1000);
    expect(r.peakMib).toBeLessThan(BOUND_MIB);
  }, 120_000);
});
