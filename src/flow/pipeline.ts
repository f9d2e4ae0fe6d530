/**
 * The one record pipeline every command and the library run: a source of records and page
 * markers → the enrichers (each record through every enricher it needs, a window of records in
 * flight, output in input order) → the sinks.
 *
 * What flows: records, and the listing's page markers. A marker says "every record of this page
 * has gone out; the listing goes on at `next`": it passes every step in order, so a sink makes
 * its checkpoint there (collect's state file, the catalog's commit) and a resumed run restarts
 * exactly at the page after the last durable one.
 *
 * The window ("records in flight") is not the concurrency ("request slots"): every record in the
 * window has its calls under way, queued in the HTTP client, which caps the requests in flight.
 * A record whose fetch keeps failing waits out its retry schedule without holding a slot, and
 * the records behind it go on: it holds up the output, not the work, for at most one retry
 * schedule, as long as the window holds the records done in that time (hence {@link WINDOW}).
 *
 * Stop rules: when the run stops (Ctrl-C, a closed stdout, an unreachable endpoint), every
 * record already finished is still handed out (out of order); the page markers after the
 * failure are not, so a checkpoint still covers every record before it (see orderedMap).
 */
import { Duplex } from 'node:stream';
import type { EnrichContext, Enricher } from '../enrichers/enricher.js';
import type { DatasetRecord } from '../types.js';
import { orderedMap } from './ordered-map.js';

/** What an enricher did for a record: its name, and whether its answer should be fetched again for the same sha. */
export interface Fetched {
  name: string;
  refetch: boolean;
}

export interface RecordItem {
  kind: 'record';
  record: DatasetRecord;
  /** the `errors` entries the record came with (enrich counts a record failed when an enricher added one) */
  errorsBefore?: number;
  /**
   * Per enricher: a part kept from before (the catalog, for an unchanged sha) to put into the
   * record instead of fetching it. Absent: every enricher of the pipeline fetches.
   */
  carry?: Map<string, unknown>;
  /** the enrichers to fetch for this record; absent: all of them (but those carried) */
  fetch?: ReadonlySet<string>;
  /** set by the pipeline: what each enricher fetched for this record */
  fetched?: Fetched[];
  /** what the step that planned the record (the catalog's) needs back at its sink; passed through untouched */
  note?: unknown;
}

export interface PageMark {
  kind: 'page';
  page: string;
  /** where the listing goes on (null: it ended) */
  next: string | null;
}

export type Flow = RecordItem | PageMark;

/** One step: a flow in, a flow out (markers passed through in order). */
export type FlowStage = (flow: AsyncIterable<Flow>) => AsyncIterable<Flow>;

/**
 * Records in flight by default: a dataset retried through a whole backoff schedule (~23 s) holds
 * up the output, not the work, as long as this many others fit in that time.
 */
export const WINDOW = 1024;

export interface PipelineOptions {
  /** records in flight (default {@link WINDOW}); the HTTP clients still cap requests in flight */
  window?: number;
  /** false: no enricher fetches anything for this run, they only carry parts kept from before (default true) */
  fetching?: boolean;
}

/** The record through each enricher in turn: the part carried when the item says so, else fetched and merged. */
export async function enrichItem(item: RecordItem, enrichers: readonly Enricher[], ctx: EnrichContext): Promise<RecordItem> {
  let record = item.record;
  const fetched: Fetched[] = [];
  for (const e of enrichers) {
    if (item.carry?.has(e.name)) {
      record = e.carry(record, item.carry.get(e.name), ctx.endpoint);
    } else if (item.fetch === undefined || item.fetch.has(e.name)) {
      const answer = await e.fetch(record, ctx);
      record = e.merge(record, answer);
      fetched.push({ name: e.name, refetch: e.refetch(answer) });
    }
  }
  return { ...item, record, fetched };
}

/** The record with only the carried parts put in (nothing fetched). */
function carryItem(item: RecordItem, enrichers: readonly Enricher[], endpoint: string): RecordItem {
  if (item.carry === undefined || item.carry.size === 0) return item;
  let record = item.record;
  for (const e of enrichers) if (item.carry.has(e.name)) record = e.carry(record, item.carry.get(e.name), endpoint);
  return { ...item, record, fetched: [] };
}

/**
 * The flow with every record enriched, in order, a window of records in flight. When nothing is
 * to be fetched (`fetching` false: the catalog only carries parts kept from before), the records
 * are carried synchronously: no window, nothing held.
 */
export function recordPipeline(source: AsyncIterable<Flow>, enrichers: readonly Enricher[], ctx: EnrichContext, opts: PipelineOptions = {}): AsyncIterable<Flow> {
  if (enrichers.length === 0) return source;
  if (opts.fetching === false) return mapSync(source, (f) => (f.kind === 'record' ? carryItem(f, enrichers, ctx.endpoint) : f));
  const window = opts.window ?? WINDOW;
  return orderedMap<Flow, Flow>(source, (f) => (f.kind === 'record' ? enrichItem(f, enrichers, ctx) : f), window, {
    maxHeld: window,
    keepOnStop: (f) => f.kind === 'record',
  });
}

async function* mapSync(source: AsyncIterable<Flow>, fn: (f: Flow) => Flow): AsyncGenerator<Flow> {
  for await (const f of source) yield fn(f);
}

/** The source, then each step in turn. */
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

/** A library Transform (object mode, records in and out): the record pipeline over the stream's records, with its abort signal. */
export function enricherTransform(enrichers: readonly Enricher[], ctx: Omit<EnrichContext, 'signal'>, opts: PipelineOptions): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<DatasetRecord>, { signal }: { signal: AbortSignal }) {
    yield* recordsOf(recordPipeline(asFlow(source), enrichers, { ...ctx, signal }, opts));
  });
}
