import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import {
  InvalidItemError,
  buildRecord,
  emptyRecord,
  filesFromTree,
  mergeRecords,
  recordFromUnknown,
  withFiles,
} from '../src/record/build.js';
import type { DatasetRecord, RawDataset, RawTreeEntry } from '../src/types.js';
import { expectRecordShape } from './helpers/record-shape.js';

/** fixtures/records, found from this file upwards (works from test/ and from a compiled dist/test/). */
function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'fixtures', 'records');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('fixtures/records not found');
}
const FIXTURES = fixturesDir();
/** Parsed with JSON.parse, so a `__proto__` key is an own property, as with real Hub bodies. */
const load = <T = RawDataset>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const E = 'http://hub.test';
const CTX = { endpoint: E, collectedAt: '2025-01-01T00:00:00.000Z' };
const build = (name: string): DatasetRecord => buildRecord(load(name), CTX);
const ALL = [
  'rajpurkar_squad.listing.json', 'sgoel9_paul_graham_essays.detail.json', 'allenai_c4.listing.json',
  'hendrycks_competition_math.disabled.json', 'squad_legacy.json', 'gated_other_license.json',
  'gated_auto_blobs.json', 'hostile_card.json',
];


describe('buildRecord: recorded-style items', () => {
  it('builds the record of the rajpurkar/squad listing item (identity, card data, links, files)', () => {
    const r = build('rajpurkar_squad.listing.json');
    expect(r.id).toBe('rajpurkar/squad');
    expect(r.name).toBe('squad');
    expect(r.author).toBe('rajpurkar');
    expect(r.sha).toBe('7b6d24c440a36b6815f21b70d25016731768db1f');
    expect(r.links.dataset_url).toBe('http://hub.test/datasets/rajpurkar/squad');
    expect(r.links.api_url).toBe('http://hub.test/api/datasets/rajpurkar/squad');
    expect(r.links.github).toEqual([]); // rajpurkar.github.io is not a repository
    expect(r.links.papers).toEqual([
      { arxiv_id: '1606.05250', url: 'https://arxiv.org/abs/1606.05250', hf_paper_url: 'http://hub.test/papers/1606.05250' },
    ]);
    expect(r.links.paperswithcode_id).toBe('squad');
    expect(r.links.homepage).toBeNull();
    expect(r.links.download_links[2]).toBe('http://hub.test/datasets/rajpurkar/squad/resolve/main/plain_text/train-00000-of-00001.parquet');
    expect(r.info.pretty_name).toBe('SQuAD');
    expect(r.info.license).toEqual(['cc-by-sa-4.0']);
    expect(r.info.languages).toEqual(['en']);
    expect(r.info.task_categories).toEqual(['question-answering']);
    expect(r.info.task_ids).toEqual(['extractive-qa']);
    expect(r.info.size_categories).toEqual(['10K<n<100K']);
    expect(r.info.modalities).toEqual(['text']);
    expect(r.info.formats).toEqual(['parquet']);
    expect(r.info.libraries).toEqual(['datasets', 'pandas', 'mlcroissant', 'polars']);
    expect(r.info.tags).toHaveLength(18);
    expect(r.info.citation).toContain('@inproceedings');
    expect(r.statistics).toEqual({
      downloads: 254152, downloads_all_time: 9876543, likes: 984, file_count: 4, total_size_bytes: 16278203,
      used_storage_bytes: 89451234, created_at: '2022-03-02T23:29:22.000Z', last_modified: '2024-03-04T13:54:37.000Z',
      trending_score: 12,
    });
    expect(r.files[0]).toEqual({ path: '.gitattributes', size: null, lfs: null });
    expect(r.additional).toMatchObject({ private: false, gated: false, disabled: false });
    expect(r.additional.card_data).toEqual(load<{ cardData: unknown }>('rajpurkar_squad.listing.json').cardData);
    expect(r.errors).toEqual([]);
    expect(r.collected_at).toBe(CTX.collectedAt);
  });

  it('sgoel9/paul_graham_essays detail item with blobs: sizes, lfs flags, sum', () => {
    const r = build('sgoel9_paul_graham_essays.detail.json');
    expect(r.files).toEqual([
      { path: '.gitattributes', size: 2307, lfs: false },
      { path: 'README.md', size: 1713, lfs: false },
      { path: 'pual_graham_essays.csv', size: 3036447, lfs: true },
    ]);
    expect(r.statistics.total_size_bytes).toBe(2307 + 1713 + 3036447);
    expect(r.statistics.used_storage_bytes).toBe(10400961);
    expect(r.statistics.downloads_all_time).toBeNull();
    expect(r.statistics.trending_score).toBeNull();
    expect(r.links.doi).toEqual(['10.57967/hf/2212']);
    expect(r.info.task_categories).toEqual(['question-answering', 'summarization']); // card wins over tags
    expect(r.info.license).toEqual(['mit']);
    expect(r.info.pretty_name).toBe('Paul Graham Essay Collection');
    expect(r.links.paperswithcode_id).toBeNull();
  });

  it('allenai/c4: card lists, GitHub and arXiv variants deduped, mainSize as total', () => {
    const r = build('allenai_c4.listing.json');
    expect(r.info.license).toEqual(['odc-by']);
    expect(r.info.languages).toEqual(['af', 'am', 'en']);
    expect(r.info.size_categories).toEqual(['n<1K', '1K<n<10K', '100M<n<1B']);
    expect(r.info.libraries).toEqual(['datasets', 'dask', 'mlcroissant']);
    expect(r.links.github).toEqual(['https://github.com/allenai/allennlp']);
    expect(r.links.papers.map((p) => p.arxiv_id)).toEqual(['1910.10683']);
    expect(r.links.paperswithcode_id).toBe('c4');
    expect(r.statistics.total_size_bytes).toBe(13868130245000);
    expect(r.statistics.file_count).toBe(5);
  });

  it('hendrycks/competition_math: disabled, GitHub in citation BibTeX, pdf arXiv URL', () => {
    const r = build('hendrycks_competition_math.disabled.json');
    expect(r.additional.disabled).toBe(true);
    expect(r.statistics.downloads).toBe(0);
    expect(r.links.github).toEqual(['https://github.com/hendrycks/math']);
    expect(r.links.papers.map((p) => p.arxiv_id)).toEqual(['2103.03874']);
    expect(r.info.task_ids).toEqual([]); // card key present but empty → tags → none
    expect(r.info.license).toEqual(['mit']);
    expect(r.files).toEqual([]);
    expect(r.links.download_links).toEqual([]);
    expect(r.statistics.file_count).toBe(0);
    expect(r.statistics.total_size_bytes).toBeNull();
  });

  it('legacy id "squad": no author, name = id, tags only, wrong-typed fields → null', () => {
    const r = build('squad_legacy.json');
    expect(r.id).toBe('squad');
    expect(r.name).toBe('squad');
    expect(r.author).toBeNull();
    expect(r.links.dataset_url).toBe('http://hub.test/datasets/squad');
    expect(r.info.license).toEqual(['cc-by-sa-4.0']);
    expect(r.info.languages).toEqual(['en']);
    expect(r.info.tags).toEqual(['task_categories:question-answering', 'language:en', 'license:cc-by-sa-4.0',
      'license:cc-by-sa-4.0', 'arxiv:1606.05250', 'arxiv:1606.05250v3', 'region:us']);
    expect(r.links.papers.map((p) => p.arxiv_id)).toEqual(['1606.05250']);
    expect(r.statistics.downloads).toBeNull();
    expect(r.statistics.likes).toBeNull();
    expect(r.files).toEqual([{ path: 'README.md', size: null, lfs: null }]);
    expect(r.additional.card_data).toEqual({});
    expect(r.info.pretty_name).toBeNull();
  });

  it('gated manual, private, license "other" with license_name, language as a string, homepage', () => {
    const r = build('gated_other_license.json');
    expect(r.additional.private).toBe(true);
    expect(r.additional.gated).toBe('manual');
    expect(r.info.license).toEqual(['other']);
    expect(r.additional.card_data.license_name).toBe('llama3.1');
    expect(r.info.languages).toEqual(['en']);
    expect(r.links.homepage).toBe('https://llama.meta.com');
    expect(r.links.github).toEqual(['https://github.com/meta-llama/llama-models']);
    expect(r.statistics.trending_score).toBe(0.5);
    expect(r.statistics.total_size_bytes).toBe(1048576);
  });

  it('gated auto, DOIs deduped, file paths with spaces / # / ? / unicode are segment-encoded', () => {
    const r = build('gated_auto_blobs.json');
    expect(r.additional.gated).toBe('auto');
    expect(r.links.dataset_url).toBe('http://hub.test/datasets/some-org/weird%20files');
    expect(r.links.doi).toEqual(['10.57967/hf/0001', '10.1000/xyz']);
    expect(r.info.license).toEqual(['apache-2.0']);
    const base = 'http://hub.test/datasets/some-org/weird%20files/resolve/main/';
    expect(r.links.download_links).toEqual([
      base + '.gitattributes',
      base + 'data/my%20file%20(1).csv',
      base + 'data/%23hash%3Fquery%3D1%26x%3D%252F.txt',
      base + 'donn%C3%A9es/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.jsonl',
      base + 'a%2Bb/c%3Bd%3De%2Cf%40g.bin',
    ]);
    for (const link of r.links.download_links) expect(new URL(link).pathname).toBe(link.slice('http://hub.test'.length));
    expect(r.files[3]).toEqual({ path: 'données/日本語/ファイル.jsonl', size: 30, lfs: true });
    expect(r.files[4]).toEqual({ path: 'a+b/c;d=e,f@g.bin', size: 40, lfs: false });
    expect(r.statistics.total_size_bytes).toBe(2460 + 10 + 20 + 30 + 40); // sum beats mainSize
  });

  it('every fixture: documented key order, JSON round trip, recordFromUnknown round trip', () => {
    for (const name of ALL) {
      const r = build(name);
      expectRecordShape(r);
      const back = JSON.parse(JSON.stringify(r)) as unknown;
      expect(back).toEqual(r);
      expect(recordFromUnknown(back, CTX)).toEqual(r);
    }
  });

  it('uses the endpoint given, trailing slash or not', () => {
    const r = buildRecord({ id: 'o/n', siblings: [{ rfilename: 'f' }] }, { endpoint: 'https://mirror.example/', collectedAt: 't' });
    expect(r.links.dataset_url).toBe('https://mirror.example/datasets/o/n');
    expect(r.links.download_links).toEqual(['https://mirror.example/datasets/o/n/resolve/main/f']);
  });
});

