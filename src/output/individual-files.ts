/**
 * `DIR/individual_datasets/<safe id>.json`: the catalog's latest snapshot, one file a dataset.
 * Each file is written to a temporary name and renamed, so a reader (or a crash) never sees a
 * half-written file; a bounded number of writes run at once so the pipeline is not blocked by
 * each file but memory stays bounded. Lifecycle: open → write… → drain() (at checkpoints and
 * before closing); the first failed write is thrown by the next write or drain.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeFileName } from './safe-name.js';

const MAX_PENDING = 32;
const TMP_MARK = '.tmp-';

export class IndividualFiles {
  readonly dir: string;
  #pending = new Set<Promise<void>>();
  #error: unknown = null;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(outDir: string): Promise<IndividualFiles> {
    const dir = join(outDir, 'individual_datasets');
    await mkdir(dir, { recursive: true });
    // temporary files left by a run that was killed
    for (const name of await readdir(dir)) {
      if (name.startsWith('.') && name.includes(TMP_MARK)) await rm(join(dir, name), { force: true });
    }
    return new IndividualFiles(dir);
  }

  /** Starts writing one dataset's file; returns a promise to await when too many writes are pending. */
  write(id: string, json: string): Promise<void> | undefined {
    if (this.#error) throw this.#error;
    const name = safeFileName(id);
    const final = join(this.dir, name);
    const tmp = join(this.dir, `.${name}${TMP_MARK}${process.pid}`);
    const task = writeFile(tmp, json + '\n')
      .then(() => rename(tmp, final))
      .catch((err: unknown) => {
        this.#error ??= err;
      })
      .finally(() => {
        this.#pending.delete(task);
      });
    this.#pending.add(task);
    if (this.#pending.size >= MAX_PENDING) return Promise.race(this.#pending).then(() => this.#throwIfFailed());
    return undefined;
  }

  /** Waits for every pending write; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.#pending);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#error) throw this.#error;
  }
}
