/**
 * Listing events → records: builds each record, drops ids already seen (a moving ranking repeats
 * a few ids across pages), stops at `since` and at `limit`. Page events pass through, so a caller
 * can checkpoint; a plain consumer skips them.
 */
import type { ListEvent } from '../hub/list.js';
import { buildRecord, InvalidItemError } from '../record/build.js';
import type { DatasetRecord, QueryOptions } from '../types.js';
import { IdSet } from '../util/id-set.js';

export type RecordFlow = { kind: 'record'; record: DatasetRecord; page: string } | { kind: 'page'; page: string; next: string | null };

export interface RecordsOptions {
  endpoint: string;
  /** ids already written (a resumed run's journal); default a fresh set */
  seen?: IdSet;
  /** records accepted before (a resumed run), counted against the limit */
  accepted?: number;
  warn?: (msg: string) => void;
  /** called with each record accepted, so the listing knows how many more are wanted */
  onAccept?: (accepted: number) => void;
}

export async function* toRecords(events: AsyncIterable<ListEvent>, query: QueryOptions, opts: RecordsOptions): AsyncGenerator<RecordFlow> {
  const seen = opts.seen ?? new IdSet(4096);
  const limit = query.limit;
  const since = query.since === null ? null : Date.parse(query.since);
  const sinceField = query.sort === 'createdAt' ? 'created_at' : 'last_modified';
  let accepted = opts.accepted ?? 0;
  for await (const ev of events) {
    if (ev.kind === 'page') {
      yield ev;
      continue;
    }
    if (limit !== null && accepted >= limit) return;
    let record: DatasetRecord;
    try {
      record = buildRecord(ev.item, { endpoint: opts.endpoint, collectedAt: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof InvalidItemError)) throw err;
      opts.warn?.(`skipped a listing item without a usable id: ${(err as Error).message}`);
      continue;
    }
    if (!seen.add(record.id)) continue; // seen earlier (a moving ranking)
    if (since !== null) {
      const at = Date.parse(record.statistics[sinceField] ?? '');
      if (!Number.isNaN(at) && at < since) return;
    }
    accepted += 1;
    opts.onAccept?.(accepted);
    yield { kind: 'record', record, page: ev.page };
    if (limit !== null && accepted >= limit) return;
  }
}
