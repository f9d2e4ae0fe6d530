/**
 * The snapshot a server reads, kept current: every `refreshMs` it looks at the catalog's size and
 * mtime (a stat, nothing locked); when they changed and no writer holds the file, it takes a new
 * snapshot in the background and swaps it in, so requests never wait for a copy. The old snapshot
 * is closed once its last query has finished. While a sync writes the catalog, the last snapshot
 * keeps answering.
 *
 * Lifecycle: `CatalogSource.open` → `use()` per request → `close()`.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CatalogError } from '../catalog/schema.js';
import { fingerprint, openSnapshot, takeSnapshot, type SnapshotInfo } from '../catalog/snapshot.js';
import type { Logger } from '../log.js';

/** How many queries may run at once on one snapshot (each on its own connection). */
const POOL = 2;

class Opened {
  readonly cache = new Map<string, Promise<unknown>>();
  #free: DuckDBConnection[] = [];
  #waiting: Array<(c: DuckDBConnection) => void> = [];
  #busy = 0;
  #retired = false;
  #closed = false;

  private constructor(readonly info: SnapshotInfo, private readonly instance: DuckDBInstance, conns: DuckDBConnection[]) {
    this.#free = conns;
  }

  static async open(info: SnapshotInfo): Promise<Opened> {
    const db = await openSnapshot(info.path);
    const conns: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < POOL; i++) conns.push(await db.connect());
    } catch (err) {
      for (const c of conns) c.closeSync();
      db.instance.closeSync();
      throw err;
    }
    return new Opened(info, db.instance, conns);
  }

  async use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.#busy++;
    const conn = this.#free.pop() ?? (await new Promise<DuckDBConnection>((r) => this.#waiting.push(r)));
    try {
      return await fn(conn);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(conn);
      else this.#free.push(conn);
      this.#busy--;
      if (this.#retired && this.#busy === 0) this.close();
    }
  }

  /** Closed now when idle, else when its last query ends. */
  retire(): void {
    this.#retired = true;
    if (this.#busy === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#free) c.closeSync();
    this.instance.closeSync();
  }
}

/** No snapshot can be had yet (the first sync is still writing the catalog): 503. */
export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export interface SourceOptions {
  log: Logger;
  /** how often the catalog is looked at; env HF_DATASETS_REFRESH_MS, default 15 s */
  refreshMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_REFRESH_MS = 15_000;

export class CatalogSource {
  #current: Opened | null = null;
  #notReady: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<void> | null = null;
  #lastFingerprint: string | null = null;
  #closed = false;

  private constructor(readonly db: string, private readonly opts: SourceOptions) {}

  /**
   * The first snapshot is taken before the server listens.
   * @throws CatalogError for a missing file or one that is not a catalog (exit 1); a catalog a sync
   *   holds without any earlier snapshot is not an error: the source answers NotReadyError until it can read it.
   */
  static async open(db: string, opts: SourceOptions): Promise<CatalogSource> {
    const s = new CatalogSource(db, opts);
    try {
      await s.#swapTo(await takeSnapshot(db, { env: opts.env }));
    } catch (err) {
      if (!(err instanceof CatalogError && err.code === 'ETL_NO_SNAPSHOT')) throw err;
      s.#notReady = err.message;
      opts.log.warn(err.message);
    }
    const every = opts.refreshMs ?? DEFAULT_REFRESH_MS;
    s.#timer = setInterval(() => void s.refresh(), every);
    s.#timer.unref();
    return s;
  }

  get info(): SnapshotInfo | null {
    return this.#current?.info ?? null;
  }

  /** Looks at the catalog; takes and swaps in a new snapshot when it changed. Never throws. */
  refresh(): Promise<void> {
    if (this.#refreshing || this.#closed) return this.#refreshing ?? Promise.resolve();
    this.#refreshing = this.#refresh().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    let fp: string;
    try {
      fp = fingerprint(this.db);
    } catch (err) {
      if (this.#lastFingerprint !== 'missing') this.opts.log.warn(`cannot read ${this.db} (${(err as NodeJS.ErrnoException).code ?? 'error'}); still showing the snapshot taken before`);
      this.#lastFingerprint = 'missing';
      return;
    }
    const cur = this.#current?.info;
    if (cur && cur.fingerprint === fp) return;
    try {
      const info = await takeSnapshot(this.db, { env: this.opts.env });
      if (cur && info.takenAt === cur.takenAt && info.fingerprint === cur.fingerprint) {
        if (info.stale && this.#lastFingerprint !== fp) this.opts.log.debug(`${info.stale}; still showing the snapshot of ${cur.takenAt}`);
        this.#lastFingerprint = fp;
        return;
      }
      await this.#swapTo(info);
      this.#notReady = null;
      this.opts.log.info(`new snapshot of ${this.db} (${info.takenAt}${info.lockMs !== null ? `; catalog locked ${info.lockMs.toFixed(0)} ms, built in ${info.buildMs!.toFixed(0)} ms` : ''})`);
    } catch (err) {
      if (err instanceof CatalogError && err.code === 'ETL_NO_SNAPSHOT') this.#notReady = err.message;
      else this.opts.log.warn(`cannot refresh the snapshot: ${(err as Error).message}`);
    }
    this.#lastFingerprint = fp;
  }

  async #swapTo(info: SnapshotInfo): Promise<void> {
    const next = await Opened.open(info);
    if (this.#closed) {
      next.close();
      return;
    }
    const old = this.#current;
    this.#current = next;
    old?.retire();
  }

  /** Runs `fn` on a connection of the current snapshot. @throws NotReadyError */
  async use<T>(fn: (conn: DuckDBConnection, info: SnapshotInfo) => Promise<T>): Promise<T> {
    const cur = this.#current;
    if (!cur) throw new NotReadyError(this.#notReady ?? `${this.db} cannot be read yet`);
    return cur.use((conn) => fn(conn, cur.info));
  }

  /** A value computed once per snapshot (e.g. the stats). */
  async cached<T>(key: string, fn: (conn: DuckDBConnection, info: SnapshotInfo) => Promise<T>): Promise<{ value: T; info: SnapshotInfo }> {
    const cur = this.#current;
    if (!cur) throw new NotReadyError(this.#notReady ?? `${this.db} cannot be read yet`);
    let p = cur.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = cur.use((conn) => fn(conn, cur.info));
      cur.cache.set(key, p);
      p.catch(() => cur.cache.delete(key));
    }
    return { value: await p, info: cur.info };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#refreshing?.catch(() => undefined);
    this.#current?.retire();
    this.#current = null;
  }
}
