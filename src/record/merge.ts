/**
 * `enrich` support: coerce an NDJSON input line into a record shape, and merge a record
 * fetched from the Hub over it.
 */
import type { DatasetRecord, ErrorStage, FileEntry, PaperLink, RecordError } from '../types.js';
import { InvalidItemError, emptyRecord, requireId, type RecordContext } from './shape.js';
import { viewerBlockFromUnknown } from './viewer.js';
import { boundedCard, gatedValue, isPlainObject, num, own, str, stringsOnly, type PlainObject } from './util.js';

const DEFAULT_CONTEXT: RecordContext = { endpoint: 'https://huggingface.co', collectedAt: '' };
const STAGES: readonly ErrorStage[] = ['list', 'detail', 'tree', 'viewer'];

function pick<T>(base: T | null, fetched: T | null): T | null {
  return fetched !== null ? fetched : base;
}

function pickList<T>(base: T[], fetched: T[]): T[] {
  return fetched.length > 0 ? fetched : base;
}

/**
 * Whether the fetched record carries an actual Hub answer (a failed detail call yields an
 * {@link emptyRecord} with all of these unknown). Only then do its booleans (`private`,
 * `disabled`, `gated`), whose "unknown" looks like `false`, replace the input's.
 */
function hubAnswered(r: DatasetRecord): boolean {
  return r.sha !== null || r.statistics.last_modified !== null || r.statistics.created_at !== null
    || r.info.tags.length > 0 || r.files.length > 0;
}

/**
 * Merges a record fetched from the Hub over an input record (`enrich`): every fetched value that
 * is known wins; a fetched null, empty list or empty `card_data` never replaces a known input value.
 * `id`/`name`, the dataset/API URLs and `collected_at` come from the fetched record (the Hub may
 * answer a legacy id with its namespaced one). `files`, `download_links` and `file_count` move as
 * one unit (the fetched ones when it has files). `private`/`gated`/`disabled` come from the fetched
 * record only when it carries Hub data (see {@link hubAnswered}). `viewer`: the fetched block when there
 * is one. `errors` are concatenated (input first).
 * Neither argument is modified.
 */
export function mergeRecords(base: DatasetRecord, fetched: DatasetRecord): DatasetRecord {
  const b = base, f = fetched;
  const filesFrom = f.files.length > 0 ? f : b;
  const flagsFrom = hubAnswered(f) ? f : b;
  return {
    id: f.id,
    name: f.name,
    author: pick(b.author, f.author),
    sha: pick(b.sha, f.sha),
    links: {
      dataset_url: f.links.dataset_url,
      api_url: f.links.api_url,
      github: pickList(b.links.github, f.links.github),
      homepage: pick(b.links.homepage, f.links.homepage),
      papers: pickList(b.links.papers, f.links.papers),
      paperswithcode_id: pick(b.links.paperswithcode_id, f.links.paperswithcode_id),
      doi: pickList(b.links.doi, f.links.doi),
      download_links: filesFrom.links.download_links,
    },
    info: {
      pretty_name: pick(b.info.pretty_name, f.info.pretty_name),
      description: pick(b.info.description, f.info.description),
      citation: pick(b.info.citation, f.info.citation),
      license: pickList(b.info.license, f.info.license),
      languages: pickList(b.info.languages, f.info.languages),
      task_categories: pickList(b.info.task_categories, f.info.task_categories),
      task_ids: pickList(b.info.task_ids, f.info.task_ids),
      size_categories: pickList(b.info.size_categories, f.info.size_categories),
      modalities: pickList(b.info.modalities, f.info.modalities),
      formats: pickList(b.info.formats, f.info.formats),
      libraries: pickList(b.info.libraries, f.info.libraries),
      tags: pickList(b.info.tags, f.info.tags),
    },
    statistics: {
      downloads: pick(b.statistics.downloads, f.statistics.downloads),
      downloads_all_time: pick(b.statistics.downloads_all_time, f.statistics.downloads_all_time),
      likes: pick(b.statistics.likes, f.statistics.likes),
      file_count: filesFrom.statistics.file_count,
      total_size_bytes: pick(b.statistics.total_size_bytes, f.statistics.total_size_bytes),
      used_storage_bytes: pick(b.statistics.used_storage_bytes, f.statistics.used_storage_bytes),
      created_at: pick(b.statistics.created_at, f.statistics.created_at),
      last_modified: pick(b.statistics.last_modified, f.statistics.last_modified),
      trending_score: pick(b.statistics.trending_score, f.statistics.trending_score),
    },
    files: filesFrom.files,
    additional: {
      private: flagsFrom.additional.private,
      gated: flagsFrom.additional.gated,
      disabled: flagsFrom.additional.disabled,
      card_data: Object.keys(f.additional.card_data).length > 0 ? f.additional.card_data : b.additional.card_data,
    },
    viewer: pick(b.viewer, f.viewer),
    errors: b.errors.length === 0 ? f.errors : f.errors.length === 0 ? b.errors : [...b.errors, ...f.errors],
    collected_at: f.collected_at !== '' ? f.collected_at : b.collected_at,
  };
}

