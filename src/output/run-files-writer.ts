/**
 * Every output of a run, fed from one stream of records: the aggregate JSON, the links summary,
 * `individual_datasets/`, NDJSON on stdout, and (for resume) the ids journal and the state file.
 * The outputs are sinks of one shape (src/sinks/record-sink.ts), teed: each record is serialised
 * once and handed to every sink; nothing holds the collection. This class opens the files and
 * keeps the state file in step with the sinks' checkpoints.
 *
 * Lifecycle: open (new run, or resume: files cut back to the last checkpoint) → write…
 * → checkpoint(next page)… → finish(complete). `finish` always leaves valid JSON files, and the
 * state it saves lets `--resume` continue from the last record written.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DatasetRecord, QueryOptions } from '../types.js';
import { BufferedFile } from './buffered-file.js';
import { IndividualFiles } from './individual-files.js';
import { JsonCollectionFile } from './json-collection-file.js';
import type { NdjsonOut } from './ndjson-out.js';
import { tee, type RecordSink, type Summary, type Tee } from '../sinks/record-sink.js';
import { aggregateSink, idsSink, individualSink, linksSink, ndjsonSink } from '../sinks/run-sinks.js';
import { idsFileName, outputFolderError, writeState, type RunState } from './state.js';

export interface CollectionInfo {
  tool: string;
  version: string;
  endpoint: string;
  query: QueryOptions;
  started_at: string;
}

export type { Summary };

export interface WriterOptions {
  outDir: string | null;
  individual: boolean;
  ndjson: NdjsonOut | null;
  /** file name stem of the aggregate file: `all_datasets_metadata` or `search_<term>` */
  prefix: string;
  info: CollectionInfo;
  /** the state of the run to continue, with --resume */
  resume: RunState | null;
  /** UTC timestamp `YYYYMMDD_HHMMSS` of a new run */
  timestamp: string;
}

export interface Counts {
  total: number;
  failed: number;
  requests: number;
}

interface Files {
  outDir: string;
  aggregate: JsonCollectionFile;
  links: JsonCollectionFile;
  ids: BufferedFile;
  individual: IndividualFiles | null;
  timestamp: string;
  startedAt: string;
}

type SinkName = 'ndjson' | 'individual' | 'ids' | 'aggregate' | 'links';

export class RunFilesWriter {
  readonly #opts: WriterOptions;
  readonly #files: Files | null;
  readonly #sinks: Tee<SinkName>;

  private constructor(opts: WriterOptions, files: Files | null) {
    this.#opts = opts;
    this.#files = files;
    // in this order at each checkpoint and at the end: the state is saved once all are durable
    const sinks: Array<RecordSink<SinkName> | null> = [
      opts.ndjson ? ndjsonSink(opts.ndjson) : null,
      files?.individual ? individualSink(files.individual) : null,
      files ? idsSink(files.ids) : null,
      files ? aggregateSink(files.aggregate) : null,
      files ? linksSink(files.links) : null,
    ];
    this.#sinks = tee(sinks.filter((sink) => sink !== null));
  }

  static async open(opts: WriterOptions): Promise<RunFilesWriter> {
    if (opts.outDir === null) return new RunFilesWriter(opts, null);
    const outDir = opts.outDir;
    try {
      await mkdir(outDir, { recursive: true });
    } catch (err) {
      throw outputFolderError(outDir, err);
    }
    const individual = opts.individual ? await IndividualFiles.open(outDir) : null;
    if (opts.resume) {
      const s = opts.resume;
      const aggregate = await JsonCollectionFile.resume(join(outDir, s.aggregate_file), s.offsets.aggregate, s.counts.total);
      const links = await JsonCollectionFile.resume(join(outDir, s.links_file), s.offsets.links, s.counts.total);
      const ids = await BufferedFile.open(join(outDir, s.ids_file), s.offsets.ids);
      return new RunFilesWriter(opts, { outDir, aggregate, links, ids, individual, timestamp: s.timestamp, startedAt: s.started_at });
    }
    const { timestamp, aggregate, links } = await createRunFiles(outDir, opts.prefix, opts.timestamp, opts.info);
    // one journal per run, so runs sharing a folder never cut each other's journal
    const ids = await BufferedFile.open(join(outDir, idsFileName(timestamp)));
    return new RunFilesWriter(opts, { outDir, aggregate, links, ids, individual, timestamp, startedAt: opts.info.started_at });
  }

  /** Paths of the files written, for the final summary line. */
  get paths(): { aggregate: string; links: string; individual: string | null } | null {
    const f = this.#files;
    return f ? { aggregate: f.aggregate.path, links: f.links.path, individual: f.individual?.dir ?? null } : null;
  }

  /** The ids journal of this run (null without files). */
  get idsPath(): string | null {
    return this.#files?.ids.path ?? null;
  }

  /** Writes one record to every sink; resolves when the slowest sink can take more. */
  write(record: DatasetRecord): Promise<void> {
    return this.#sinks.write(record);
  }

  /** Makes everything written durable, then records where the run stands. */
  async checkpoint(nextPage: string | null, counts: Counts, complete = false): Promise<void> {
    if (!this.#files) return;
    const { aggregate, links, ids } = await this.#sinks.checkpoint();
    await this.#saveState(nextPage, counts, { aggregate, links, ids }, complete);
  }

  /** Closes every file as valid JSON and saves the state (complete or resumable). */
  async finish(summary: Summary, nextPage: string | null, counts: Counts): Promise<void> {
    const { aggregate, links, ids } = await this.#sinks.finish(summary);
    const f = this.#files;
    if (!f) return;
    await this.#saveState(nextPage, counts, { aggregate, links, ids }, summary.complete);
    // a finished run cannot be resumed: its journal has served
    if (summary.complete) await rm(f.ids.path, { force: true });
  }

  async #saveState(nextPage: string | null, counts: Counts, offsets: RunState['offsets'], complete: boolean): Promise<void> {
    const f = this.#files!;
    await writeState(f.outDir, {
      timestamp: f.timestamp,
      started_at: f.startedAt,
      // names inside the folder, however the folder was spelled (`./dir`, `dir/`, an absolute path)
      aggregate_file: basename(f.aggregate.path),
      links_file: basename(f.links.path),
      ids_file: basename(f.ids.path),
      query: this.#opts.info.query,
      next_page: nextPage,
      offsets,
      counts,
      individual: this.#opts.individual,
      complete,
    });
  }
}

/**
 * Creates the run's two JSON files under its timestamp, with `_2`, `_3`, … when another run
 * already took those names (files are created exclusively, so two runs in the same second never
 * share or overwrite a file).
 */
async function createRunFiles(
  outDir: string,
  prefix: string,
  ts: string,
  info: CollectionInfo,
): Promise<{ timestamp: string; aggregate: JsonCollectionFile; links: JsonCollectionFile }> {
  for (let n = 1; ; n += 1) {
    const timestamp = n === 1 ? ts : `${ts}_${n}`;
    const linksPath = join(outDir, `dataset_links_summary_${timestamp}.json`);
    if (await exists(linksPath)) continue;
    let aggregate: JsonCollectionFile;
    try {
      aggregate = await JsonCollectionFile.create(join(outDir, `${prefix}_${timestamp}.json`), info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      const links = await JsonCollectionFile.create(linksPath, info);
      return { timestamp, aggregate, links };
    } catch (err) {
      await aggregate.finish({ total_datasets: 0, failed: 0, requests: 0, finished_at: new Date().toISOString(), complete: false });
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
