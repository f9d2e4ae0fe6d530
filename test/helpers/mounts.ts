/**
 * Real file-system conditions for the CLI, made with mount(8) (Linux, as root): a tiny tmpfs that
 * fills up (ENOSPC) and a read-only view of a folder (EROFS). `mountsAllowed` says whether this
 * machine lets the tests mount; tests that need it are skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: 'ignore' });
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Whether mount(8) works here (root on Linux, not forbidden by the container). */
export const mountsAllowed: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'hfds-mount-probe-'));
  try {
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    unmount(dir);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** A tmpfs of `size` (e.g. '256k') at the empty folder `dir`. */
export function mountTmpfs(dir: string, size: string): void {
  mount(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
}

/** `source` seen read-only at the empty folder `dir`. */
export function mountReadOnly(source: string, dir: string): void {
  mount(['--bind', source, dir]);
  mount(['-o', 'remount,bind,ro', dir]);
}
