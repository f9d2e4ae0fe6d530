/**
 * The run's outputs as {@link RecordSink}s: each adapts the file (or stream) that does the
 * writing (BufferedFile, JsonCollectionFile, IndividualFiles, NdjsonOut) to the one shape.
 */
import type { BufferedFile } from '../output/buffered-file.js';
import type { IndividualFiles } from '../output/individual-files.js';
import type { JsonCollectionFile } from '../output/json-collection-file.js';
import type { NdjsonOut } from '../output/ndjson-out.js';
import type { DatasetRecord } from '../types.js';
import type { RecordSink } from './record-sink.js';

/** The aggregate document: every record, whole. */
export function aggregateSink(file: JsonCollectionFile): RecordSink<'aggregate'> {
  return { name: 'aggregate', write: (_record, json) => file.add(json), checkpoint: () => file.checkpoint(), finish: (summary) => file.finish(summary) };
}

/** The links summary: each record's links entry. */
export function linksSink(file: JsonCollectionFile): RecordSink<'links'> {
  return { name: 'links', write: (record) => file.add(JSON.stringify(linkEntry(record))), checkpoint: () => file.checkpoint(), finish: (summary) => file.finish(summary) };
}

/** The ids journal (the ids written so far, for an exact resume). */
export function idsSink(file: BufferedFile): RecordSink<'ids'> {
  return {
    name: 'ids',
    // JSON-encoded so any id (newlines, lone surrogates) reads back exactly
    write: (record) => file.write(JSON.stringify(record.id) + '\n'),
    checkpoint: () => file.checkpoint(),
    async finish() {
      const end = await file.checkpoint();
      await file.close();
      return end;
    },
  };
}

/** `individual_datasets/`: one indented file a dataset (meant to be opened and read). */
export function individualSink(files: IndividualFiles): RecordSink<'individual'> {
  const drain = async (): Promise<number> => {
    await files.drain();
    return 0;
  };
  return { name: 'individual', write: (record) => files.write(record.id, JSON.stringify(record, null, 2)), checkpoint: drain, finish: drain };
}

/** NDJSON on stdout: one record a line; nothing to make durable. */
export function ndjsonSink(out: NdjsonOut): RecordSink<'ndjson'> {
  return {
    name: 'ndjson',
    write: (_record, json) => out.write(json),
    checkpoint: async () => 0,
    async finish() {
      await out.end();
      return 0;
    },
  };
}

/** The entry of a record in the links summary. */
export function linkEntry(r: DatasetRecord): Record<string, unknown> {
  return {
    id: r.id,
    dataset_url: r.links.dataset_url,
    github: r.links.github,
    papers: r.links.papers,
    homepage: r.links.homepage,
    paperswithcode_id: r.links.paperswithcode_id,
    doi: r.links.doi,
    download_links: r.links.download_links,
  };
}
