/**
 * `DIR/individual_datasets/<safe id>.json`: the catalog's latest snapshot, one file a dataset.
 * Each file is written to a temporary name and renamed, so a reader (or a crash) never sees a
 * half-written file; a bounded number of writes run at once so the pipeline is not blocked by
 * each file but memory stays bounded. Lifecycle: open → write… → drain() (at checkpoints and
 * before closing); the first failed write is thrown by the next write or drain.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { makeFolder } from '../util/make-folder.js';
import { join } from 'node:path';
import { hashedFileName, safeFileName } from './safe-name.js';

const MAX_PENDING = 32;
const TMP_MARK = '.tmp-';
/** `.<name>.tmp-<pid>` or `.<name>.tmp-<pid>-<seq>`: the pid of the process that writes it. */
const TMP_PID_RE = /\.tmp-(\d+)(?:-\d+)?$/;

/** Whether a process with this pid runs now (then its temporary files may be in use: another run in the same folder). */
function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class IndividualFiles {
  readonly dir: string;
  #pending = new Set<Promise<void>>();
  /** writers waiting for a free slot, resumed one per finished write */
  #slotWaiters: Array<() => void> = [];
  #error: unknown = null;
  #seq = 0;

  /**
   * On a case-insensitive file system only: the names in the folder by their lower case, so an id
   * whose name is already taken by another id's file (the names differ only in case) takes the
   * hashed name instead of overwriting it. Null on a case-sensitive one: names never change there.
   */
  #taken: Map<string, string> | null = null;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Whether names in `dir` that differ only in case are one file (macOS, Windows, FAT). */
  static async caseInsensitive(dir: string): Promise<boolean> {
    const probe = join(dir, `.hf-datasets-case-probe${TMP_MARK}${process.pid}`);
    await writeFile(probe, '');
    try {
      return await stat(join(dir, `.HF-DATASETS-CASE-PROBE${TMP_MARK}${process.pid}`)).then(() => true, () => false);
    } finally {
      await rm(probe, { force: true });
    }
  }

  /** The name of `id`'s file: its safe name, or the hashed one where another id's file has that name but for case. */
  #nameFor(id: string): string {
    const name = safeFileName(id);
    if (this.#taken === null) return name;
    const held = this.#taken.get(name.toLowerCase());
    if (held === undefined || held === name) {
      this.#taken.set(name.toLowerCase(), name);
      return name;
    }
    const hashed = hashedFileName(id);
    this.#taken.set(hashed.toLowerCase(), hashed);
    return hashed;
  }

  static async open(outDir: string): Promise<IndividualFiles> {
    const dir = join(outDir, 'individual_datasets');
    await makeFolder(dir);
    // temporary files left by a run that was killed; not those of a run still writing here
    for (const name of await readdir(dir)) {
      if (!name.startsWith('.') || !name.includes(TMP_MARK)) continue;
      const pid = TMP_PID_RE.exec(name);
      if (pid !== null && isRunning(Number(pid[1]))) continue;
      await rm(join(dir, name), { force: true });
    }
    const files = new IndividualFiles(dir);
    if (await IndividualFiles.caseInsensitive(dir)) {
      files.#taken = new Map();
      for (const name of await readdir(dir)) if (!name.startsWith('.')) files.#taken.set(name.toLowerCase(), name);
    }
    return files;
  }

  /** Starts writing one dataset's file; returns a promise to await when too many writes are pending. */
  write(id: string, json: string): Promise<void> | undefined {
    if (this.#error) throw this.#error;
    const name = this.#nameFor(id);
    const final = join(this.dir, name);
    // unique per write: two ids whose names clash (differing only in case, on a case-insensitive
    // filesystem) must not write one temporary file at once; the last rename wins, whole
    const tmp = join(this.dir, `.${name}${TMP_MARK}${process.pid}-${(this.#seq += 1)}`);
    const task = writeFile(tmp, json + '\n')
      .then(() => rename(tmp, final))
      .catch((err: unknown) => {
        this.#error ??= err;
      })
      .finally(() => {
        this.#pending.delete(task);
        this.#slotWaiters.shift()?.();
      });
    this.#pending.add(task);
    // not Promise.race(pending): each race adds a reaction to every pending write, ~MAX_PENDING
    // per dataset, which cost ~13% of a listing run's CPU (bench/RESULTS.md)
    if (this.#pending.size >= MAX_PENDING) return new Promise<void>((resolve) => this.#slotWaiters.push(resolve)).then(() => this.#throwIfFailed());
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
