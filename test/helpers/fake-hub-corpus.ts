/**
 * The corpus behind the fake Hub's listing: an explicit list of items (sorted per sort key on demand)
 * or the lazily generated synthetic corpus (index order is already descending for every key).
 * Also the opaque list cursor. Imports only node: built-ins.
 */
import type { RawDataset } from '../../src/types.js';
import {
  hexOf, syntheticAuthor, syntheticDataset, syntheticGated, syntheticId, syntheticIndexOf, syntheticIsPrivate, syntheticTags,
} from './corpus.js';
import { markerOf } from './fake-hub-shape.js';

/** Sort keys the list endpoint accepts (always descending). */
export const FAKE_SORT_KEYS = ['createdAt', 'downloads', 'likes', 'lastModified', 'trendingScore'] as const;
/** One of {@link FAKE_SORT_KEYS}. */
export type FakeSortKey = (typeof FAKE_SORT_KEYS)[number];

/** A parsed list query. */
export interface ListQuery {
  sort: FakeSortKey;
  /** Lower-cased substring of the id. */
  search: string | undefined;
  author: string | undefined;
  /** Tags that must all be present. */
  filters: string[];
  gated: boolean | undefined;
  /** Whether private items are visible. */
  canSeePrivate: boolean;
}

/** A corpus the fake can list and look up. Positions are 0-based indexes in the order of a sort key. */
export interface CorpusSource {
  readonly size: number;
  itemAt(sort: FakeSortKey, pos: number): RawDataset;
  matches(sort: FakeSortKey, pos: number, q: ListQuery): boolean;
  /** Where a page starts given the cursor's position and last (value, id). */
  resume(sort: FakeSortKey, pos: number, lastValue: number | null, lastId: string | undefined): number;
  /** Sort value and id of the item at `pos` (for the cursor). */
  keyAt(sort: FakeSortKey, pos: number): { v: number | null; id: string };
  /** The item with this id (or alias), `canonical` false when found by alias. */
  find(id: string): { item: RawDataset; canonical: boolean } | undefined;
}

/** Numeric sort value of an item (dates as epoch ms); -Infinity when missing. */
export function sortValue(item: RawDataset, sort: FakeSortKey): number {
  const v = item[sort];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && (sort === 'createdAt' || sort === 'lastModified')) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return -Infinity;
}

function genericMatch(item: RawDataset, q: ListQuery): boolean {
  if (item.private === true && !q.canSeePrivate) return false;
  if (markerOf(item).unlisted) return false;
  const id = typeof item.id === 'string' ? item.id : '';
  if (q.search !== undefined && !id.toLowerCase().includes(q.search)) return false;
  if (q.author !== undefined) {
    const owner = typeof item.author === 'string' ? item.author : id.includes('/') ? id.slice(0, id.indexOf('/')) : undefined;
    if (owner !== q.author) return false;
  }
  if (q.gated !== undefined && (item.gated !== false && item.gated !== undefined) !== q.gated) return false;
  if (q.filters.length) {
    const tags = Array.isArray(item.tags) ? item.tags : [];
    for (const f of q.filters) if (!tags.includes(f)) return false;
  }
  return true;
}

/** An explicit corpus: items sorted by (sort value desc, id asc), cached per sort key. */
export class ExplicitCorpus implements CorpusSource {
  private readonly sorted = new Map<FakeSortKey, RawDataset[]>();
  private readonly byId = new Map<string, { item: RawDataset; canonical: boolean }>();

  constructor(private readonly items: RawDataset[]) {
    for (const item of items) {
      if (typeof item.id === 'string') this.byId.set(item.id, { item, canonical: true });
    }
    for (const item of items) {
      for (const a of markerOf(item).aliases ?? []) if (!this.byId.has(a)) this.byId.set(a, { item, canonical: false });
    }
  }

  get size(): number {
    return this.items.length;
  }

