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

/** Appends `value` unless the list already holds it (lists here are short). */
export function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
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
