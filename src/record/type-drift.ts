/**
 * Fields of a Hub item whose type is not the one the record expects (a number where a string
 * was, an object where a list was): the record builders already treat such a value as missing
 * (null, or an empty list); this counts them per field name, so a run can say once, at its end,
 * that the Hub changed a field's type instead of warning for every record. A missing field, or
 * null, is not counted: the Hub leaves out many fields on purpose.
 */
import type { RawDataset } from '../types.js';

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'gated';

/** The top-level fields of a Hub item the record reads, and the type each must have. */
const EXPECTED: ReadonlyArray<readonly [string, Kind]> = [
  ['author', 'string'],
  ['sha', 'string'],
  ['description', 'string'],
  ['citation', 'string'],
  ['paperswithcode_id', 'string'],
  ['createdAt', 'string'],
  ['lastModified', 'string'],
  ['downloads', 'number'],
  ['downloadsAllTime', 'number'],
  ['likes', 'number'],
  ['trendingScore', 'number'],
  ['mainSize', 'number'],
  ['usedStorage', 'number'],
  ['private', 'boolean'],
  ['disabled', 'boolean'],
  ['gated', 'gated'],
  ['tags', 'list'],
  ['siblings', 'list'],
  ['cardData', 'object'],
];

function fits(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'list': return Array.isArray(value);
    case 'object': return typeof value === 'object' && !Array.isArray(value);
    case 'gated': return typeof value === 'boolean' || value === 'auto' || value === 'manual';
  }
}

function describe(kind: Kind): string {
  return kind === 'gated' ? 'false, "auto" or "manual"' : kind === 'list' ? 'a list' : kind === 'object' ? 'an object' : `a ${kind}`;
}

/** Counts, per field name, the items whose field had an unexpected type. One per run. */
export class TypeDrift {
  readonly #counts = new Map<string, number>();

  /** Counts the fields of `raw` of an unexpected type (own keys only; missing and null are fine). */
  check(raw: RawDataset): void {
    for (let i = 0; i < EXPECTED.length; i++) {
      const [key, kind] = EXPECTED[i]!;
      if (!Object.hasOwn(raw, key)) continue;
      const value = raw[key];
      if (value === null || value === undefined || fits(value, kind)) continue;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    }
  }

  /** Field name → how many items had it of an unexpected type. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  /** One line per field with its count, for the end of a run (none when every type was as expected). */
  warnings(): string[] {
    const out: string[] = [];
    for (const [key, n] of this.#counts) {
      const kind = EXPECTED.find(([k]) => k === key)![1];
      out.push(`the Hub sent "${key}" of an unexpected type (not ${describe(kind)}) for ${n} dataset${n === 1 ? '' : 's'}; taken as missing`);
    }
    return out;
  }
}