  private order(sort: FakeSortKey): RawDataset[] {
    let s = this.sorted.get(sort);
    if (!s) {
      const keyed = this.items.map((item) => ({ item, v: sortValue(item, sort), id: String(item.id ?? '') }));
      keyed.sort((a, b) => (a.v !== b.v ? (b.v > a.v ? 1 : -1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      s = keyed.map((k) => k.item);
      this.sorted.set(sort, s);
    }
    return s;
  }

  itemAt(sort: FakeSortKey, pos: number): RawDataset {
    return this.order(sort)[pos]!;
  }

  matches(sort: FakeSortKey, pos: number, q: ListQuery): boolean {
    return genericMatch(this.order(sort)[pos]!, q);
  }

  keyAt(sort: FakeSortKey, pos: number): { v: number | null; id: string } {
    const item = this.order(sort)[pos]!;
    const v = sortValue(item, sort);
    return { v: Number.isFinite(v) ? v : null, id: String(item.id ?? '') };
  }

  resume(sort: FakeSortKey, pos: number, lastValue: number | null, lastId: string | undefined): number {
    const order = this.order(sort);
    if (lastId === undefined || pos <= 0) return Math.max(0, pos);
    if (pos <= order.length && String(order[pos - 1]!.id) === lastId) return pos;
    // The corpus changed under the cursor: keyset seek to the first item strictly after (lastValue, lastId).
    const lv = lastValue ?? -Infinity;
    for (let p = 0; p < order.length; p++) {
      const v = sortValue(order[p]!, sort);
      const id = String(order[p]!.id ?? '');
      if (v < lv || (v === lv && id > lastId)) return p;
    }
    return order.length;
  }

  find(id: string): { item: RawDataset; canonical: boolean } | undefined {
    return this.byId.get(id);
  }
}

/** The synthetic corpus of `total` items (see corpus.ts); nothing is stored. */
export class SyntheticCorpus implements CorpusSource {
  constructor(readonly size: number, private readonly moved?: { every: number; generation: number }) {}

  itemAt(_sort: FakeSortKey, pos: number): RawDataset {
    return this.item(pos);
  }

  /** Item `i`, moved on when `moved` says so (every `every`-th item: a new commit, downloads grown). */
  private item(i: number): RawDataset {
    const item = syntheticDataset(i, this.size);
    const m = this.moved;
    if (!m || m.generation <= 0) return item;
    if (i % m.every === 0) {
      item.downloads = (item.downloads as number) + m.generation;
      item.sha = hexOf(i, 1000 + m.generation, 40);
      item.siblings = [...(item.siblings as object[]), { rfilename: `data/update-${m.generation}.parquet` }];
    }
    return item;
  }

  matches(_sort: FakeSortKey, i: number, q: ListQuery): boolean {
    if (!q.canSeePrivate && syntheticIsPrivate(i)) return false;
    if (q.author !== undefined && syntheticAuthor(i) !== q.author) return false;
    if (q.search !== undefined && !syntheticId(i).toLowerCase().includes(q.search)) return false;
    if (q.gated !== undefined && (syntheticGated(i) !== false) !== q.gated) return false;
    if (q.filters.length) {
      const tags = syntheticTags(i);
      for (const f of q.filters) if (!tags.includes(f)) return false;
    }
    return true;
  }

  keyAt(_sort: FakeSortKey, pos: number): { v: number | null; id: string } {
    return { v: null, id: syntheticId(pos) };
  }

  resume(_sort: FakeSortKey, pos: number): number {
    return Math.max(0, pos);
  }

  find(id: string): { item: RawDataset; canonical: boolean } | undefined {
    const i = syntheticIndexOf(id, this.size);
    return i < 0 ? undefined : { item: this.item(i), canonical: true };
  }
}

/** Decoded list cursor: next position, and the (sort value, id) of the item just before it. */
export interface ListCursor {
  p: number;
  s: FakeSortKey;
  v: number | null;
  id: string | undefined;
}

/** Encode a list cursor as opaque base64url JSON. */
export function encodeCursor(src: CorpusSource, sort: FakeSortKey, pos: number): string {
  const last = pos > 0 ? src.keyAt(sort, pos - 1) : { v: null, id: undefined };
  return Buffer.from(JSON.stringify({ p: pos, s: sort, v: last.v, id: last.id })).toString('base64url');
}

/** Decode a cursor; undefined when it is not one of ours. */
export function decodeCursor(raw: string): ListCursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<ListCursor>;
    if (!c || typeof c.p !== 'number' || !Number.isSafeInteger(c.p) || c.p < 0) return undefined;
    return { p: c.p, s: c.s as FakeSortKey, v: typeof c.v === 'number' ? c.v : null, id: typeof c.id === 'string' ? c.id : undefined };
  } catch {
    return undefined;
  }
}

/** One page of a listing: the items and the position the next page starts at (null on the last page). */
export interface ListPage {
  items: RawDataset[];
  next: number | null;
}

/**
 * Scan forward from `start` for up to `limit` matching items. `next` is null when no further match exists.
 * With `repeat` > 0 (a moving ranking), the next page starts at the `repeat`-th last served item, so it
 * serves those again.
 */
export function listPage(src: CorpusSource, q: ListQuery, start: number, limit: number, repeat: number): ListPage {
  const items: RawDataset[] = [];
  const positions: number[] = [];
  let pos = start;
  for (; pos < src.size && items.length < limit; pos++) {
    if (src.matches(q.sort, pos, q)) {
      items.push(src.itemAt(q.sort, pos));
      positions.push(pos);
    }
  }
  let more = false;
  for (let p = pos; p < src.size; p++) {
    if (src.matches(q.sort, p, q)) {
      more = true;
      break;
    }
  }
  if (!more) return { items, next: null };
  const r = Math.min(repeat, items.length - 1);
  return { items, next: r > 0 ? positions[items.length - r]! : pos };
}
