/**
 * The record's `viewer` block (docs/viewer-statistics.md): built from a dataset viewer `/size`
 * answer, or read back from an input record (`enrich`). Pure; every number is optional and
 * becomes null when missing or not a finite number.
 */
import type { ViewerAvailable, ViewerBlock, ViewerSplit } from '../types.js';
import { isPlainObject, num, own, str, type PlainObject } from './util.js';

function splitOf(s: PlainObject): ViewerSplit {
  return {
    config: str(own(s, 'config')),
    split: str(own(s, 'split')),
    num_rows: num(own(s, 'num_rows')),
    num_columns: num(own(s, 'num_columns')),
    num_bytes_parquet_files: num(own(s, 'num_bytes_parquet_files')),
    num_bytes_memory: num(own(s, 'num_bytes_memory')),
  };
}

function available(totals: PlainObject, partial: unknown, splits: unknown): ViewerAvailable {
  const list: ViewerSplit[] = [];
  if (Array.isArray(splits)) for (const s of splits) if (isPlainObject(s)) list.push(splitOf(s));
  return {
    available: true,
    partial: typeof partial === 'boolean' ? partial : null,
    num_rows: num(own(totals, 'num_rows')),
    num_bytes_original_files: num(own(totals, 'num_bytes_original_files')),
    num_bytes_parquet_files: num(own(totals, 'num_bytes_parquet_files')),
    num_bytes_memory: num(own(totals, 'num_bytes_memory')),
    splits: list,
  };
}

/**
 * The block for a 200 answer of `/size`: totals from `size.dataset`, one entry per `size.splits`
 * item. Returns null when the body is not that shape (no `size` object): the caller treats it as a
 * malformed answer.
 */
export function viewerBlockFromSize(body: unknown): ViewerAvailable | null {
  if (!isPlainObject(body)) return null;
  const size = own(body, 'size');
  if (!isPlainObject(size)) return null;
  const dataset = own(size, 'dataset');
  return available(isPlainObject(dataset) ? dataset : {}, own(body, 'partial'), own(size, 'splits'));
}

/** A `viewer` block given in an input record (`enrich`), coerced to the record's shape; null when it is not one. */
export function viewerBlockFromUnknown(value: unknown): ViewerBlock | null {
  if (!isPlainObject(value)) return null;
  const flag = own(value, 'available');
  if (flag === true) return available(value, own(value, 'partial'), own(value, 'splits'));
  if (flag === false) return { available: false, reason: str(own(value, 'reason')) ?? 'unknown' };
  return null;
}
