/**
 * Corpora for the fake Hub: a deterministic synthetic corpus that can be served by index without
 * being held in memory, and the recorded-style fixture corpus in `fixtures/datasets.json`.
 *
 * Synthetic item `i` of `total` is ranked so that index order IS descending order for every sort
 * key (`downloads`, `likes`, `trendingScore`, `createdAt`, `lastModified`; ties allowed).
 * Imports only node: built-ins and has no top-level side effects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawDataset } from '../../src/types.js';

/** 32-bit integer mixer (lowbias32). */
function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x7feb352d);
  a = Math.imul(a ^ (a >>> 15), 0x846ca68b);
  return (a ^ (a >>> 16)) >>> 0;
}

/** Deterministic unsigned 32-bit draw number `salt` for item `i`. */
export function draw(i: number, salt: number): number {
  return mix((Math.imul(i, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) | 0);
}

/** Deterministic lowercase hex string of `len` characters for item `i`. */
export function hexOf(i: number, salt: number, len: number): string {
  let s = '';
  for (let k = 0; s.length < len; k++) {
    const x = draw(i, salt * 31 + k);
    s += HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
  }
  return s.length === len ? s : s.slice(0, len);
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

const pick = <T>(arr: readonly T[], i: number, salt: number): T => arr[draw(i, salt) % arr.length] as T;

const TASKS = ['text-classification', 'question-answering', 'text-generation', 'summarization', 'translation',
  'token-classification', 'image-classification', 'automatic-speech-recognition', 'table-question-answering',
  'object-detection', 'feature-extraction', 'fill-mask', 'sentence-similarity', 'text-to-image'] as const;
const TASK_IDS = ['extractive-qa', 'sentiment-classification', 'named-entity-recognition', 'language-modeling',
  'open-domain-qa', 'multi-class-classification'] as const;
const LANGS = ['en', 'en', 'en', 'fr', 'de', 'es', 'zh', 'ja', 'ru', 'ar', 'hi', 'pt', 'it', 'ko', 'sw', 'code'] as const;
const LICENSES = ['mit', 'apache-2.0', 'cc-by-4.0', 'cc-by-sa-4.0', 'cc-by-nc-4.0', 'odc-by', 'cc0-1.0', 'openrail',
  'other', 'unknown', 'gpl-3.0', 'cc-by-sa-3.0'] as const;
const SIZES = ['n<1K', '1K<n<10K', '10K<n<100K', '100K<n<1M', '1M<n<10M', '10M<n<100M', '100M<n<1B'] as const;
const FORMATS = ['parquet', 'parquet', 'json', 'csv', 'arrow', 'text', 'imagefolder'] as const;
const MODALITY: Record<string, string> = { 'image-classification': 'image', 'object-detection': 'image',
  'automatic-speech-recognition': 'audio', 'table-question-answering': 'tabular', 'text-to-image': 'image' };
const FREE_TAGS = ['synthetic', 'math-word-problems', 'reasoning', 'medical', 'legal', 'finance', 'code', 'chemistry',
  'benchmark', 'instruction-finetuning', 'rlhf', 'fiftyone', 'biology', 'climate'] as const;
const WORDS = ['Corpus', 'Benchmark', 'Instructions', 'Dialogues', 'Reviews', 'Questions', 'Captions', 'Transcripts',
  'Abstracts', 'Recipes', 'Proofs', 'Tables', 'Headlines', 'Essays'] as const;
const SENTENCES = [
  'It was collected from publicly available web pages and filtered for quality with a small classifier.',
  'Each example contains an input text, a reference answer and some metadata about its source.',
  'The data was de-duplicated with MinHash and near-duplicates across splits were removed.',
  'Annotations were produced by crowd workers and validated by at least two expert reviewers.',
  'Personal information such as e-mail addresses and phone numbers has been redacted.',
  'The splits follow the original release; the test split labels are hidden for leaderboard use.',
  'Use it for research on robustness, evaluation and instruction following of language models.',
  'Known limitations include topical imbalance and a skew towards English-language sources.',
  'Scores reported in the accompanying paper were computed with the official evaluation script.',
  'Version 2 fixes encoding errors, removes empty rows and adds a validation split.',
] as const;

const EARLIEST_MS = Date.UTC(2022, 2, 2, 23, 29, 4);      // 2022-03-02T23:29:04.000Z
const CREATED_SPAN_S = Math.floor((Date.UTC(2025, 5, 30) - EARLIEST_MS) / 1000);

/** Whether synthetic item `i` is a legacy dataset whose id has no namespace (and no `author`). */
export function syntheticIsLegacy(i: number): boolean {
  return i % 1000 === 999;
}

/** The owner of synthetic item `i` (`org-<k>`), or undefined for a legacy id. Cheap. */
export function syntheticAuthor(i: number): string | undefined {
  return syntheticIsLegacy(i) ? undefined : `org-${draw(i, 1) % 500}`;
}

/** The id of synthetic item `i` (`org-<k>/dataset-<i>`, or `dataset-<i>` for a few legacy ids). Cheap. */
export function syntheticId(i: number): string {
  const a = syntheticAuthor(i);
  return a === undefined ? `dataset-${i}` : `${a}/dataset-${i}`;
}

/** Whether synthetic item `i` is private. Cheap. */
export function syntheticIsPrivate(i: number): boolean {
  return i % 1009 === 1008;
}

/** The `gated` value of synthetic item `i`. Cheap. */
export function syntheticGated(i: number): false | 'auto' | 'manual' {
  return i % 97 === 3 ? 'auto' : i % 211 === 5 ? 'manual' : false;
}

/** The index of a synthetic id in a corpus of `total`, or -1 when it is not one. */
export function syntheticIndexOf(id: string, total: number): number {
  const m = /^(?:org-\d+\/)?dataset-(\d+)$/.exec(id);
  if (!m) return -1;
  const i = Number(m[1]);
  return Number.isSafeInteger(i) && i < total && syntheticId(i) === id ? i : -1;
}

interface Facets { task: string; task2: string | undefined; taskId: string | undefined; langs: string[];
  license: string; size: string; format: string; modality: string; free: string | undefined;
  arxiv: string | undefined; doi: string | undefined }

function facets(i: number): Facets {
  const task = pick(TASKS, i, 2);
  const task2 = draw(i, 3) % 4 === 0 ? pick(TASKS, i, 4) : undefined;
  const nLang = 1 + (draw(i, 5) % 3);
  const langs: string[] = [];
  for (let k = 0; k < nLang; k++) {
    const l = pick(LANGS, i, 6 + k);
    if (!langs.includes(l)) langs.push(l);
  }
  const a = draw(i, 12);
  const format = pick(FORMATS, i, 15);
  return {
    task, task2: task2 === task ? undefined : task2,
    taskId: draw(i, 10) % 3 === 0 ? pick(TASK_IDS, i, 11) : undefined,
    langs, license: pick(LICENSES, i, 13), size: pick(SIZES, i, 14), format,
    modality: format === 'imagefolder' ? 'image' : MODALITY[task] ?? 'text',
    free: draw(i, 16) % 3 === 0 ? pick(FREE_TAGS, i, 17) : undefined,
    arxiv: i % 4 === 0 ? `${18 + (a % 8)}${String(1 + (a >>> 8) % 12).padStart(2, '0')}.${String((a >>> 12) % 100000).padStart(5, '0')}` : undefined,
    doi: i % 25 === 3 ? `10.57967/hf/${draw(i, 18) % 5000}` : undefined,
  };
}

function tagsFrom(f: Facets): string[] {
  const t = [`task_categories:${f.task}`];
  if (f.task2) t.push(`task_categories:${f.task2}`);
  if (f.taskId) t.push(`task_ids:${f.taskId}`);
  for (const l of f.langs) t.push(`language:${l}`);
  t.push(`license:${f.license}`, `size_categories:${f.size}`, `format:${f.format}`, `modality:${f.modality}`,
    'library:datasets');
  if (f.format === 'parquet' || f.format === 'csv') t.push('library:pandas', 'library:mlcroissant', 'library:polars');
  if (f.arxiv) t.push(`arxiv:${f.arxiv}`);
  if (f.doi) t.push(`doi:${f.doi}`);
  t.push('region:us');
  if (f.free) t.push(f.free);
  return t;
}

/** The tags of synthetic item `i` (cheaper than building the whole item). */
export function syntheticTags(i: number): string[] {
  return tagsFrom(facets(i));
}

const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `new Date(ms).toISOString()` for whole seconds after 1970, without a Date (civil-from-days, H. Hinnant). */
function iso(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const z = Math.floor(secs / 86400) + 719468;
  const sod = secs % 86400;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${p2(m)}-${p2(d)}T${p2(Math.floor(sod / 3600))}:${p2(Math.floor(sod / 60) % 60)}:${p2(sod % 60)}.000Z`;
}

/** Sibling lists are shared between items with the same layout (bounded: a few thousand layouts). */
const siblingCache = new Map<string, Array<{ rfilename: string }>>();

function siblingsFor(i: number, f: Facets): Array<{ rfilename: string }> {
  const n = 3 + (draw(i, 20) % 28);
  const dirKey = f.format !== 'imagefolder' && draw(i, 21) % 3 === 0 ? `${f.langs[0]}/` : 'data/';
  const key = `${f.format}|${n}|${dirKey}`;
  let cached = siblingCache.get(key);
  if (!cached) siblingCache.set(key, (cached = buildSiblings(n, f.format, dirKey)));
  return cached;
}

function buildSiblings(n: number, format: string, dir: string): Array<{ rfilename: string }> {
  const out = [{ rfilename: '.gitattributes' }, { rfilename: 'README.md' }];
  const ext = format === 'json' ? 'jsonl' : format === 'imagefolder' ? 'jpg' : format === 'text' ? 'txt' : format;
  const dataFiles = n - 2;
  if (format === 'imagefolder') {
    for (let k = 0; k < dataFiles; k++) out.push({ rfilename: `images/${k % 2 ? 'test' : 'train'}/img_${String(k).padStart(5, '0')}.jpg` });
    return out;
  }
  const nTest = dataFiles >= 4 ? 1 : 0;
  const nTrain = dataFiles - nTest;
  for (let k = 0; k < nTrain; k++) {
    out.push({ rfilename: `${dir}train-${String(k).padStart(5, '0')}-of-${String(nTrain).padStart(5, '0')}.${ext}` });
  }
  if (nTest) out.push({ rfilename: `${dir}test-00000-of-00001.${ext}` });
  return out;
}

const spacedCache = new Map<string, string>();
const spaced = (task: string): string => {
  let v = spacedCache.get(task);
  if (v === undefined) spacedCache.set(task, (v = task.replace(/-/g, ' ')));
  return v;
};

/** `n` consecutive sentences from `start` (cyclic), joined by newlines; cached (at most 10 x 9 blocks). */
const blockCache = new Map<number, string>();
function sentenceBlock(start: number, n: number): string {
  const key = start * 100 + n;
  let v = blockCache.get(key);
  if (v === undefined) {
    const lines: string[] = [];
    for (let k = 0; k < n; k++) lines.push(SENTENCES[(start + k) % SENTENCES.length]!);
    blockCache.set(key, (v = lines.join('\n')));
  }
  return v;
}

function githubUrl(i: number, owner: string, name: string): string | undefined {
  switch (i % 9) {
    case 0: return `https://github.com/${owner}/${name}-code`;
    case 3: return `https://github.com/${owner}/${name}-code.git`;
    case 6: return `https://www.github.com/${owner}/${name}-tools/tree/main/scripts`;
    default: return undefined;
  }
}

/**
 * Synthetic dataset `i` (0-based) of a corpus of `total`, in the full detail shape (all keys, siblings
 * as `[{rfilename}]`). Deterministic; ~1.5–3 KB as JSON. For every sort key, a smaller `i` never ranks
 * lower: downloads = total - i, likes and trendingScore non-increasing, createdAt and lastModified
 * decreasing with `i` (the oldest item is created at 2022-03-02T23:29:04.000Z).
 */
export function syntheticDataset(i: number, total: number): RawDataset {
  const f = facets(i);
  const author = syntheticAuthor(i);
  const id = syntheticId(i);
  const name = `dataset-${i}`;
  const rank = total - i; // >= 1
  const createdMs = EARLIEST_MS + Math.floor(((total - 1 - i) / Math.max(1, total)) * CREATED_SPAN_S) * 1000;
  const lastModMs = createdMs + 86_400_000 * 3 + Math.floor((rank / Math.max(1, total)) * 10_000_000) * 1000;
  const pretty = `${f.langs[0]!.toUpperCase()} ${pick(WORDS, i, 30)} ${i}`;
  const gh = githubUrl(i, author ?? 'hf-legacy', name);
  const nSent = 3 + (draw(i, 31) % 9);
  let description = `Dataset Card for ${pretty}\n\n${pretty} is a ${f.size} ${f.modality} dataset for ${spaced(f.task)}.\n${sentenceBlock(draw(i, 32) % SENTENCES.length, nSent)}`;
  if (gh) description += `\nCode and loading scripts: ${gh}.`;
  if (i % 5 === 1) description += `\nSee the paper (https://arxiv.org/${i % 10 === 1 ? 'abs' : 'pdf'}/2104.${String(draw(i, 33) % 100000).padStart(5, '0')}v${1 + (i % 3)}) for details.`;
  const item: RawDataset = {
    _id: (Math.floor(createdMs / 1000)).toString(16).padStart(8, '0') + hexOf(i, 40, 16),
    id,
  };
  if (author !== undefined) item.author = author;
  const cardLicense = f.license;
  item.sha = hexOf(i, 41, 40);
  item.lastModified = iso(lastModMs);
  item.private = syntheticIsPrivate(i);
  item.gated = syntheticGated(i);
  item.disabled = i % 1999 === 1998;
  item.tags = tagsFrom(f);
  item.description = description;
  item.downloads = rank;
  item.downloadsAllTime = rank * (3 + (draw(i, 42) % 20));
  item.likes = Math.floor(rank / 7);
  item.trendingScore = Math.floor(rank / 100);
  if (i % 6 === 0) {
    item.citation = `@article{${(author ?? 'hf').replace(/-/g, '')}${2020 + (i % 5)}${name.replace(/-/g, '')},\n  title={${pretty}},\n  author={Doe, Jane and Roe, Richard},\n  journal={arXiv preprint arXiv:${f.arxiv ?? '2301.00001'}},\n  year={${2020 + (i % 5)}},\n  url={https://arxiv.org/abs/${f.arxiv ?? '2301.00001'}}\n}`;
  }
  if (i % 8 === 2) item.paperswithcode_id = name;
  if (i % 13 !== 0) {
    const card: Record<string, unknown> = {
      license: i % 3 === 0 ? [cardLicense] : cardLicense,
      language: f.langs.length === 1 && i % 2 === 0 ? f.langs[0] : f.langs,
      task_categories: f.task2 ? [f.task, f.task2] : [f.task],
      size_categories: [f.size],
      pretty_name: pretty,
    };
    if (f.taskId) card.task_ids = [f.taskId];
    if (f.license === 'other') { card.license_name = `${name}-license`; card.license_link = 'LICENSE'; }
    if (f.free) card.tags = [f.free];
    if (i % 7 === 0) card.homepage = `https://${author ?? 'hf'}.example.org/${name}`;
    if (i % 4 === 1) card.configs = [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }];
    item.cardData = card;
  }
  const siblings = siblingsFor(i, f);
  item.siblings = siblings;
  item.createdAt = iso(createdMs);
  item.usedStorage = 10_000 + (draw(i, 43) % 2_000_000_000);
  item.mainSize = Math.floor((item.usedStorage as number) * 0.8);
  return item;
}

let projectRoot: string | undefined;

/**
 * The project root (the nearest ancestor of this module with `package.json` and `fixtures/`), found from
 * both `test/helpers/*.ts` and `dist/test/helpers/*.js`.
 */
export function findProjectRoot(): string {
  if (projectRoot) return projectRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'fixtures'))) return (projectRoot = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('fake hub: project root (package.json + fixtures/) not found');
    dir = up;
  }
}

/** The recorded-style fixture corpus (`fixtures/datasets.json`), freshly parsed on every call. */
export function loadFixtureCorpus(): RawDataset[] {
  const data: unknown = JSON.parse(readFileSync(join(findProjectRoot(), 'fixtures', 'datasets.json'), 'utf8'));
  if (!Array.isArray(data)) throw new Error('fixtures/datasets.json must hold a JSON array');
  return data as RawDataset[];
}
