/**
 * What flows between the pipeline's stages: records, and the listing's page markers. A marker
 * says "every record of this page has gone out; the listing goes on at `next`": stages pass it
 * through in order, so the sinks make a checkpoint there and a resumed run restarts exactly at
 * the page after the last durable one. The library's Transforms take and give plain records
 * (`recordTransform`); the CLI composes the same stages over this flow, markers included.
 */
import { Duplex } from 'node:stream';
import { orderedMap } from '../pipeline/ordered-map.js';
import type { DatasetRecord } from '../types.js';

export interface RecordItem {
  kind: 'record';
  record: DatasetRecord;
  /** the `errors` entries the record came with (enrich counts a record failed when a stage added one) */
  errorsBefore?: number;
}

export interface PageMark {
  kind: 'page';
  page: string;
  /** where the listing goes on (null: it ended) */
  next: string | null;
}

export type Flow = RecordItem | PageMark;

/** One stage: a flow in, a flow out (markers passed through in order). */
export type FlowStage = (flow: AsyncIterable<Flow>) => AsyncIterable<Flow>;

export interface WindowOptions {
  /** records being worked on at once */
  window: number;
  /** most items held (see orderedMap); default orderedMap's */
  maxHeld?: number;
  /** when a call fails (an abort), still hand out the records already finished (markers are dropped) */
  keepOnStop?: boolean;
}

/** A stage that maps each record through `fn`, a few at once, keeping the order. */
export function mapRecords(fn: (record: DatasetRecord) => Promise<DatasetRecord>, w: WindowOptions): FlowStage {
  return (flow) =>
    orderedMap(flow, async (f: Flow): Promise<Flow> => (f.kind === 'record' ? { ...f, record: await fn(f.record) } : f), w.window, {
      maxHeld: w.maxHeld,
      keepOnStop: w.keepOnStop ? (f) => f.kind === 'record' : undefined,
    });
}

/** The source, then each stage in turn. */
export function compose(source: AsyncIterable<Flow>, ...stages: Array<FlowStage | null>): AsyncIterable<Flow> {
  let flow = source;
  for (const stage of stages) if (stage) flow = stage(flow);
  return flow;
}

export async function* asFlow(records: AsyncIterable<DatasetRecord>): AsyncGenerator<Flow> {
  for await (const record of records) yield { kind: 'record', record };
}

/** The records of a flow, markers left out. */
export async function* recordsOf(flow: AsyncIterable<Flow>): AsyncGenerator<DatasetRecord> {
  for await (const f of flow) if (f.kind === 'record') yield f.record;
}

/** A library Transform (object mode, records in and out) over a stage made with the stream's abort signal. */
export function recordTransform(make: (signal: AbortSignal) => FlowStage): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<DatasetRecord>, { signal }: { signal: AbortSignal }) {
    yield* recordsOf(make(signal)(asFlow(source)));
  });
}
