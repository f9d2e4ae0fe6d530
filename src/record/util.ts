/**
 * Small type guards and coercions shared by the record builders. Everything here
 * is allocation-light: it runs for every field of every dataset.
 */

/** A JSON object (not null, not an array). */
export type PlainObject = Record<string, unknown>;

/** True for a non-null, non-array object (what `JSON.parse` gives for `{…}`). */
export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's OWN property `key`, never one inherited through the prototype chain. */
export function own(obj: PlainObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The value if it is a string, else null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The value if it is a non-empty string, else null. */
export function nonEmptyStr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The value if it is a finite number, else null. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Up to this length a linear `includes` is cheapest; past it a Set answers (see {@link pushUnique}). */
const LINEAR_UNIQUE = 32;
const uniqueSets = new WeakMap<string[], Set<string>>();

/**
 * Appends `value` unless the list already holds it. Lists are usually short, but the Hub's data
 * is written by anyone (100,000 `license:` tags would make a linear scan quadratic: minutes per
 * record), so a list past 32 items gets a Set beside it. A list must only grow through this function.
 */
export function pushUnique(list: string[], value: string): void {
  if (list.length < LINEAR_UNIQUE) {
    if (!list.includes(value)) list.push(value);
    return;
  }
  let seen = uniqueSets.get(list);
  if (seen === undefined) {
    seen = new Set(list);
    uniqueSets.set(list, seen);
  }
  if (!seen.has(value)) {
    seen.add(value);
    list.push(value);
  }
}

/**
 * A string or a list of strings → a de-duplicated list of the non-blank (trimmed) strings,
 * first-seen order; anything else (and non-string items) ignored.
 */
export function stringList(value: unknown): string[] {
  const out: string[] = [];
  if (typeof value === 'string') {
    const v = value.trim();
    if (v !== '') out.push(v);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'string') continue;
      const v = item.trim();
      if (v !== '') pushUnique(out, v);
    }
  }
  return out;
}

/** A list holding only the string items of `value` (as given, duplicates kept); [] when not a list. */
export function stringsOnly(value: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') out.push(item);
    }
  }
  return out;
}

/** `gated` as the record holds it: `false`, `"auto"` or `"manual"` (`true` → `"auto"`, anything else → false). */
export function gatedValue(value: unknown): false | 'auto' | 'manual' {
  if (value === 'auto' || value === 'manual') return value;
  if (value === true) return 'auto';
  return false;
}

/**
 * Deepest nesting kept in a record's `card_data`. `JSON.parse` accepts any depth, but
 * `JSON.stringify` recurses and overflows the stack a few thousand levels down, so a hostile
 * card nested that deep would make the record unwritable. Real cards nest a handful of levels.
 */
export const MAX_CARD_DEPTH = 100;

/** True when an object or array inside `value` sits at depth `MAX_CARD_DEPTH` or deeper (`value` is at `depth`). */
function nestsTooDeep(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_CARD_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsTooDeep(value[i], depth + 1)) return true;
    return false;
  }
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) if (nestsTooDeep((value as PlainObject)[keys[i]!], depth + 1)) return true;
  return false;
}

/** A copy of `value` with every object/array at depth `MAX_CARD_DEPTH` or deeper replaced by null. */
function pruneDeep(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_CARD_DEPTH) return null;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = pruneDeep(value[i], depth + 1);
    return out;
  }
  const out: PlainObject = {};
  for (const key of Object.keys(value)) {
    // defineProperty: a "__proto__" key stays an own data property (an assignment would set the prototype)
    Object.defineProperty(out, key, { value: pruneDeep((value as PlainObject)[key], depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Card data as a record holds it: the object itself when it nests less than `MAX_CARD_DEPTH`
 * levels (always, for real cards), else a copy in which the values nested deeper are null,
 * so the record can always be serialised.
 */
export function boundedCard(card: PlainObject): PlainObject {
  return nestsTooDeep(card, 0) ? (pruneDeep(card, 0) as PlainObject) : card;
}
