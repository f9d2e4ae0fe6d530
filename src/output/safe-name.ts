/**
 * File names derived from dataset ids (docs/record.md, "Output file names").
 *
 * The name depends on the id alone. Ids that differ only in case (`A/x` vs `a/x`) get names
 * that differ only in case: on a case-insensitive filesystem (macOS, Windows defaults) they
 * would share a file, so there the later id takes `hashedFileName` (IndividualFiles decides).
 * A name Windows reserves for a device (`con`, `NUL.x`, `com1`, … before the first dot) gets a `_`
 * prefix and the hash (beyond the documented rule's letter; only legacy ids without `/` can hit it).
 */
import { createHash } from 'node:crypto';

/** Longest stem, hash suffix included. */
export const MAX_STEM = 200;
/** Length of the hash suffix: `-` + 8 hex digits. */
const SUFFIX_LENGTH = 9;
/** Longest cleaned search term in an aggregate file name. */
export const MAX_TERM = 50;

const SLASH_RE = /\//g;
/** One match per code point outside the allowed set (the `u` flag keeps surrogate pairs together). */
const UNSAFE_RE = /[^A-Za-z0-9._-]/gu;
const SAFE_ID_RE = /^[A-Za-z0-9._/-]*$/;
/** A lone surrogate (with the `u` flag, a valid pair is one code point, not `Cs`). */
const LONE_SURROGATE_RE = /\p{Cs}/u;
/** A stem Windows would open as a device (whatever follows a dot): `con`, `PRN.json`, `com1`, `lpt9.x`. */
const WINDOWS_DEVICE_RE = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;

/**
 * First 8 hex digits of the SHA-256 of `id`'s UTF-8 bytes. A string with a lone surrogate has no
 * UTF-8 form (it would become U+FFFD and clash with other such ids), so its UTF-16LE bytes are hashed.
 */
function shortHash(id: string): string {
  const encoding = LONE_SURROGATE_RE.test(id) ? 'utf16le' : 'utf8';
  return createHash('sha256').update(id, encoding).digest('hex').slice(0, 8);
}

/** The documented cleaning: `/` → `__`, anything outside `[A-Za-z0-9._-]` → `_`, a leading `.` → `_`. */
function clean(text: string): string {
  let out = text.replace(SLASH_RE, '__').replace(UNSAFE_RE, '_');
  if (out.charCodeAt(0) === 46 /* '.' */) out = '_' + out.slice(1);
  return out;
}

/**
 * The file stem for a dataset id, per docs/record.md: `/` becomes `__`, every character outside
 * `[A-Za-z0-9._-]` becomes `_`, a leading `.` becomes `_`. When cleaning changed anything but the
 * `/`, or the id already contains `__`, or the stem would pass 200 characters, the stem (cut so
 * that stem + suffix ≤ 200) gets `-` and the first 8 hex digits of the id's SHA-256.
 *
 * One addition keeps names distinct where the letter of the rule would not: a `/` next to a `_`
 * (`a_/b` and `a/_b` both clean to `a___b`) also gets the suffix, and a Windows device name
 * (`con`, `nul.x`) gets a `_` prefix and the suffix. An empty id gives `_-<hash>`.
 * The result is never empty, `.` or `..`, never contains `/`, `\`, NUL or any character outside
 * `[A-Za-z0-9._-]`, and is at most 200 characters.
 */
export function safeFileStem(id: string): string {
  const stem = clean(id);
  const device = WINDOWS_DEVICE_RE.test(stem);
  const needsHash =
    device ||
    id === '' ||
    !SAFE_ID_RE.test(id) ||
    id.charCodeAt(0) === 46 /* '.' */ ||
    id.includes('__') ||
    id.includes('_/') ||
    id.includes('/_') ||
    stem.length > MAX_STEM;
  if (!needsHash) return stem;
  const base = stem === '' ? '_' : (device ? '_' + stem : stem).slice(0, MAX_STEM - SUFFIX_LENGTH);
  return base + '-' + shortHash(id);
}

/** `safeFileStem(id) + '.json'`: the name of a dataset's file in `individual_datasets/`. */
export function safeFileName(id: string): string {
  return safeFileStem(id) + '.json';
}

/**
 * The name with the hash suffix whatever the id: for an id whose `safeFileName` is already taken,
 * on a case-insensitive file system, by a file holding another id (SPEC "Output files").
 */
export function hashedFileName(id: string): string {
  const stem = safeFileStem(id);
  if (stem.length > SUFFIX_LENGTH && stem.charCodeAt(stem.length - SUFFIX_LENGTH) === 45 /* '-' */ && stem.endsWith(shortHash(id))) return stem + '.json';
  const cleaned = clean(id);
  return (cleaned === '' ? '_' : cleaned).slice(0, MAX_STEM - SUFFIX_LENGTH) + '-' + shortHash(id) + '.json';
}

/**
 * A search term cleaned for the aggregate file name `search_<term>_<ts>.json`: the same character
 * cleaning as ids (no hash), cut to 50 characters, `_` when nothing is left.
 */
export function safeSearchTerm(term: string): string {
  const cleaned = clean(term).slice(0, MAX_TERM);
  return cleaned === '' ? '_' : cleaned;
}
