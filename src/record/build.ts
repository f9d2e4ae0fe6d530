/**
 * Hub dataset item (listing or detail) → the record of docs/record.md. Pure and synchronous;
 * called once per dataset, so it avoids needless work and allocations.
 */
import type { DatasetRecord, RawDataset } from '../types.js';
import { filesFromSiblings, totalSize } from './files.js';
import { LinkCollector, apiUrl, datasetUrl, downloadLinks, paperLinks, trimEndpoint } from './links.js';
import { parseTags } from './tags.js';
import { InvalidItemError, requireId, splitId, type RecordContext } from './shape.js';
import { boundedCard, gatedValue, isPlainObject, num, own, str, stringList, type PlainObject } from './util.js';

export { filesFromSiblings, filesFromTree, totalSize, withFiles } from './files.js';
export { mergeRecords, recordFromUnknown } from './merge.js';
export { InvalidItemError, emptyRecord, type RecordContext } from './shape.js';
export { TypeDrift } from './type-drift.js';

/** A card list field (string or list) when it yields at least one string, else null (→ fall back to tags). */
function cardList(card: PlainObject | null, key: string): string[] | null {
  if (card === null || !Object.hasOwn(card, key)) return null;
  const list = stringList(card[key]);
  return list.length > 0 ? list : null;
}

/** A card string field read from the card's own keys; blank or non-string → null. */
function cardString(card: PlainObject | null, key: string): string | null {
  if (card === null) return null;
  const v = own(card, key);
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/**
 * Builds the record of one Hub dataset item: a listing item (`/api/datasets?expand[]=…`) or a
 * detail item (`/api/datasets/{id}?blobs=true`, whose siblings carry sizes). Follows every rule
 * of docs/record.md; keys are in its order so JSON output is stable.
 * `cardData` keys are read as own properties only. The returned `additional.card_data` is the
 * item's `cardData` object itself (not copied) when it is a plain object, else `{}`; a card nested
 * 100 levels deep or more (hostile: it could not be serialised) is copied with the deeper values null.
 * A field the Hub left out, or sent with an unexpected type, is taken as missing (null, an empty
 * list, `false`); `ctx.drift` counts the unexpected types.
 *
 * @throws {InvalidItemError} when `raw` is not an object or its `id` is not a non-empty string.
 */
export function buildRecord(raw: RawDataset, ctx: RecordContext): DatasetRecord {
  if (!isPlainObject(raw)) throw new InvalidItemError('dataset item is not an object');
  const id = requireId(raw.id);
  ctx.drift?.check(raw); // a field of an unexpected type is read below as missing; this counts it
  const endpoint = trimEndpoint(ctx.endpoint);
  const { name, author } = splitId(id, raw.author);
  const card = isPlainObject(raw.cardData) ? raw.cardData : null;
  const tags = parseTags(raw.tags);
  const description = str(raw.description);
  const citation = str(raw.citation);

  const links = new LinkCollector();
  for (let i = 0; i < tags.arxiv.length; i++) links.addArxivTag(tags.arxiv[i]!);
  links.scanText(description);
  links.scanText(citation);
  if (card !== null) links.scanCard(card);

  const files = filesFromSiblings(raw.siblings);
  const pwc = str(raw.paperswithcode_id) ?? (card === null ? null : str(own(card, 'paperswithcode_id')));

  return {
    id,
    name,
    author,
    sha: str(raw.sha),
    links: {
      dataset_url: datasetUrl(endpoint, id),
      api_url: apiUrl(endpoint, id),
      github: links.github,
      homepage: cardString(card, 'homepage'),
      papers: paperLinks(links.arxiv, endpoint),
      paperswithcode_id: pwc,
      doi: tags.doi,
      download_links: downloadLinks(endpoint, id, files),
    },
    info: {
      pretty_name: cardString(card, 'pretty_name'),
      description,
      citation,
      license: cardList(card, 'license') ?? tags.license,
      languages: cardList(card, 'language') ?? tags.language,
      task_categories: cardList(card, 'task_categories') ?? tags.task_categories,
      task_ids: cardList(card, 'task_ids') ?? tags.task_ids,
      size_categories: cardList(card, 'size_categories') ?? tags.size_categories,
      modalities: tags.modality,
      formats: tags.format,
      libraries: tags.library,
      tags: tags.all,
    },
    statistics: {
      downloads: num(raw.downloads),
      downloads_all_time: num(raw.downloadsAllTime),
      likes: num(raw.likes),
      file_count: files.length,
      total_size_bytes: totalSize(files) ?? num(raw.mainSize),
      used_storage_bytes: num(raw.usedStorage),
      created_at: str(raw.createdAt),
      last_modified: str(raw.lastModified),
      trending_score: num(raw.trendingScore),
    },
    files,
    additional: {
      private: raw.private === true,
      gated: gatedValue(raw.gated),
      disabled: raw.disabled === true,
      card_data: card === null ? {} : boundedCard(card),
    },
    viewer: null,
    errors: [],
    collected_at: ctx.collectedAt,
  };
}