/** An own plain-object section of `obj`, or an empty object. */
function section(obj: PlainObject, key: string): PlainObject {
  const v = own(obj, key);
  return isPlainObject(v) ? v : {};
}

/** The plain-object elements of an input list, each read by `read` (null: left out). */
function listOf<T>(value: unknown, read: (o: PlainObject) => T | null): T[] {
  const out: T[] = [];
  if (!Array.isArray(value)) return out;
  for (const o of value) {
    if (!isPlainObject(o)) continue;
    const item = read(o);
    if (item !== null) out.push(item);
  }
  return out;
}

function paperOf(p: PlainObject): PaperLink | null {
  const arxiv_id = str(own(p, 'arxiv_id')), url = str(own(p, 'url')), hf = str(own(p, 'hf_paper_url'));
  return arxiv_id !== null && url !== null && hf !== null ? { arxiv_id, url, hf_paper_url: hf } : null;
}

function fileOf(e: PlainObject): FileEntry | null {
  const path = str(own(e, 'path'));
  const lfs = own(e, 'lfs');
  return path === null ? null : { path, size: num(own(e, 'size')), lfs: typeof lfs === 'boolean' ? lfs : null };
}

function errorOf(e: PlainObject): RecordError {
  const stage = own(e, 'stage');
  return {
    stage: STAGES.includes(stage as ErrorStage) ? (stage as ErrorStage) : 'detail',
    status: num(own(e, 'status')),
    code: str(own(e, 'code')) ?? 'UNKNOWN',
    message: str(own(e, 'message')) ?? '',
  };
}

/**
 * Tolerant coercion of one NDJSON input object (it must hold a non-empty string `id`) into a
 * record: every field of the right type is kept, everything else is filled as {@link emptyRecord}
 * does (links computed for `ctx.endpoint`, default `https://huggingface.co`). Only own properties
 * are read, so `__proto__`/`constructor` keys are inert; `card_data` is kept as given when it is
 * a plain object. `file_count` is taken from the input only when it is a number, else `files.length`.
 *
 * @throws {InvalidItemError} when `obj` is not an object or has no non-empty string `id`.
 */
export function recordFromUnknown(obj: unknown, ctx: RecordContext = DEFAULT_CONTEXT): DatasetRecord {
  if (!isPlainObject(obj)) throw new InvalidItemError('input record is not a JSON object');
  const id = requireId(own(obj, 'id'));
  const e = emptyRecord(id, ctx);
  const links = section(obj, 'links'), info = section(obj, 'info');
  const stats = section(obj, 'statistics'), add = section(obj, 'additional');
  const files = listOf(own(obj, 'files'), fileOf);
  const card = own(add, 'card_data');
  const s = (o: PlainObject, k: string): string | null => str(own(o, k));
  const n = (o: PlainObject, k: string): number | null => num(own(o, k));
  const l = (o: PlainObject, k: string): string[] => stringsOnly(own(o, k));
  const authorRaw = own(obj, 'author');
  return {
    id,
    name: s(obj, 'name') ?? e.name,
    author: authorRaw === null ? null : str(authorRaw) ?? e.author,
    sha: s(obj, 'sha'),
    links: {
      dataset_url: s(links, 'dataset_url') ?? e.links.dataset_url,
      api_url: s(links, 'api_url') ?? e.links.api_url,
      github: l(links, 'github'),
      homepage: s(links, 'homepage'),
      papers: listOf(own(links, 'papers'), paperOf),
      paperswithcode_id: s(links, 'paperswithcode_id'),
      doi: l(links, 'doi'),
      download_links: l(links, 'download_links'),
    },
    info: {
      pretty_name: s(info, 'pretty_name'),
      description: s(info, 'description'),
      citation: s(info, 'citation'),
      license: l(info, 'license'),
      languages: l(info, 'languages'),
      task_categories: l(info, 'task_categories'),
      task_ids: l(info, 'task_ids'),
      size_categories: l(info, 'size_categories'),
      modalities: l(info, 'modalities'),
      formats: l(info, 'formats'),
      libraries: l(info, 'libraries'),
      tags: l(info, 'tags'),
    },
    statistics: {
      downloads: n(stats, 'downloads'),
      downloads_all_time: n(stats, 'downloads_all_time'),
      likes: n(stats, 'likes'),
      file_count: n(stats, 'file_count') ?? files.length,
      total_size_bytes: n(stats, 'total_size_bytes'),
      used_storage_bytes: n(stats, 'used_storage_bytes'),
      created_at: s(stats, 'created_at'),
      last_modified: s(stats, 'last_modified'),
      trending_score: n(stats, 'trending_score'),
    },
    files,
    additional: {
      private: own(add, 'private') === true,
      gated: gatedValue(own(add, 'gated')),
      disabled: own(add, 'disabled') === true,
      card_data: isPlainObject(card) ? boundedCard(card) : {},
    },
    viewer: viewerBlockFromUnknown(own(obj, 'viewer')),
    errors: listOf(own(obj, 'errors'), errorOf),
    collected_at: s(obj, 'collected_at') ?? e.collected_at,
  };
}
