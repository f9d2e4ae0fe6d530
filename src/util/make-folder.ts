/**
 * `mkdir -p` that always ends. Node's recursive mkdir loops without end where the file system
 * refuses a folder with ENOENT although its parent exists (/proc: ~600k calls in 40 s, never
 * returning) and reports ENOENT on a read-only file system: this one makes the missing levels one
 * at a time below the nearest existing folder, so the error is the file system's own (EROFS,
 * EACCES, ENOTDIR, …) and comes at once.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = dirname(dir);
      if (parent === dir) throw err;
      missing.push(dir);
      dir = parent;
    }
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (err) {
      // made meanwhile by another run: fine when it is a folder
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(level)).isDirectory()) throw err;
    }
  }
}