describe('buildRecord: hostile and odd input', () => {
  it('never reads or pollutes through __proto__ / constructor / prototype card keys', () => {
    const raw = load('hostile_card.json');
    const card = raw.cardData as Record<string, unknown>;
    expect(Object.hasOwn(card, '__proto__')).toBe(true);
    const r = buildRecord(raw, CTX);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).pretty_name).toBeUndefined();
    expect(r.info.pretty_name).toBeNull(); // own pretty_name is not a string; the __proto__ one is never read
    expect(r.links.homepage).toBeNull();
    expect(r.author).toBe('evil');
    expect(r.additional).toMatchObject({ private: false, gated: false, disabled: false });
    expect(r.links.paperswithcode_id).toBeNull();
    expect(r.info.license).toEqual(['mit']); // card [] → tags
    expect(r.info.languages).toEqual([]); // card junk → tags ("language:" is empty)
    expect(r.info.task_categories).toEqual([]);
    expect(r.links.doi).toEqual([]);
    expect(r.links.github).toEqual([
      'https://github.com/Deep/Nested-Repo_1.0', 'https://github.com/a/b', 'https://github.com/c/d',
      'https://github.com/e/f', 'https://github.com/g/h',
    ]);
    expect(r.links.papers.map((p) => p.arxiv_id)).toEqual(['2301.00001', 'hep-th/9901001']);
    const round = JSON.parse(JSON.stringify(r)) as DatasetRecord;
    expect(Object.hasOwn(round.additional.card_data, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads pretty_name / homepage / paperswithcode_id from own keys only', () => {
    const card = Object.create({ pretty_name: 'inherited', homepage: 'https://inherited', paperswithcode_id: 'inh' }) as object;
    const r = buildRecord({ id: 'a/b', cardData: card }, CTX);
    expect(r.info.pretty_name).toBeNull();
    expect(r.links.homepage).toBeNull();
    expect(r.links.paperswithcode_id).toBeNull();
  });

  it('falls back to tags when cardData is missing, not an object, or has invalid values', () => {
    const tags = ['license:mit', 'language:fr', 'task_categories:x', 'task_ids:y', 'size_categories:n<1K'];
    for (const cardData of [undefined, null, 'text', ['list'], 42, { license: null, language: {}, task_ids: [7] }]) {
      const r = buildRecord({ id: 'a/b', tags, cardData }, CTX);
      expect(r.info).toMatchObject({ license: ['mit'], languages: ['fr'], task_categories: ['x'], task_ids: ['y'], size_categories: ['n<1K'] });
    }
    expect(buildRecord({ id: 'a/b', cardData: ['x'] }, CTX).additional.card_data).toEqual({});
  });

  it('card values: string or list, de-duplicated, non-strings ignored, first-seen order', () => {
    const r = buildRecord({ id: 'a/b', tags: ['license:zzz'], cardData: { license: ['b', 'a', 'b', 3, 'a'], language: 'de' } }, CTX);
    expect(r.info.license).toEqual(['b', 'a']);
    expect(r.info.languages).toEqual(['de']);
  });

  it('gated: true → "auto", unknown strings → false', () => {
    expect(buildRecord({ id: 'a/b', gated: true }, CTX).additional.gated).toBe('auto');
    expect(buildRecord({ id: 'a/b', gated: 'MANUAL' }, CTX).additional.gated).toBe(false);
    expect(buildRecord({ id: 'a/b', gated: null }, CTX).additional.gated).toBe(false);
  });

  it('a 1 MB description with control characters survives a JSON round trip unchanged', () => {
    const description = 'Dataset Card\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u001f\u007f\u0085\u2028\u2029"\\ \ud800 😀 '
      + 'x'.repeat(1 << 20) + ' https://github.com/big/desc';
    const raw = { id: 'a/b', description, citation: 'cite\u0000\r\n' };
    const r = buildRecord(raw, CTX); // its time: bench/speed-checks.ts
    const back = JSON.parse(JSON.stringify(r)) as DatasetRecord;
    expect(back.info.description).toBe(description);
    expect(back.info.citation).toBe('cite\u0000\r\n');
    expect(back.links.github).toEqual(['https://github.com/big/desc']);
  });

  it('throws InvalidItemError (code ETL_INVALID_ITEM) without a non-empty string id', () => {
    for (const raw of [{}, { id: '' }, { id: 5 }, { id: null }, null, 'x', []]) {
      let caught: unknown;
      try {
        buildRecord(raw as RawDataset, CTX);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InvalidItemError);
      expect(caught).toBeInstanceOf(Error);
      expect((caught as InvalidItemError).code).toBe('ETL_INVALID_ITEM');
    }
  });

  it('author: raw string wins; otherwise the id prefix', () => {
    expect(buildRecord({ id: 'org/x', author: 'someone' }, CTX).author).toBe('someone');
    expect(buildRecord({ id: 'org/x', author: '' }, CTX).author).toBe('org');
    expect(buildRecord({ id: 'org/sub/x' }, CTX).name).toBe('sub/x');
  });

  it('sizes: lfs.size when size is absent, and mainSize when a size is unknown', () => {
    const r = buildRecord({
      id: 'a/b', mainSize: 77,
      siblings: [{ rfilename: 'x', lfs: { size: 5 } }, { rfilename: 'y', size: -1, blobId: 'q' }, { rfilename: 'z', size: 'big' }],
    }, CTX);
    expect(r.files).toEqual([{ path: 'x', size: 5, lfs: true }, { path: 'y', size: null, lfs: false }, { path: 'z', size: null, lfs: false }]);
    expect(r.statistics.total_size_bytes).toBe(77);
  });
});

