/**
 * File lists of a record: from listing/detail `siblings` or from tree pages, and the
 * derived download links, file count and total size.
 */
import type { DatasetRecord, FileEntry, RawTreeEntry } from '../types.js';
import { downloadLinks, trimEndpoint } from './links.js';
import { isPlainObject, num } from './util.js';

/** A byte size: a finite, non-negative number, else null. */
function size(value: unknown): number | null {
  const n = num(value);
  return n !== null && n >= 0 ? n : null;
}

/** The entry's own size, else its `lfs.size`, else null. */
function sizeOf(entry: { size?: unknown; lfs?: unknown }): number | null {
  const s = size(entry.size);
  if (s !== null) return s;
  return isPlainObject(entry.lfs) ? size(entry.lfs.size) : null;
}

/**
 * `siblings` → files. Siblings without a string `rfilename` are skipped. `size` from `size` or
 * `lfs.size`; `lfs` is true when `lfs` is an object, false when the sibling carries blob info
 * (`size`/`blobId`, i.e. `?blobs=true` was asked) without `lfs`, else null (unknown).
 */
export function filesFromSiblings(siblings: unknown): FileEntry[] {
  const out: FileEntry[] = [];
  if (!Array.isArray(siblings)) return out;
  for (let i = 0; i < siblings.length; i++) {
    const s: unknown = siblings[i];
    if (!isPlainObject(s) || typeof s.rfilename !== 'string') continue;
    const lfs = isPlainObject(s.lfs) ? true : s.size !== undefined || s.blobId !== undefined ? false : null;
    out.push({ path: s.rfilename, size: sizeOf(s), lfs });
  }
  return out;
}

/**
 * Tree entries (`/tree/{rev}?recursive=true`) → files: directories and entries without a string
 * `path` are skipped; `size` from `size` (or `lfs.size`); `lfs` true when `lfs` is an object, else false.
 */
export function filesFromTree(entries: readonly RawTreeEntry[]): FileEntry[] {
  const out: FileEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!isPlainObject(e) || e.type === 'directory' || typeof e.path !== 'string') continue;
    out.push({ path: e.path, size: sizeOf(e), lfs: isPlainObject(e.lfs) });
  }
  return out;
}

/** The sum of the sizes when there is at least one file, every size is known and the sum is finite, else null. */
export function totalSize(files: readonly FileEntry[]): number | null {
  if (files.length === 0) return null;
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    const s = files[i]!.size;
    if (s === null) return null;
    total += s;
  }
  return Number.isFinite(total) ? total : null; // hostile sizes near 1e308 could sum to Infinity
}

/**
 * The record with `files`, `links.download_links`, `statistics.file_count` and
 * `statistics.total_size_bytes` (the sum when every size is known, else the existing value)
 * replaced. The input record is not modified; key order is kept.
 */
export function withFiles(record: DatasetRecord, files: FileEntry[], endpoint: string): DatasetRecord {
  const total = totalSize(files);
  return {
    ...record,
    links: { ...record.links, download_links: downloadLinks(trimEndpoint(endpoint), record.id, files) },
    statistics: {
      ...record.statistics,
      file_count: files.length,
      total_size_bytes: total ?? record.statistics.total_size_bytes,
    },
    files,
  };
}
