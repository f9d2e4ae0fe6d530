/**
 * `writeRunFiles`: a Writable (object mode) of records that writes the run files `collect` writes into
 * `outDir`: the aggregate file, the links summary, `individual_datasets/` (unless
 * `individual: false`), and the run's state file.
 *
 * Lifecycle: the files are created before the first record is taken; each write resolves when
 * every file can take more (backpressure). On finish they are closed with `complete: true`; when
 * the stream is destroyed (an error upstream, an abort) they are closed as valid JSON with
 * `complete: false`. Either way the files MUST be closed: use `stream.pipeline`, or end or
 * destroy the stream yourself.
 */
import { Writable } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { DEFAULT_ENDPOINT } from '../config.js';
import { safeUrl } from '../http/client.js';
import { RunFilesWriter, type Summary } from '../output/run-files-writer.js';
import { runTimestamp } from '../pipeline/resume.js';
import { normalizeQuery, type Query } from '../stages/query.js';
import type { DatasetRecord } from '../types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { UsageError } from '../errors.js';

export interface RunFilesOptions {
  /** the folder (created when missing) */
  outDir: string;
  /** the client the records came from: `collection_info.endpoint` and `summary.requests` */
  client?: HubClientHandle;
  /** the query the records answer, for `collection_info.query` */
  query?: Query;
  /** also write one file per dataset (default true) */
  individual?: boolean;
}

class RunFilesSink extends Writable {
  readonly #opts: RunFilesOptions;
  #writer: RunFilesWriter | null = null;
  #pending: Promise<void> = Promise.resolve();
  #total = 0;
  #failed = 0;
  #closed = false;

  constructor(opts: RunFilesOptions) {
    super({ objectMode: true, highWaterMark: 16 });
    this.#opts = opts;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const { outDir, client, individual = true } = this.#opts;
    const started = new Date();
    RunFilesWriter.open({
      outDir,
      individual,
      ndjson: null,
      prefix: 'all_datasets_metadata',
      info: {
        tool: TOOL_NAME,
        version: TOOL_VERSION,
        endpoint: safeUrl(client?.endpoint ?? DEFAULT_ENDPOINT).replace(/\/$/, ''),
        query: normalizeQuery(this.#opts.query),
        started_at: started.toISOString(),
      },
      resume: null,
      timestamp: runTimestamp(started),
    }).then(
      async (writer) => {
        this.#writer = writer;
        await writer.checkpoint(null, this.#counts());
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(record: DatasetRecord, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pending = this.#writer!.write(record).then(() => {
      this.#total += 1;
      if (record.errors.length > 0) this.#failed += 1;
    });
    this.#pending.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#close(true).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#close(false).then(
      () => callback(error),
      (err: Error) => callback(error ?? err),
    );
  }

  #counts(): { total: number; failed: number; requests: number } {
    return { total: this.#total, failed: this.#failed, requests: this.#opts.client?.requests ?? 0 };
  }

  async #close(complete: boolean): Promise<void> {
    const writer = this.#writer;
    if (this.#closed || !writer) return;
    this.#closed = true;
    await this.#pending.catch(() => undefined); // a write under way ends first
    const c = this.#counts();
    const summary: Summary = { total_datasets: c.total, failed: c.failed, requests: c.requests, finished_at: new Date().toISOString(), complete };
    await writer.finish(summary, null, c);
  }
}

/**
 * A Writable (object mode) of records that writes the run files `collect` writes.
 * @throws UsageError (`ETL_USAGE`) at once for a query the CLI would refuse.
 */
export function writeRunFiles(options: RunFilesOptions): Writable {
  return open('writeRunFiles', options);
}

/** @deprecated the old name of {@link RunFilesOptions} */
export type CatalogOptions = RunFilesOptions;

/**
 * The old name of {@link writeRunFiles} ("catalog" now means the DuckDB file of `sync`).
 * @deprecated use {@link writeRunFiles}; this alias stays for existing callers.
 */
export function writeCatalog(options: RunFilesOptions): Writable {
  return open('writeCatalog', options);
}

function open(name: string, options: RunFilesOptions): Writable {
  if (!options || typeof options.outDir !== 'string' || options.outDir === '') throw new UsageError(`${name} needs an outDir, got ${JSON.stringify(options?.outDir)}`);
  normalizeQuery(options.query);
  return new RunFilesSink(options);
}
