/**
 * Small helpers shared by the benchmark modules: where the project is, temporary folders, the
 * CLI's environment (never a real token), folder sizes and number formatting.
 */
import { mkdtempSync, statfsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file runs as `dist/bench/util.js`). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'hf-datasets.js');
export const DIST_BENCH = fileURLToPath(new URL('.', import.meta.url));
/** Where profiles and result files go (gitignored). */
export const OUT_DIR = join(ROOT, 'bench', 'out');

const TMPFS = '/dev/shm';
const TMPFS_MIN_FREE = 8 * 2 ** 30;

/**
 * Where runs write their outputs: $BENCH_TMPDIR, else /dev/shm when it is a tmpfs with 8 GiB
 * free (the 200k run writes ~3.6 GB), else the OS temp folder. On this project's VMs the disk's
 * speed swings 2× between runs (other jobs, `discard` after the previous run's deletions), which
 * would drown what the figures are about; tmpfs pages are not counted in the CLI's RSS.
 */
export const WORK_BASE: { dir: string; why: string } = (() => {
  if (process.env.BENCH_TMPDIR) return { dir: process.env.BENCH_TMPDIR, why: '$BENCH_TMPDIR' };
  try {
    const s = statfsSync(TMPFS);
    if (s.bavail * s.bsize >= TMPFS_MIN_FREE) return { dir: TMPFS, why: 'tmpfs; BENCH_TMPDIR=/tmp to use the disk' };
  } catch {
    // no /dev/shm
  }
  return { dir: tmpdir(), why: 'os.tmpdir()' };
})();

export function tempDir(prefix: string): string {
  return mkdtempSync(join(WORK_BASE.dir, `hfds-bench-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

let hfHome: string | null = null;

/** The empty HF_HOME every measured process gets (so a real token is never read); removed by `cleanUp`. */
function benchHfHome(): string {
  hfHome ??= tempDir('hfhome');
  return hfHome;
}

export async function cleanUp(): Promise<void> {
  if (hfHome) await removeDir(hfHome);
  hfHome = null;
}

/** The CLI's environment: a private HF_HOME, no implicit token, no inherited endpoint or token. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HF_HOME: benchHfHome(), HF_HUB_DISABLE_IMPLICIT_TOKEN: '1', ...extra };
  delete env.HF_TOKEN;
  delete env.HF_TOKEN_PATH;
  delete env.HF_ENDPOINT;
  delete env.NODE_OPTIONS;
  return env;
}

/** Total bytes of the regular files under `dir` (recursively) and how many there are. */
export async function dirSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        bytes += (await stat(p)).size;
        files += 1;
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}

export const mib = (kb: number | null): string => (kb === null ? 'n/a' : (kb / 1024).toFixed(1));
export const fmtBytes = (b: number): string =>
  b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
export const secs = (s: number): string => s.toFixed(2);
