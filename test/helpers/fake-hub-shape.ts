/**
 * Response shapes of the fake Hub: which keys a list item / detail carries (docs/hub-api.md),
 * per-file metadata for `?blobs=true`, and tree entries. Imports only node: built-ins.
 */
import { createHash } from 'node:crypto';
import type { RawDataset } from '../../src/types.js';

/**
 * Test-only marker an explicit corpus item may carry under the key `__fake`. It is stripped from every
 * response.
 */
export interface FakeMarker {
  /** Detail (`/api/datasets/{id}`) answers this status with `{"error": ...}` (e.g. 403). */
  detailStatus?: number;
  /** `X-Error-Code` for `detailStatus` (e.g. `GatedRepo`, `RepoNotFound`). */
  detailErrorCode?: string;
  /** Error message for `detailStatus` (a default is derived from the code). */
  detailErrorMessage?: string;
  /** Detail answers 200 with a body that is not JSON. */
  detailMalformed?: boolean;
  /** Tree (`/tree/{rev}`) answers this status (with `treeErrorCode`). */
  treeStatus?: number;
  treeErrorCode?: string;
  /** Tree answers 200 with a body that is not JSON. */
  treeMalformed?: boolean;
  /** Replace the siblings with this many generated files (`data/train/part-00000.parquet`, ...). */
  fileCount?: number;
  /** Never listed by `/api/datasets`, but served by detail/tree (for enrich tests). */
  unlisted?: boolean;
  /** Other ids (e.g. legacy `squad`) under which detail/tree also serve this item. */
  aliases?: string[];
  /** With `aliases`: answer a request by alias with a 307 redirect to the canonical id instead of directly. */
  aliasRedirect?: boolean;
}

/** The `__fake` marker of an item (empty when absent). */
export function markerOf(item: RawDataset): FakeMarker {
  const m = item.__fake;
  return m !== null && typeof m === 'object' ? (m as FakeMarker) : {};
}

/** Properties accepted by `expand` (huggingface_hub `ExpandDatasetProperty_T`), in the error message order. */
export const EXPAND_PROPERTIES = ['author', 'cardData', 'citation', 'createdAt', 'description', 'disabled', 'downloads',
  'downloadsAllTime', 'gated', 'lastModified', 'likes', 'mainSize', 'paperswithcode_id', 'private', 'resourceGroup',
  'sha', 'siblings', 'tags', 'trendingScore', 'usedStorage'] as const;
/** Internal properties the server also accepts. */
const EXPAND_EXTRA = ['gitalyUid', 'xetEnabled'];
const EXPAND_OK = new Set<string>([...EXPAND_PROPERTIES, ...EXPAND_EXTRA]);

/** The first unknown `expand` value, or undefined when all are valid. */
export function invalidExpand(props: string[]): string | undefined {
  return props.find((p) => !EXPAND_OK.has(p));
}

/** The 400 message for an unknown `expand` value. */
export const EXPAND_ERROR = `"expand" must be one of [${EXPAND_PROPERTIES.join(', ')}]`;

/** Keys of a list item without `full`/`expand` (docs/hub-api.md), in the recorded order. */
export const DEFAULT_LIST_KEYS = ['_id', 'id', 'author', 'disabled', 'gated', 'lastModified', 'likes', 'trendingScore',
  'private', 'sha', 'description', 'downloads', 'tags', 'createdAt'] as const;

/** Keys that come only via `expand` (never in a plain detail). */
const EXPAND_ONLY = new Set(['trendingScore', 'downloadsAllTime', 'mainSize', 'resourceGroup']);

/** How a list item is shaped. */
export type ItemMode = { kind: 'default' } | { kind: 'full' } | { kind: 'expand'; props: string[] };

const fileCountCache = new WeakMap<RawDataset, Array<{ rfilename: string }>>();

/** Siblings as stored, or generated for `__fake.fileCount`. Each has at least `rfilename`. */
export function rawSiblings(item: RawDataset): Array<Record<string, unknown>> {
  const n = markerOf(item).fileCount;
  if (typeof n === 'number') {
    let gen = fileCountCache.get(item);
    if (!gen) {
      gen = [{ rfilename: '.gitattributes' }, { rfilename: 'README.md' }];
      const nTest = Math.floor((n - 2) / 10);
      for (let k = 0; gen.length < n; k++) {
        const split = k < nTest ? 'test' : 'train';
        gen.push({ rfilename: `data/${split}/part-${String(k < nTest ? k : k - nTest).padStart(5, '0')}.parquet` });
      }
      fileCountCache.set(item, gen);
    }
    return gen;
  }
  const s = item.siblings;
  if (!Array.isArray(s)) return [];
  let valid = validCache.get(s);
  if (!valid) {
    valid = s.filter((x): x is Record<string, unknown> =>
      x !== null && typeof x === 'object' && typeof (x as Record<string, unknown>).rfilename === 'string');
    validCache.set(s, valid);
  }
  return valid;
}

const validCache = new WeakMap<unknown[], Array<Record<string, unknown>>>();
const plainCache = new WeakMap<unknown[], Array<{ rfilename: unknown }>>();