describe('filesFromTree / withFiles', () => {
  const tree = load<RawTreeEntry[]>('tree_page.json');

  it('keeps files only, with sizes and lfs flags', () => {
    expect(filesFromTree(tree)).toEqual([
      { path: 'data/train-00000-of-00032.parquet', size: 236568045, lfs: true },
      { path: 'README.md', size: 1713, lfs: false },
      { path: 'data/sub dir/no size.txt', size: null, lfs: false },
    ]);
  });

  it('replaces files, links, count; sums only when every size is known', () => {
    const base = build('rajpurkar_squad.listing.json');
    const before = JSON.stringify(base);
    const partial = withFiles(base, filesFromTree(tree), E);
    expect(JSON.stringify(base)).toBe(before); // input untouched
    expect(partial.statistics.file_count).toBe(3);
    expect(partial.statistics.total_size_bytes).toBe(16278203); // a size unknown → keep mainSize
    expect(partial.links.download_links[2]).toBe('http://hub.test/datasets/rajpurkar/squad/resolve/main/data/sub%20dir/no%20size.txt');
    expectRecordShape(partial);
    const full = withFiles(base, filesFromTree(tree.slice(0, 3)), E);
    expect(full.statistics.total_size_bytes).toBe(236568045 + 1713);
    expect(withFiles(base, [], E).statistics).toMatchObject({ file_count: 0, total_size_bytes: 16278203 });
  });
});

