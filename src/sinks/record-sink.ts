/**
 * The one shape every output of a run has (aggregate document, links summary, ids journal,
 * individual files, NDJSON out, the DuckDB catalog), and `tee`, which hands each record to all of them.
 *
 * - `write(record, json, item)`: takes one record (`json` is the record serialised once for all
 *   sinks, when the caller has it; `item` what the pipeline knows of it: what was fetched);
 *   returns a promise when the sink cannot take more yet: await it (backpressure).
 * - `checkpoint(page)`: makes everything written durable (`page`: the page marker every record
 *   written so far belongs to, where the listing goes on); resolves with the byte offset a resumed
 *   run cuts the file back to (0 for a sink that keeps none).
 * - `finish(summary)`: closes the sink (a document gets its summary and becomes valid JSON);
 *   resolves with the offset where the records end.
 */
import type { PageMark, RecordItem } from '../flow/pipeline.js';
import type { DatasetRecord } from '../types.js';

export interface Summary {
  total_datasets: number;
  failed: number;
  requests: number;
  finished_at: string;
  complete: boolean;
}

export interface RecordSink<Name extends string = string> {
  readonly name: Name;
  write(record: DatasetRecord, json: string, item?: RecordItem): Promise<void> | undefined;
  checkpoint(page?: PageMark): Promise<number>;
  finish(summary: Summary): Promise<number>;
}

export interface Tee<Name extends string> {
  /** writes one record to every sink; resolves when the slowest can take more */
  write(record: DatasetRecord): Promise<void>;
  /** each sink's durable offset, sinks taken in order */
  checkpoint(): Promise<Record<Name, number>>;
  /** each sink closed, in order; the offsets where their records end */
  finish(summary: Summary): Promise<Record<Name, number>>;
}

export function tee<Name extends string>(sinks: Array<RecordSink<Name>>): Tee<Name> {
  const each = async (step: (sink: RecordSink<Name>) => Promise<number>): Promise<Record<Name, number>> => {
    const offsets = {} as Record<Name, number>;
    for (const sink of sinks) offsets[sink.name] = await step(sink);
    return offsets;
  };
  return {
    async write(record) {
      const json = JSON.stringify(record);
      const waits = sinks.map((sink) => sink.write(record, json));
      for (const w of waits) if (w) await w;
    },
    checkpoint: () => each((sink) => sink.checkpoint()),
    finish: (summary) => each((sink) => sink.finish(summary)),
  };
}
