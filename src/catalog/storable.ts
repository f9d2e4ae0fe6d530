/**
 * A record as the catalog stores it, and the hash that says whether it changed. The catalog holds
 * UTF-8 text, which cannot carry a lone UTF-16 surrogate (JavaScript strings and
 * `collect --ndjson` can): such a character becomes U+FFFD, in the id too. Every other record is
 * stored exactly as JSON.stringify writes it. Pure.
 */
import { createHash } from 'node:crypto';
import type { DatasetRecord } from '../types.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A copy of any JSON value with every lone UTF-16 surrogate (in keys too) replaced by U+FFFD. */
export function wellFormed<T>(v: T): T {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\ufffd') as T;
  if (Array.isArray(v)) return v.map(wellFormed) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)])) as T;
  return v;
}

/** The record as the catalog stores it (see the note at the top), and its JSON text. */
export function storable(record: DatasetRecord): { record: DatasetRecord; json: string } {
  const json = JSON.stringify(record);
  if (!/\\u[dD][89a-fA-F]/.test(json)) return { record, json };
  const fixed = wellFormed(record);
  return { record: fixed, json: JSON.stringify(fixed) };
}

/** A hash of a record's JSON without its `collected_at` (the last key): equal hashes, nothing changed but the time. */
export function contentHash(json: string): string {
  const at = json.lastIndexOf(',"collected_at":');
  return createHash('sha1').update(at < 0 ? json : json.slice(0, at)).digest('base64');
}

/**
 * The record as stored (see storable) and the hash of its JSON; the JSON itself is not kept (held
 * for a whole page it would take more heap than the records; the commit writes it again).
 */
export function hashed(record: DatasetRecord): { record: DatasetRecord; hash: string } {
  const s = storable(record);
  return { record: s.record, hash: contentHash(s.json) };
}
