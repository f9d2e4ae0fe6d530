/**
 * Runs one measured process (the CLI or a baseline script, never the bench driver): wall time
 * from spawn to exit, peak RSS (the process's own VmHWM, written at exit by
 * rss-hook; cross-checked by polling VmHWM in /proc/<pid>/status), CPU time, stdout bytes
 * (stdout goes straight to a file) and the tail of stderr.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_BENCH, tempDir } from './util.js';

export interface MeasureOptions {
  /** arguments after `node` (a script and its arguments) */
  args: string[];
  /** extra node flags before the script, e.g. --cpu-prof */
  nodeFlags?: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is written to this file; null: discarded */
  stdoutFile?: string | null;
  /** stdin is read from this file; default: empty */
  stdinFile?: string;
  /** kill the process after this many ms */
  timeoutMs?: number;
}

export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  /** peak RSS from the process itself, in KiB (null when it did not exit normally) */
  maxRssKb: number | null;
  /** largest VmHWM seen while polling, in KiB */
  polledHwmKb: number | null;
  userMs: number | null;
  sysMs: number | null;
  stdoutBytes: number;
  stderr: string;
}

const HOOK = pathToFileURL(join(DIST_BENCH, 'rss-hook.js')).href;
const STDERR_KEEP = 16_384;
const POLL_MS = 100;

function readHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function measure(o: MeasureOptions): Promise<Measured> {
  const usageDir = tempDir('usage');
  const usageFile = join(usageDir, 'usage.json');
  const stdoutFd = o.stdoutFile ? openSync(o.stdoutFile, 'w') : 'ignore';
  const stdinFd = o.stdinFile ? openSync(o.stdinFile, 'r') : 'ignore';
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', HOOK, ...o.args], {
    cwd: o.cwd,
    env: { ...o.env, BENCH_USAGE_FILE: usageFile },
    stdio: [stdinFd, stdoutFd, 'pipe'],
  });
  if (typeof stdoutFd === 'number') closeSync(stdoutFd);
  if (typeof stdinFd === 'number') closeSync(stdinFd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_KEEP);
  });
  let polled: number | null = null;
  const poll = setInterval(() => {
    const v = child.pid === undefined ? null : readHwm(child.pid);
    if (v !== null) polled = Math.max(polled ?? 0, v);
  }, POLL_MS);
  const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : null;
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(poll);
  if (timer) clearTimeout(timer);
  type Usage = { maxRssKb: number; userMs: number; sysMs: number };
  let usage: Usage | null = null;
  try {
    usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
  } catch {
    // killed before exit handlers ran
  }
  rmSync(usageDir, { recursive: true, force: true });
  const stdoutBytes = o.stdoutFile ? statSync(o.stdoutFile).size : 0;
  return {
    code,
    signal,
    seconds,
    maxRssKb: usage?.maxRssKb ?? null,
    polledHwmKb: polled,
    userMs: usage?.userMs ?? null,
    sysMs: usage?.sysMs ?? null,
    stdoutBytes,
    stderr,
  };
}

/** The `N requests` of the CLI's summary line, or null. */
export function cliRequests(stderr: string): number | null {
  const m = /(?:collected|stopped after) \d+ datasets, \d+ failed, (\d+) requests/.exec(stderr) ?? /enriched \d+ datasets, \d+ failed, (\d+) requests/.exec(stderr);
  return m ? Number(m[1]) : null;
}

/** Throws with the stderr tail when a measured process failed. */
export function assertOk(what: string, m: Measured): void {
  if (m.code !== 0) throw new Error(`${what} exited with ${m.code ?? m.signal}:\n${m.stderr.slice(-2000)}`);
}
