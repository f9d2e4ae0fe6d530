/**
 * Runs the real CLI (`node bin/hf-datasets.js`, built by `npm test`'s pretest) as a child process
 * with a private HF_HOME, so a real token is never read. Only node: built-ins.
 *
 * Every folder from `tempDir` (the HF_HOME of `cliEnv` included) is removed when the test file
 * ends (test/helpers/setup.ts calls `removeTempDirs` in afterAll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProjectRoot } from './corpus.js';

export const ROOT = findProjectRoot();
export const BIN = join(ROOT, 'bin', 'hf-datasets.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** kill the process (SIGKILL) after this many ms */
  timeoutMs?: number;
  /** called once the child is spawned (to send signals) */
  onSpawn?: (child: ChildProcess) => void;
}

const created = new Set<string>();

/** A new empty folder in the temp folder, removed when the test file ends. */
export function tempDir(prefix = 'hfds-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes `path` too when the test file ends (a folder made by a child process). */
export function removeLater(path: string): void {
  created.add(path);
}

/** Removes every folder handed out or registered so far (read-only ones included). */
export async function removeTempDirs(): Promise<void> {
  const dirs = [...created];
  created.clear();
  await Promise.all(
    dirs.map(async (dir) => {
      try {
        await rm(dir, { recursive: true, force: true });
      } catch {
        // a test made part of it read-only: give the permissions back, then remove it
        makeWritable(dir);
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );
}

function makeWritable(path: string): void {
  try {
    if (!statSync(path).isDirectory()) return;
    chmodSync(path, 0o700);
    for (const name of readdirSync(path)) makeWritable(join(path, name));
  } catch {
    // gone already
  }
}

/** A clean environment for the CLI: no token, no endpoint, a temporary HF_HOME. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const home = 'HF_HOME' in extra ? extra.HF_HOME : tempDir('hfhome-');
  const env: NodeJS.ProcessEnv = { ...process.env, HF_HOME: home, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1', HF_DATASETS_BACKOFF_MS: '20' };
  // serve, report and query keep their snapshots here, not in the machine's shared temp folder
  if (!('HF_DATASETS_SNAPSHOT_DIR' in extra)) env.HF_DATASETS_SNAPSHOT_DIR = tempDir('hfds-snapshots-');
  delete env.HF_TOKEN;
  delete env.HF_ENDPOINT;
  delete env.HF_TOKEN_PATH;
  // tests talk to 127.0.0.1 only: never through a proxy the machine may have configured
  env.NO_PROXY = '127.0.0.1,localhost';
  env.no_proxy = '127.0.0.1,localhost';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    opts.onSpawn?.(child);
  });
}

/** The run's files in DIR: the aggregate (or search) file, the links file, the individual files. */
export function outputFiles(dir: string): { aggregate: string[]; links: string[]; individual: string[] } {
  const names = readdirSync(dir);
  let individual: string[] = [];
  try {
    individual = readdirSync(join(dir, 'individual_datasets'));
  } catch {
    // not written
  }
  return {
    aggregate: names.filter((n) => n.startsWith('all_datasets_metadata_') || n.startsWith('search_')).map((n) => join(dir, n)),
    links: names.filter((n) => n.startsWith('dataset_links_summary_')).map((n) => join(dir, n)),
    individual,
  };
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function ndjsonLines<T = any>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