describe('emptyRecord', () => {
  it('has the full shape with nulls and empties', () => {
    const r = emptyRecord('squad', CTX);
    expectRecordShape(r);
    expect(r).toMatchObject({ id: 'squad', name: 'squad', author: null, sha: null, errors: [], collected_at: CTX.collectedAt });
    expect(r.links.dataset_url).toBe('http://hub.test/datasets/squad');
    expect(r.statistics.file_count).toBe(0);
    expect(emptyRecord('o/n', CTX).author).toBe('o');
    expect(() => emptyRecord('', CTX)).toThrow(InvalidItemError);
  });
});

describe('recordFromUnknown / mergeRecords', () => {
  it('coerces a partial input line; own keys only; no pollution', () => {
    const line = JSON.parse('{"id":"a/b","__proto__":{"sha":"x","polluted":1},"sha":5,"links":{"github":["g",5],"papers":[{"arxiv_id":"1"},7]},'
      + '"info":{"description":"d","license":"mit"},"statistics":{"downloads":"9","likes":3},'
      + '"additional":{"private":true,"gated":"manual","card_data":{"__proto__":{"polluted":2}}},"errors":[{"stage":"weird","code":"C"}]}') as unknown;
    const r = recordFromUnknown(line, CTX);
    expectRecordShape(r);
    expect(r.sha).toBeNull();
    expect(r.links.github).toEqual(['g']);
    expect(r.links.papers).toEqual([]);
    expect(r.info.description).toBe('d');
    expect(r.info.license).toEqual([]);
    expect(r.statistics.downloads).toBeNull();
    expect(r.statistics.likes).toBe(3);
    expect(r.additional).toMatchObject({ private: true, gated: 'manual', disabled: false });
    expect(r.errors).toEqual([{ stage: 'detail', status: null, code: 'C', message: '' }]);
    expect(r.links.dataset_url).toBe('http://hub.test/datasets/a/b');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(recordFromUnknown({ id: 'x/y' }).links.dataset_url).toBe('https://huggingface.co/datasets/x/y');
    expect(() => recordFromUnknown({ name: 'no id' })).toThrow(InvalidItemError);
    expect(() => recordFromUnknown('x/y')).toThrow(InvalidItemError);
  });

  const baseLine = {
    id: 'rajpurkar/squad',
    links: { homepage: 'https://mine.example', github: ['https://github.com/mine/repo'] },
    info: { description: 'mine', license: ['x'], pretty_name: 'Mine' },
    statistics: { downloads: 5 },
    additional: { private: true, card_data: { mine: true } },
    errors: [{ stage: 'list', status: null, code: 'E_IN', message: 'input' }],
    collected_at: 'old',
  };

  it('fetched known values win; fetched null / empty never erase input values', () => {
    const base = recordFromUnknown(baseLine, CTX);
    const fetched = build('rajpurkar_squad.listing.json');
    const m = mergeRecords(base, fetched);
    expectRecordShape(m);
    expect(m.info.description).toBe(fetched.info.description);
    expect(m.info.license).toEqual(['cc-by-sa-4.0']);
    expect(m.info.pretty_name).toBe('SQuAD');
    expect(m.links.homepage).toBe('https://mine.example'); // fetched null
    expect(m.links.github).toEqual(['https://github.com/mine/repo']); // fetched []
    expect(m.statistics.downloads).toBe(254152);
    expect(m.additional.private).toBe(false); // the Hub answered
    expect(m.additional.card_data).toBe(fetched.additional.card_data);
    expect(m.files).toBe(fetched.files);
    expect(m.statistics.file_count).toBe(4);
    expect(m.errors).toEqual(base.errors);
    expect(m.collected_at).toBe(CTX.collectedAt);
  });

  it('a failed fetch (empty record + error) keeps every input value and appends the error', () => {
    const base = recordFromUnknown(baseLine, CTX);
    const err = { stage: 'detail' as const, status: 404, code: 'RepoNotFound', message: 'Repository not found' };
    const failed = { ...emptyRecord('rajpurkar/squad', { endpoint: E, collectedAt: 'new' }), errors: [err] };
    const m = mergeRecords(base, failed);
    expect(m.info).toEqual(base.info);
    expect(m.links.homepage).toBe('https://mine.example');
    expect(m.statistics.downloads).toBe(5);
    expect(m.additional.private).toBe(true);
    expect(m.additional.card_data).toEqual({ mine: true });
    expect(m.errors).toEqual([...base.errors, err]);
    expect(m.collected_at).toBe('new');
  });
});
