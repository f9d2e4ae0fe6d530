/**
 * Listing events → records (`toRecords`: builds each record, skips an item without a usable id),
 * and the query's cut (`cutOff`: stops at `since` and at `limit`). Page markers pass through, so
 * a caller can checkpoint; `recordsOf` leaves them out.
 */
import type { ListEvent } from '../hub/list.js';
import { buildRecord, InvalidItemError, type TypeDrift } from '../record/build.js';
import type { QueryOptions } from '../types.js';
import type { Flow, FlowStage } from './pipeline.js';

export interface RecordsOptions {
  endpoint: string;
  /** counts listing fields of an unexpected type */
  drift?: TypeDrift;
  warn?: (msg: string) => void;
}

export async function* toRecords(events: AsyncIterable<ListEvent>, opts: RecordsOptions): AsyncGenerator<Flow> {
  for await (const ev of events) {
    if (ev.kind === 'page') {
      yield ev;
      continue;
    }
    try {
      yield { kind: 'record', record: buildRecord(ev.item, { endpoint: opts.endpoint, collectedAt: new Date().toISOString(), drift: opts.drift }) };
    } catch (err) {
      if (!(err instanceof InvalidItemError)) throw err;
      opts.warn?.(`skipped a listing item without a usable id: ${(err as Error).message}`);
    }
  }
}

export interface CutOffOptions {
  /** records accepted before (a resumed run), counted against the limit */
  accepted?: number;
  /** called with each record accepted, so the listing knows how many more are wanted */
  onAccept?: (accepted: number) => void;
}

/** Ends the flow at the first record older than `since` and after `limit` records. */
export function cutOff(query: Pick<QueryOptions, 'limit' | 'since' | 'sort'>, opts: CutOffOptions = {}): FlowStage {
  const limit = query.limit;
  const since = query.since === null ? null : Date.parse(query.since);
  const sinceField = query.sort === 'createdAt' ? 'created_at' : 'last_modified';
  return async function* (flow: AsyncIterable<Flow>): AsyncGenerator<Flow> {
    let accepted = opts.accepted ?? 0;
    if (limit !== null && accepted >= limit) return;
    for await (const f of flow) {
      if (f.kind === 'page') {
        yield f;
        continue;
      }
      if (since !== null) {
        const at = Date.parse(f.record.statistics[sinceField] ?? '');
        if (!Number.isNaN(at) && at < since) return;
      }
      accepted += 1;
      opts.onAccept?.(accepted);
      yield f;
      if (limit !== null && accepted >= limit) return;
    }
  };
}
