/**
 * The record's `viewer` block (docs/viewer-statistics.md): built from a dataset viewer `/size`
 * answer, or read back from a stored or input record (`sync`, `enrich`). Pure; every number is
 * optional and becomes null when missing or not a finite number.
 */
import type { ViewerAvailable, ViewerBlock, ViewerSplit } from '../types.js';
import { isPlainObject, num, own, str, type PlainObject } from './util.js';

function splitOf(s: PlainObject): ViewerSplit {
  return {
    config: str(own(s, 'config')),
    split: str(own(s, 'split')),
    num_rows: num(own(s, 'num_rows')),
    estimated_num_rows: num(own(s, 'estimated_num_rows')),
    num_columns: num(own(s, 'num_columns')),
    num_bytes_parquet_files: num(own(s, 'num_bytes_parquet_files')),
    num_bytes_memory: num(own(s, 'num_bytes_memory')),
  };
}

/**
 * The distinct config names of a list, in order; an item without one (`nameOf` gives null)
 * counts as null, once. Not a list: empty.
 */
function configNames(list: unknown, nameOf: (item: unknown) => string | null): Array<string | null> {
  const out: Array<string | null> = [];
  if (!Array.isArray(list)) return out;
  const seen = new Set<string | null>();
  for (const item of list) {
    const name = nameOf(item);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

/** An answer's `pending` / `failed` entry (`{kind, dataset, config, split}`) → its config name. */
const entryConfig = (item: unknown): string | null => (isPlainObject(item) ? str(own(item, 'config')) : null);

const isEmptyList = (v: unknown): boolean => !Array.isArray(v) || v.length === 0;

function available(totals: PlainObject | null, partial: unknown, splits: unknown, pending: Array<string | null>, failed: Array<string | null>): ViewerAvailable {
  const list: ViewerSplit[] = [];
  if (Array.isArray(splits)) for (const s of splits) if (isPlainObject(s)) list.push(splitOf(s));
  const total = (key: string): number | null => (totals === null ? null : num(own(totals, key)));
  return {
    available: true,
    partial: typeof partial === 'boolean' ? partial : null,
    num_rows: total('num_rows'),
    estimated_num_rows: total('estimated_num_rows'),
    num_bytes_original_files: total('num_bytes_original_files'),
    num_bytes_parquet_files: total('num_bytes_parquet_files'),
    num_bytes_memory: total('num_bytes_memory'),
    pending,
    failed,
    splits: list,
  };
}

/**
 * The block for a 200 answer of `/size`: totals from `size.dataset`, one entry per `size.splits`
 * item, the config names of `pending` and `failed`. When no subset was sized (`size.configs` and
 * `size.splits` empty) and some are pending or failed, the viewer's zeros mean "nothing measured":
 * the totals are null (e.g. allenai/atomic). Returns null when the body is not that shape (no
 * `size` object): the caller treats it as a malformed answer.
 */
export function viewerBlockFromSize(body: unknown): ViewerAvailable | null {
  if (!isPlainObject(body)) return null;
  const size = own(body, 'size');
  if (!isPlainObject(size)) return null;
  const pending = configNames(own(body, 'pending'), entryConfig);
  const failed = configNames(own(body, 'failed'), entryConfig);
  const nothingSized = isEmptyList(own(size, 'configs')) && isEmptyList(own(size, 'splits')) && pending.length + failed.length > 0;
  const dataset = own(size, 'dataset');
  const totals = nothingSized ? null : isPlainObject(dataset) ? dataset : {};
  return available(totals, own(body, 'partial'), own(size, 'splits'), pending, failed);
}

/** A stored block's `pending` / `failed` item: a config name or null. */
const storedName = (item: unknown): string | null => str(item);

/**
 * A `viewer` block given in a stored or input record (`sync`, `enrich`), coerced to the record's
 * shape (a block written before `estimated_num_rows`, `pending` and `failed` existed gets null and
 * empty lists); null when it is not one.
 */
export function viewerBlockFromUnknown(value: unknown): ViewerBlock | null {
  if (!isPlainObject(value)) return null;
  const flag = own(value, 'available');
  if (flag === true) {
    const pending = configNames(own(value, 'pending'), storedName);
    const failed = configNames(own(value, 'failed'), storedName);
    return available(value, own(value, 'partial'), own(value, 'splits'), pending, failed);
  }
  if (flag === false) return { available: false, reason: str(own(value, 'reason')) ?? 'unknown' };
  return null;
}