/** Siblings as `[{rfilename}]` (cached per siblings array: items sharing one get the same answer). */
function plainSiblings(item: RawDataset): Array<{ rfilename: unknown }> {
  const raw = rawSiblings(item);
  let plain = plainCache.get(raw);
  if (!plain) {
    plain = raw.map((s) => ({ rfilename: s.rfilename }));
    plainCache.set(raw, plain);
  }
  return plain;
}

/** Shape a list item: the default key set, `full` (adds cardData + siblings) or only the expanded keys. */
export function projectItem(item: RawDataset, mode: ItemMode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const copy = (k: string): void => {
    if (k === 'siblings') {
      if (item.siblings !== undefined || markerOf(item).fileCount !== undefined) out.siblings = plainSiblings(item);
    } else if (item[k] !== undefined) out[k] = item[k];
  };
  if (mode.kind === 'expand') {
    copy('_id');
    copy('id');
    for (const p of mode.props) if (p !== '_id' && p !== 'id') copy(p);
    return out;
  }
  for (const k of DEFAULT_LIST_KEYS) copy(k);
  if (mode.kind === 'full') {
    copy('cardData');
    copy('siblings');
  }
  return out;
}

/** Shape a detail: every stored key except `__fake` and the expand-only ones; `blobs` adds file metadata. */
export function detailShape(item: RawDataset, blobs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === '__fake' || EXPAND_ONLY.has(k) || v === undefined) continue;
    if (k === 'siblings') {
      out.siblings = blobs ? filesOf(item).map((f) => siblingWithBlobs(f)) : plainSiblings(item);
    } else out[k] = v;
  }
  if (out.siblings === undefined && markerOf(item).fileCount !== undefined) {
    out.siblings = blobs ? filesOf(item).map((f) => siblingWithBlobs(f)) : plainSiblings(item);
  }
  return out;
}

/** Metadata of one file of a repo. */
export interface FileMeta {
  path: string;
  size: number;
  blobId: string;
  /** sha256 of the content, for LFS files only. */
  lfsSha256: string | undefined;
}

const LFS_EXT = /\.(parquet|arrow|gz|zip|tar|zst|bz2|xz|7z|bin|npy|npz|h5|pt|safetensors|jpg|jpeg|png|webp|wav|mp3|flac|tfrecord|lance|pdf)$/i;

function digest(alg: 'sha1' | 'sha256', s: string): string {
  return createHash(alg).update(s).digest('hex');
}

/** Every file of an item with a size, git blob id and (LFS files) sha256; generated deterministically when not stored. */
export function filesOf(item: RawDataset): FileMeta[] {
  const id = String(item.id);
  return rawSiblings(item).map((s) => {
    const path = s.rfilename as string;
    const blobId = typeof s.blobId === 'string' ? s.blobId : digest('sha1', `blob ${id} ${path}`);
    const lfsStored = s.lfs !== null && typeof s.lfs === 'object' ? (s.lfs as Record<string, unknown>) : undefined;
    let size: number;
    let lfs: boolean;
    if (typeof s.size === 'number') {
      size = s.size;
      lfs = lfsStored !== undefined;
    } else {
      lfs = lfsStored !== undefined || LFS_EXT.test(path);
      const n = parseInt(blobId.slice(0, 8), 16);
      size = lfs ? 1_000_000 + (n % 500_000_000) : path === '.gitattributes' ? 2_307 : 200 + (n % 60_000);
    }
    const sha = lfsStored && typeof lfsStored.sha256 === 'string' ? lfsStored.sha256 : digest('sha256', `lfs ${id} ${path}`);
    return { path, size, blobId, lfsSha256: lfs ? sha : undefined };
  });
}

function siblingWithBlobs(f: FileMeta): Record<string, unknown> {
  const s: Record<string, unknown> = { rfilename: f.path, size: f.size, blobId: f.blobId };
  if (f.lfsSha256) s.lfs = { sha256: f.lfsSha256, size: f.size, pointerSize: 134 };
  return s;
}

/** One entry of `/tree/{rev}`. */
export interface TreeEntry {
  type: 'file' | 'directory';
  oid: string;
  size: number;
  lfs?: { oid: string; size: number; pointerSize: number };
  path: string;
}

const treeCache = new WeakMap<RawDataset, TreeEntry[]>();

/** All tree entries of an item (directories and files), sorted by path. Cached per item object. */
export function treeEntries(item: RawDataset): TreeEntry[] {
  const cached = treeCache.get(item);
  if (cached) return cached;
  const id = String(item.id);
  const entries: TreeEntry[] = [];
  const dirs = new Set<string>();
  for (const f of filesOf(item)) {
    const parts = f.path.split('/');
    for (let k = 1; k < parts.length; k++) {
      const d = parts.slice(0, k).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ type: 'directory', oid: digest('sha1', `tree ${id} ${d}`), size: 0, path: d });
      }
    }
    const e: TreeEntry = { type: 'file', oid: f.blobId, size: f.size, path: f.path };
    if (f.lfsSha256) e.lfs = { oid: f.lfsSha256, size: f.size, pointerSize: 134 };
    entries.push(e);
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  treeCache.set(item, entries);
  return entries;
}
