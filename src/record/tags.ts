/**
 * Hub tags (`license:mit`, `language:en`, `arxiv:2103.03874`, free tags …) sorted into the
 * buckets the record needs, in one pass.
 */
import { pushUnique } from './util.js';

/** Tag values by prefix, each de-duplicated in first-seen order, plus every raw string tag. */
export interface TagBuckets {
  /** Every string tag as given (duplicates kept), for `info.tags`. */
  all: string[];
  license: string[];
  language: string[];
  task_categories: string[];
  task_ids: string[];
  size_categories: string[];
  modality: string[];
  format: string[];
  library: string[];
  arxiv: string[];
  doi: string[];
}

/** Sorts `tags` (anything; only string items count) into prefix buckets. */
export function parseTags(tags: unknown): TagBuckets {
  const b: TagBuckets = {
    all: [], license: [], language: [], task_categories: [], task_ids: [], size_categories: [],
    modality: [], format: [], library: [], arxiv: [], doi: [],
  };
  if (!Array.isArray(tags)) return b;
  for (let i = 0; i < tags.length; i++) {
    const tag: unknown = tags[i];
    if (typeof tag !== 'string') continue;
    b.all.push(tag);
    const colon = tag.indexOf(':');
    if (colon <= 0 || colon === tag.length - 1) continue;
    let bucket: string[];
    switch (tag.slice(0, colon)) {
      case 'license': bucket = b.license; break;
      case 'language': bucket = b.language; break;
      case 'task_categories': bucket = b.task_categories; break;
      case 'task_ids': bucket = b.task_ids; break;
      case 'size_categories': bucket = b.size_categories; break;
      case 'modality': bucket = b.modality; break;
      case 'format': bucket = b.format; break;
      case 'library': bucket = b.library; break;
      case 'arxiv': bucket = b.arxiv; break;
      case 'doi': bucket = b.doi; break;
      default: continue;
    }
    const value = tag.slice(colon + 1).trim();
    if (value !== '') pushUnique(bucket, value);
  }
  return b;
}
