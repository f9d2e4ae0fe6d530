/**
 * Hostile input: the Hub's data is written by anyone. The corpus `fixtures/hostile.json`
 * holds one raw Hub item (detail shape) per hostile case; these tests run it through the real
 * parse path (JsonArraySplitter → buildRecord) and through the real CLI against the fake Hub,
 * and serve hostile bodies from small local servers.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyError, EtlError } from '../src/errors.js';
import { HubClient } from '../src/http/client.js';
import { enrichRecord } from '../src/hub/detail.js';
import { JsonArraySplitter } from '../src/hub/json-array.js';
import { listDatasets } from '../src/hub/list.js';
import { IndividualFiles } from '../src/output/individual-files.js';
import { MAX_STEM, safeFileName } from '../src/output/safe-name.js';
import { InvalidItemError, buildRecord, recordFromUnknown } from '../src/record/build.js';
import { MAX_CARD_DEPTH } from '../src/record/util.js';
import type { DatasetRecord, RawDataset } from '../src/types.js';
import { ROOT, ndjsonLines, outputFiles, readJson, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { expectRecordShape } from './helpers/record-shape.js';

const FIXTURE = join(ROOT, 'fixtures', 'hostile.json');
const FIXTURE_TEXT = readFileSync(FIXTURE, 'utf8');
/** The corpus as JSON.parse gives it (a `__proto__` key is an own property, as in a real body). */
const loadCorpus = (): RawDataset[] => JSON.parse(FIXTURE_TEXT) as RawDataset[];
const CORPUS = loadCorpus();
const E = 'http://hub.test';
const CTX = { endpoint: E, collectedAt: '2025-01-01T00:00:00.000Z' };

const item = (id: string): RawDataset => {
  const found = CORPUS.find((x) => x.id === id);
  if (!found) throw new Error(`no corpus item ${JSON.stringify(id)}`);
  return found;
};
const card = (id: string): Record<string, unknown> => item(id).cardData as Record<string, unknown>;

/** Ids the run must write: every usable (non-empty string) id, once (the corpus lists `dup/twice` twice). */
const EXPECTED_IDS = [...new Set(CORPUS.map((x) => x.id).filter((id): id is string => typeof id === 'string' && id !== ''))];
const UNUSABLE = CORPUS.filter((x) => typeof x.id !== 'string' || x.id === '');
/** Ids that cannot be requested as a URL path (a dot or empty segment, a lone surrogate). */
const UNREQUESTABLE = ['x/../../escape', 'evil/../../escape', 'x/..', 'x/.', '..', '.', '/leading-slash', 'trailing-slash/', 'a//b', 'surrogate/lone\ud800id'];
/** Strings that must never show up outside the polluting card (they would only come from a polluted prototype). */
const POLLUTION_MARKS = ['POLLUTED', 'polluted.txt', 'polluted.example', '"polluted"'];


/** Own property names of Object.prototype (and friends), to prove nothing was added. */
function prototypeSnapshot(): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort()));
}

function expectNoPollution(): void {
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'pretty_name', 'homepage', 'description', 'tags', 'siblings', 'cardData', 'sha', 'downloads']) {
    expect(probe[key], key).toBeUndefined();
  }
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(Object.prototype.constructor).toBe(Object);
}

/** Parses the corpus bytes as the listing does: the streaming splitter, in network-sized chunks. */
function splitCorpus(chunkSize: number): unknown[] {
  const body = Buffer.from(FIXTURE_TEXT, 'utf8');
  const s = new JsonArraySplitter('http://hub.test/api/datasets');
  const out: unknown[] = [];
  for (let i = 0; i < body.length; i += chunkSize) out.push(...s.push(body.subarray(i, i + chunkSize)));
  s.end();
  return out;
}

/** The records of the corpus through the real parse path (the first item of a duplicated id wins, as in a run). */
function buildCorpus(): Map<string, DatasetRecord> {
  const records = new Map<string, DatasetRecord>();
  for (const raw of splitCorpus(65_536)) {
    try {
      const r = buildRecord(raw as RawDataset, CTX);
      if (!records.has(r.id)) records.set(r.id, r);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidItemError);
    }
  }
  return records;
}

/** Relative paths of every file and folder under `dir` (no stat: a temporary file may be renamed meanwhile). */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      out.push(relative(dir, p));
      if (entry.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Whether the filesystem under `dir` ignores case (macOS, Windows defaults): ids differing only in case then share a file. */
function caseInsensitiveFs(dir: string): boolean {
  const probe = join(dir, 'CaseProbe');
  writeFileSync(probe, '');
  const result = existsSync(join(dir, 'caseprobe'));
  rmSync(probe);
  return result;
}

/** A tiny HTTP server on 127.0.0.1 answering with `handler` (the n-th request, 1-based). */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res, paths.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (res: ServerResponse, body: string, status = 200): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
};

// ---------------------------------------------------------------------------------------------

describe('the hostile corpus (fixtures/hostile.json)', () => {
  it('is an array of raw Hub items, one per hostile case', () => {
    expect(Array.isArray(CORPUS)).toBe(true);
    for (const x of CORPUS) {
      expect(typeof x === 'object' && x !== null && !Array.isArray(x)).toBe(true);
      expect(x._id).toMatch(/^[0-9a-f]{24}$/);
    }
    const ids = CORPUS.map((x) => x.id);
    for (const id of ['x/../../escape', 'x/..', 'x/.hidden', '..', '.', 'CON', 'nul', 'pct/a%2Fb', 'back\\slash/..\\..\\evil',
      'ctl/nul\u0000byte', 'CaseTest/MixedCase', 'casetest/mixedcase', 'proto/polluter', 'surrogate/lone\ud800id',
      'xss/<img src=x onerror=alert(1)>', 'evil/../../escape']) {
      expect(ids, JSON.stringify(id)).toContain(id);
    }
    expect(ids.some((id) => typeof id === 'string' && id.length > 300)).toBe(true);
    expect(UNUSABLE.length).toBe(7);
    expect(Object.hasOwn(card('proto/polluter'), '__proto__')).toBe(true);
    expect((item('big/description-1mb').description as string).length).toBeGreaterThanOrEqual(1 << 20);
    expect((item('shape/huge-siblings').siblings as unknown[]).length).toBe(10_000);
  });
});

describe('hostile items through the real parse path (JsonArraySplitter + buildRecord)', () => {
  const before = prototypeSnapshot();
  let records = new Map<string, DatasetRecord>();
  beforeAll(() => {
    records = buildCorpus();
  });
  const rec = (id: string): DatasetRecord => {
    const r = records.get(id);
    if (!r) throw new Error(`no record ${JSON.stringify(id)}`);
    return r;
  };

  it('the splitter gives the same items as JSON.parse, whatever the chunk size', () => {
    const want = JSON.stringify(CORPUS);
    for (const size of [1 << 20, 4096, 1021]) expect(JSON.stringify(splitCorpus(size))).toBe(want);
  });

  it('builds one full-shape record per usable id; unusable ids are InvalidItemError', () => {
    expect([...records.keys()].sort()).toEqual([...EXPECTED_IDS].sort());
    for (const r of records.values()) expectRecordShape(r);
    for (const raw of UNUSABLE) expect(() => buildRecord(raw, CTX)).toThrow(InvalidItemError);
  });

  it('cardData with __proto__ / constructor / prototype keys pollutes nothing and is kept as data', () => {
    expect(prototypeSnapshot()).toBe(before);
    expectNoPollution();
    const r = rec('proto/polluter');
    const c = r.additional.card_data;
    expect(Object.getOwnPropertyNames(c)).toEqual(Object.getOwnPropertyNames(card('proto/polluter')));
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(JSON.stringify(c)).toBe(JSON.stringify(card('proto/polluter')));
    // only the card's own keys are read
    expect(r.info.pretty_name).toBe('A card with __proto__ keys');
    expect(r.links.homepage).toBeNull();
    expect(r.info.license).toEqual(['mit']);
    // the item listed after it has nothing it did not carry
    const after = rec('proto/after-polluter');
    expect(after.info.description).toBeNull();
    expect(after.info.citation).toBeNull();
    expect(after.sha).toBeNull();
    expect(after.info.tags).toEqual([]);
    expect(after.files).toEqual([]);
    expect(after.additional.card_data).toEqual({});
    expect(Object.keys(after.additional.card_data)).toEqual([]);
    for (const [id, r2] of records) {
      if (id === 'proto/polluter') continue;
      const text = JSON.stringify(r2);
      for (const mark of POLLUTION_MARKS) expect(text.includes(mark), `${id} holds ${mark}`).toBe(false);
    }
  });

  it('the enrich input path (recordFromUnknown) is not polluted by __proto__ keys either', () => {
    const line = '{"id":"a/b","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},'
      + '"info":{"__proto__":{"description":"POLLUTED"}},"additional":{"card_data":{"__proto__":{"polluted":true},"k":1}}}';
    const r = recordFromUnknown(JSON.parse(line));
    expectRecordShape(r);
    expect(r.info.description).toBeNull();
    expect(Object.hasOwn(r.additional.card_data, '__proto__')).toBe(true);
    expect(prototypeSnapshot()).toBe(before);
    expectNoPollution();
  });

  it('a 1 MB description and control characters, lone surrogates and emoji survive a JSON round trip unchanged', () => {
    for (const id of ['big/description-1mb', 'weird/characters']) {
      const raw = item(id);
      const back = JSON.parse(JSON.stringify(rec(id))) as DatasetRecord;
      expect(back.info.description === raw.description, id).toBe(true);
      expect(back.info.citation).toBe(raw.citation ?? null);
      expect(JSON.stringify(back.additional.card_data)).toBe(JSON.stringify(raw.cardData));
      expect(back.info.tags).toEqual(raw.tags);
      expect(back.files.map((f) => f.path)).toEqual((raw.siblings as Array<{ rfilename: string }>).map((s) => s.rfilename));
    }
    const w = rec('weird/characters');
    expect(w.info.description).toContain('\ud800|\udbff|\udc00|\udfff|\udc00\ud800');
    expect(w.info.description).toContain('\u0000\u0001');
    expect(w.info.pretty_name).toBe(card('weird/characters').pretty_name);
    // a lone surrogate cannot be percent-encoded: its link holds U+FFFD instead (and building does not throw)
    expect(w.links.download_links[2]).toBe(`${E}/datasets/weird/characters/resolve/main/lone%EF%BF%BD.csv`);
    const s = rec('surrogate/lone\ud800id');
    expect(s.id).toBe('surrogate/lone\ud800id');
    expect(s.links.dataset_url).toBe(`${E}/datasets/surrogate/lone%EF%BF%BDid`);
    expect(JSON.parse(JSON.stringify(s)).id).toBe('surrogate/lone\ud800id');
  });

  it('hostile ids keep their exact id, name and author; links encode every segment', () => {
    expect(rec('x/../../escape')).toMatchObject({ name: '../../escape', author: 'x' });
    expect(rec('..')).toMatchObject({ name: '..', author: null });
    expect(rec('/leading-slash')).toMatchObject({ name: 'leading-slash', author: null });
    expect(rec('ctl/nul\u0000byte').links.dataset_url).toBe(`${E}/datasets/ctl/nul%00byte`);
    expect(rec('pct/a%2Fb').links.api_url).toBe(`${E}/api/datasets/pct/a%252Fb`);
    expect(rec('back\\slash/..\\..\\evil').links.dataset_url).toBe(`${E}/datasets/back%5Cslash/..%5C..%5Cevil`);
    expect(rec('shape/author-object').author).toBe('shape');
    expect(rec('shape/author-other').author).toBe('someone-else');
  });

  it('tags that are not an array, or hold non-strings, are ignored item by item', () => {
    for (const id of ['shape/tags-string', 'shape/tags-object']) {
      const r = rec(id);
      expect(r.info.tags).toEqual([]);
      expect(r.info.license).toEqual(['mit']); // from the card
    }
    const m = rec('shape/tags-mixed');
    expect(m.info.tags).toEqual(['license:mit', 'language:de', 'license:', ':', 'arxiv:', '']);
    expect(m.info.license).toEqual(['mit']);
    expect(m.info.languages).toEqual(['en']); // the card wins
    expect(m.links.papers).toEqual([]);
  });

  it('siblings with non-string rfilename, or not a list, are skipped', () => {
    expect(rec('shape/siblings-bad').files).toEqual([
      { path: 'ok.csv', size: null, lfs: null },
      { path: 'dir/ok 2.csv', size: null, lfs: null },
    ]);
    expect(rec('shape/siblings-bad').links.download_links).toEqual([
      `${E}/datasets/shape/siblings-bad/resolve/main/ok.csv`,
      `${E}/datasets/shape/siblings-bad/resolve/main/dir/ok%202.csv`,
    ]);
    for (const id of ['shape/siblings-object', 'shape/siblings-string']) {
      expect(rec(id).files).toEqual([]);
      expect(rec(id).statistics.file_count).toBe(0);
    }
  });

  it('numbers as strings (and other wrong types) become null / false, never NaN or a string', () => {
    const r = rec('shape/numbers-as-strings');
    expect(r.statistics).toMatchObject({ downloads: null, likes: null, used_storage_bytes: null, created_at: null, last_modified: null, total_size_bytes: null });
    expect(r.sha).toBeNull();
    expect(r.additional).toMatchObject({ private: false, gated: false, disabled: false });
    expect(r.files).toEqual([
      { path: 'a.csv', size: null, lfs: false },
      { path: 'b.csv', size: null, lfs: false },
      { path: 'c.bin', size: null, lfs: false },
    ]);
    // sizes that would sum past Number.MAX_VALUE: no Infinity in the record
    const o = rec('shape/sizes-overflow');
    expect(o.files.map((f) => f.size)).toEqual([1e308, 1e308]);
    expect(o.statistics.total_size_bytes).toBeNull();
  });

  it('nested arrays in cardData: only top-level strings count, the card is kept as is', () => {
    const r = rec('shape/nested-arrays');
    expect(r.info.license).toEqual(['apache-2.0']);
    expect(r.info.languages).toEqual(['fr']);
    expect(r.info.task_categories).toEqual(['text-classification']); // card list has no string → tags
    expect(r.info.pretty_name).toBeNull();
    expect(r.links.homepage).toBeNull();
    expect(r.links.github).toEqual(['https://github.com/nested-org/nested-repo']);
    expect(r.links.papers.map((p) => p.arxiv_id)).toEqual(['2102.00002']);
    expect(JSON.stringify(r.additional.card_data)).toBe(JSON.stringify(card('shape/nested-arrays')));
    for (const id of ['shape/card-string', 'shape/card-array', 'shape/card-null']) {
      expect(rec(id).additional.card_data).toEqual({});
      expect(rec(id).info.license).toEqual(['mit']); // from the tags
    }
  });

  it(`a card nested deeper than ${MAX_CARD_DEPTH} levels is cut there (null), so the record can always be written`, () => {
    const r = rec('shape/deep-card');
    expect(r.additional.card_data).not.toBe(card('shape/deep-card'));
    let node: unknown = r.additional.card_data;
    for (let depth = 0; depth < MAX_CARD_DEPTH; depth++) {
      expect(typeof node === 'object' && node !== null, `depth ${depth}`).toBe(true);
      node = Array.isArray(node) ? node[0] : (node as Record<string, unknown>)[depth === 0 ? 'deep' : 'nest'];
    }
    expect(node).toBeNull();
    expect((r.additional.card_data as { license: string }).license).toBe('mit');
    // a card far deeper than JSON.stringify can recurse: parsed fine by the splitter, written fine after the cut
    const depth = 200_000;
    const body = Buffer.from('[{"id":"deep/x","cardData":{"__proto__":1,"d":' + '['.repeat(depth) + ']'.repeat(depth) + '}}]');
    const [raw] = new JsonArraySplitter().push(body) as RawDataset[];
    expect(() => JSON.stringify(raw)).toThrow(RangeError);
    const deep = buildRecord(raw!, CTX);
    const text = JSON.stringify(deep);
    expect(text).toContain(`"card_data":{"__proto__":1,"d":${'['.repeat(MAX_CARD_DEPTH - 1)}null${']'.repeat(MAX_CARD_DEPTH - 1)}}`);
    expect(Object.hasOwn(deep.additional.card_data, '__proto__')).toBe(true);
    expect(prototypeSnapshot()).toBe(before);
  });

  // no clock here: a quadratic de-duplication of these lists would take minutes and fail on the test's timeout
  it('huge lists are kept whole and de-duplicated: 10,000 files, 100,000 distinct tags / card values / links', () => {
    const h = rec('shape/huge-siblings');
    expect(h.files).toHaveLength(10_000);
    expect(h.links.download_links).toHaveLength(10_000);
    expect(h.statistics.file_count).toBe(10_000);
    const tags = Array.from({ length: 100_000 }, (_, i) => `license:l${i}`);
    const license = Array.from({ length: 100_000 }, (_, i) => `c${i % 50_000}`);
    let description = '';
    for (let i = 0; i < 40_000; i++) description += `https://github.com/o${i}/r https://arxiv.org/abs/2101.${String(i).padStart(5, '0')} `;
    const r = buildRecord({ id: 'big/lists', tags, cardData: { license, language: tags }, description }, CTX);
    expect(r.info.license).toHaveLength(50_000);
    expect(r.info.languages).toHaveLength(100_000);
    expect(r.links.github).toHaveLength(40_000);
    expect(r.links.papers).toHaveLength(40_000);
  });

  it('every usable id gets a safe, distinct file name inside individual_datasets/', () => {
    const names = EXPECTED_IDS.map(safeFileName);
    expect(new Set(names).size).toBe(EXPECTED_IDS.length);
    const dir = join(sep, 'out', 'individual_datasets');
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9._-]+\.json$/);
      expect(name.length).toBeLessThanOrEqual(MAX_STEM + 5);
      expect(name.startsWith('.')).toBe(false);
      expect(join(dir, name).startsWith(dir + sep)).toBe(true);
      // Windows device names are not used, whatever the case
      expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
    // ids that differ only in case differ (only) in case; Unicode normal forms differ
    expect(safeFileName('CaseTest/MixedCase')).not.toBe(safeFileName('casetest/mixedcase'));
    expect(safeFileName('norm/caf\u00e9')).not.toBe(safeFileName('norm/cafe\u0301'));
    expect(safeFileName('CON')).toMatch(/^_CON-[0-9a-f]{8}\.json$/);
    expect(safeFileName('nul')).toMatch(/^_nul-[0-9a-f]{8}\.json$/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the real CLI over the whole hostile corpus (fake Hub)', () => {
  let hub: FakeHub;
  /** root/parent/out is --out; root/cwd is the working directory; nothing else may appear under root */
  let root: string;
  const HUGE = 64 * 1024 * 1024 + 1;
  const runs: Record<'plain' | 'sizes' | 'ndjson', { res: CliResult; out: string | null; before: string[]; after: string[] }> = {} as never;
  const tmpBefore = new Set(readdirSync(tmpdir()));
  let foldsCase = false;

  beforeAll(async () => {
    hub = await startFakeHub({ datasets: loadCorpus(), hugeBodyBytes: HUGE });
    const probeDir = tempDir('hfds-case-');
    foldsCase = caseInsensitiveFs(probeDir);
    rmSync(probeDir, { recursive: true });
    root = tempDir('hfds-hostile-');
    mkdirSync(join(root, 'parent'));
    mkdirSync(join(root, 'cwd'));
    const run = async (name: keyof typeof runs, args: string[], withOut: boolean): Promise<void> => {
      const out = withOut ? join(root, 'parent', `out-${name}`) : null;
      const before = tree(root);
      const res = await runCli(['collect', '--all', '--endpoint', hub.url, '--max-retries', '1', ...args, ...(out ? ['--out', out] : [])], { cwd: join(root, 'cwd'), timeoutMs: 60_000 });
      runs[name] = { res, out, before, after: tree(root) };
    };
    await Promise.all([
      run('plain', [], true),
      run('sizes', ['--file-sizes'], true),
      run('ndjson', ['--ndjson'], false),
    ]);
  }, 60_000);

  afterAll(async () => {
    await hub?.close();
  });

  /** The aggregate file's records of a run, after checking the run's files. */
  function aggregate(name: 'plain' | 'sizes'): { datasets: DatasetRecord[]; summary: Record<string, unknown> } {
    const { out } = runs[name];
    const files = outputFiles(out!);
    expect(files.aggregate).toHaveLength(1);
    expect(files.links).toHaveLength(1);
    return readJson(files.aggregate[0]!);
  }

  it.each(['plain', 'sizes', 'ndjson'] as const)('%s run: exit 0, no stack trace, one warning per unusable id', (name) => {
    const { res } = runs[name];
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const skipped = res.stderr.split('\n').filter((l) => /without a usable id/.test(l));
    expect(skipped).toHaveLength(UNUSABLE.length);
  });

  it.each(['plain', 'sizes', 'ndjson'] as const)('%s run: writes nothing outside --out (whole temp tree, cwd and parent included)', (name) => {
    const { before, after, out } = runs[name];
    const added = after.filter((p) => !before.includes(p));
    const mine = out === null ? null : relative(root, out);
    for (const p of added) {
      // the three runs share root: a path may only belong to some run's --out
      expect(p.startsWith(join('parent', 'out-')), p).toBe(true);
      if (mine !== null && p.startsWith(mine + sep)) expect(p.split(sep).length).toBeLessThanOrEqual(4);
    }
    expect(readdirSync(join(root, 'cwd'))).toEqual([]);
    if (out !== null) {
      const top = readdirSync(out).sort();
      for (const n of top) expect(n, n).toMatch(/^(all_datasets_metadata_\d{8}_\d{6}(_\d+)?\.json|dataset_links_summary_\d{8}_\d{6}(_\d+)?\.json|individual_datasets|\.hf-datasets-[a-z]+(\.json)?)$/);
    }
    // nothing escaped into the system temp folder either
    const leaked = readdirSync(tmpdir()).filter((n) => !tmpBefore.has(n) && /escape|evil|hidden|System32|mixedcase|polluter|gnp\.exe/i.test(n));
    expect(leaked).toEqual([]);
  });

  it.each(['plain', 'sizes'] as const)('%s run: every usable id exactly once, in the aggregate, links and individual files, all parseable', (name) => {
    const { datasets, summary } = aggregate(name);
    expect(datasets.map((r) => r.id).sort()).toEqual([...EXPECTED_IDS].sort());
    expect(summary.complete).toBe(true);
    expect(summary.total_datasets).toBe(EXPECTED_IDS.length);
    for (const r of datasets) expectRecordShape(r);
    const out = runs[name].out!;
    const links = readJson<{ datasets: Array<{ id: string }> }>(outputFiles(out).links[0]!);
    expect(links.datasets.map((l) => l.id).sort()).toEqual([...EXPECTED_IDS].sort());
    const names = readdirSync(join(out, 'individual_datasets')).sort();
    const wanted = EXPECTED_IDS.map(safeFileName);
    // no temporary files left, no extra names. Names differ only in case for ids that do (the documented rule):
    // on a case-insensitive filesystem those ids share one file, the last written (a documented limitation)
    const fold = (list: string[]): string[] => [...new Set(list.map((n) => (foldsCase ? n.toLowerCase() : n)))].sort();
    expect(fold(names)).toEqual(fold(wanted));
    const clashing = new Set(wanted.filter((n, i) => foldsCase && wanted.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i).map((n) => n.toLowerCase()));
    for (const r of datasets) {
      if (clashing.has(safeFileName(r.id).toLowerCase())) continue;
      const text = readFileSync(join(out, 'individual_datasets', safeFileName(r.id)), 'utf8');
      expect(text.endsWith('}\n')).toBe(true);
      expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(r));
    }
  });

  it('plain run: the polluting card pollutes no later record, and survives as data', () => {
    const { datasets } = aggregate('plain');
    const ids = datasets.map((r) => r.id);
    expect(ids.indexOf('proto/polluter')).toBe(0); // listed first (most downloads): every other record comes after it
    for (const r of datasets) {
      if (r.id === 'proto/polluter') continue;
      const text = JSON.stringify(r);
      for (const mark of POLLUTION_MARKS) expect(text.includes(mark), `${r.id} holds ${mark}`).toBe(false);
    }
    const after = datasets.find((r) => r.id === 'proto/after-polluter')!;
    expect(after).toMatchObject({ sha: null, files: [], info: { description: null, citation: null, tags: [], pretty_name: null }, links: { homepage: null } });
    expect(Object.keys(after.additional.card_data)).toEqual([]);
    const p = datasets.find((r) => r.id === 'proto/polluter')!;
    expect(JSON.stringify(p.additional.card_data)).toBe(JSON.stringify(card('proto/polluter')));
    expect(p.info.pretty_name).toBe('A card with __proto__ keys');
  });

  it('plain + ndjson runs: 1 MB description, control characters, lone surrogates and emoji are unchanged in the aggregate, individual file and NDJSON', () => {
    const { datasets } = aggregate('plain');
    const lines = ndjsonLines<DatasetRecord>(runs.ndjson.res.stdout);
    const out = runs.plain.out!;
    for (const id of ['big/description-1mb', 'weird/characters', 'surrogate/lone\ud800id', 'ctl/line\nbreak\r\ttab\u001b[31mred\u007f', 'ünïcødé/数据集-😀-ﬁ']) {
      const raw = item(id);
      const fromAggregate = datasets.find((r) => r.id === id);
      const fromLine = lines.find((r) => r.id === id);
      const fromFile = readJson<DatasetRecord>(join(out, 'individual_datasets', safeFileName(id)));
      for (const [where, r] of [['aggregate', fromAggregate], ['ndjson', fromLine], ['individual', fromFile]] as const) {
        expect(r, `${where} ${JSON.stringify(id)}`).toBeDefined();
        expect(r!.id === id, where).toBe(true);
        expect(r!.info.description === raw.description, `${where} description of ${JSON.stringify(id)}`).toBe(true);
        expect(r!.info.citation).toBe(raw.citation ?? null);
        expect(JSON.stringify(r!.additional.card_data)).toBe(JSON.stringify(raw.cardData));
        expect(r!.info.tags).toEqual(raw.tags);
        expect(r!.files.map((f) => f.path)).toEqual((raw.siblings as Array<{ rfilename: string }>).map((s) => s.rfilename));
      }
    }
  });

  it('ndjson run: one parseable line per usable id, equal to the file records but for collected_at', () => {
    const { res } = runs.ndjson;
    expect(res.stdout.endsWith('\n')).toBe(true);
    const raw = res.stdout.split('\n').filter((l) => l !== '');
    expect(raw).toHaveLength(EXPECTED_IDS.length); // no id with a newline broke a line
    const lines = ndjsonLines<DatasetRecord>(res.stdout);
    expect(lines.map((r) => r.id).sort()).toEqual([...EXPECTED_IDS].sort());
    const byId = new Map(aggregate('plain').datasets.map((r) => [r.id, r]));
    for (const r of lines) {
      const f = byId.get(r.id)!;
      expect(JSON.stringify({ ...r, collected_at: '' })).toBe(JSON.stringify({ ...f, collected_at: '' }));
    }
  });

  it('sizes run: hostile ids are refused before a request, failed details are errors entries, the rest fetched', () => {
    const { datasets, summary } = aggregate('sizes');
    const by = (id: string): DatasetRecord => datasets.find((r) => r.id === id)!;
    for (const id of UNREQUESTABLE) {
      expect(by(id).errors, JSON.stringify(id)).toEqual([expect.objectContaining({ stage: 'detail', status: null, code: 'ETL_UNSAFE_ID' })]);
    }
    expect(by('detail/malformed').errors).toEqual([expect.objectContaining({ stage: 'detail', status: null, code: 'ETL_BAD_BODY' })]);
    expect(by('detail/gated-403').errors).toEqual([expect.objectContaining({ stage: 'detail', status: 403, code: 'GatedRepo' })]);
    expect(by('detail/gated-403').additional.gated).toBe('manual'); // listing data kept
    expect(by('detail/gone-404').errors).toEqual([expect.objectContaining({ stage: 'detail', status: 404, code: 'RepoNotFound' })]);
    // the 64 MB cap: refused with a clear error, the run goes on
    const huge = by('huge/body');
    expect(huge.errors).toEqual([expect.objectContaining({ stage: 'detail', status: null, code: 'ETL_BODY_TOO_LARGE' })]);
    expect(huge.errors[0]!.message).toMatch(/larger than 64 MB/);
    expect(huge.info.description).toBe(item('huge/body').description);
    const failed = datasets.filter((r) => r.errors.length > 0);
    expect(failed.map((r) => r.id).sort()).toEqual([...UNREQUESTABLE, 'detail/malformed', 'detail/gated-403', 'detail/gone-404', 'huge/body'].sort());
    expect(summary.failed).toBe(failed.length);
    expect(runs.sizes.res.stderr.trim().split('\n').at(-1)).toContain(`${failed.length} failed`);
    // ids with unicode, %2F, backslashes, NUL/control characters, device names reached their own detail
    for (const id of ['ünïcødé/数据集-😀-ﬁ', 'pct/a%2Fb', 'pct/..%2F..%2Fescape', 'pct/%2e%2e', 'back\\slash/..\\..\\evil', 'ctl/nul\u0000byte',
      'ctl/line\nbreak\r\ttab\u001b[31mred\u007f', 'CON', 'nul', 'x/.hidden', 'rtl/\u202egnp.exe', 'long-name/' + 'n'.repeat(300)]) {
      const r = by(id);
      expect(r.errors, JSON.stringify(id)).toEqual([]);
      expect(r.statistics.total_size_bytes, JSON.stringify(id)).toBeGreaterThan(0);
      expect(r.files.every((f) => f.size !== null)).toBe(true);
    }
    // 10,000 files: read from the tree pages
    const h = by('shape/huge-siblings');
    expect(h.errors).toEqual([]);
    expect(h.files).toHaveLength(10_000);
    expect(h.files.every((f) => typeof f.size === 'number')).toBe(true);
    expect(hub.counters.tree).toBeGreaterThanOrEqual(10);
  });
});

// ---------------------------------------------------------------------------------------------

// independent servers and CLI runs: run them at once
describe.concurrent('hostile listing and detail bodies', () => {
  it('a listing page that is {"error": …} with status 200 is fetched again; the run completes', async () => {
    const srv = await rawServer((_req, res, n) => json(res, n === 1 ? '{"error":"Internal Error - We\'re working hard to fix this as soon as possible!"}' : '[{"id":"ok/one","tags":["license:mit"]}]'));
    try {
      const out = join(tempDir(), 'out');
      const res = await runCli(['collect', '--all', '--endpoint', srv.url, '--out', out, '--max-retries', '2'], { timeoutMs: 20_000 });
      expect(res.code, res.stderr).toBe(0);
      expect(srv.paths).toHaveLength(2);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets.map((r: DatasetRecord) => r.id)).toEqual(['ok/one']);
      expect(agg.summary.complete).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('a listing page that stays {"error": …} ends the run with one clear line, exit 1, valid files with complete false', async () => {
    const srv = await rawServer((_req, res) => json(res, '{"error":"nope"}'));
    try {
      const out = join(tempDir(), 'out');
      const res = await runCli(['collect', '--all', '--endpoint', srv.url, '--out', out, '--max-retries', '1'], { timeoutMs: 20_000 });
      expect(res.code).toBe(1);
      expect(srv.paths).toHaveLength(2);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stderr.trim().split('\n').at(-1)).toMatch(/not a JSON array/);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets).toEqual([]);
      expect(agg.summary.complete).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('non-object elements, unusable ids, odd shapes and a card 100,000 levels deep in one listing: skipped or written, never a crash', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = '[null, 1, "str", [1, [2]], {"id": null}, {"id": ""}, {"id": 7},'
      + `{"id":"deep/card","cardData":{"license":"mit","d":${deep}}},`
      + '{"__proto__":{"id":"proto/top","description":"POLLUTED"},"id":"top/proto"},'
      + '{"id":"sib/bad","siblings":[{"rfilename":1},null,"x",{"rfilename":"ok.csv"}],"tags":"license:mit"},'
      + '{"id":"after/all"}]';
    const srv = await rawServer((_req, res) => json(res, body));
    try {
      const out = join(tempDir(), 'out');
      const res = await runCli(['collect', '--all', '--endpoint', srv.url, '--out', out, '--ndjson'], { timeoutMs: 20_000 });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr.split('\n').filter((l) => /without a usable id|not an object/.test(l))).toHaveLength(7);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets.map((r: DatasetRecord) => r.id)).toEqual(['deep/card', 'top/proto', 'sib/bad', 'after/all']);
      expect(ndjsonLines(res.stdout).map((r: DatasetRecord) => r.id)).toEqual(['deep/card', 'top/proto', 'sib/bad', 'after/all']);
      const [d, t, s, a] = agg.datasets as DatasetRecord[];
      expect(JSON.stringify(d!.additional.card_data)).toBe(`{"license":"mit","d":${'['.repeat(MAX_CARD_DEPTH - 1)}null${']'.repeat(MAX_CARD_DEPTH - 1)}}`);
      expect(t!.info.description).toBeNull();
      expect(s!.files).toEqual([{ path: 'ok.csv', size: null, lfs: null }]);
      expect(s!.info.tags).toEqual([]);
      expect(a!.info.description).toBeNull();
      expect(readdirSync(join(out, 'individual_datasets')).sort()).toEqual(['after__all.json', 'deep__card.json', 'sib__bad.json', 'top__proto.json']);
    } finally {
      await srv.close();
    }
  });

  it.each(['truncate', 'malformed'] as const)('a %s listing page is fetched again (fake Hub fault)', async (fault) => {
    const datasets = ['ünïcødé/数据集-😀-ﬁ', 'CON', 'x/../../escape'].map(item);
    const hub = await startFakeHub({ datasets, faults: { atRequests: { 1: fault } } });
    try {
      const out = join(tempDir(), 'out');
      const res = await runCli(['collect', '--all', '--endpoint', hub.url, '--out', out, '--max-retries', '2'], { timeoutMs: 20_000 });
      expect(res.code, res.stderr).toBe(0);
      expect(hub.counters.faultsInjected[fault]).toBe(1);
      expect(hub.counters.list).toBe(2);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets.map((r: DatasetRecord) => r.id).sort()).toEqual(datasets.map((x) => x.id).sort());
    } finally {
      await hub.close();
    }
  });

  it('a truncated detail body becomes an errors entry (detail stage); the run goes on', async () => {
    const datasets = ['ünïcødé/数据集-😀-ﬁ', 'CON'].map(item);
    const hub = await startFakeHub({ datasets, faults: { rateTruncate: 1, onlyRoutes: ['detail'] } });
    try {
      const out = join(tempDir(), 'out');
      const res = await runCli(['collect', '--all', '--endpoint', hub.url, '--out', out, '--file-sizes', '--max-retries', '1'], { timeoutMs: 20_000 });
      expect(res.code, res.stderr).toBe(0);
      const agg = readJson(outputFiles(out).aggregate[0]!);
      expect(agg.datasets).toHaveLength(2);
      for (const r of agg.datasets as DatasetRecord[]) {
        expect(r.errors).toEqual([expect.objectContaining({ stage: 'detail', status: null, code: 'ETL_BAD_BODY' })]);
        expect(r.info.description).toBe(item(r.id).description); // listing data kept
      }
      expect(agg.summary.failed).toBe(2);
      expect(hub.counters.faultsInjected.truncate).toBe(4); // two tries each
    } finally {
      await hub.close();
    }
  });
});

describe('the body size cap (HubClient maxBodyBytes, small for speed; the CLI run above checks 64 MB)', () => {
  const CAP = 4096;
  let srv: Awaited<ReturnType<typeof rawServer>>;
  let client: HubClient;
  const big = (): string => JSON.stringify({ id: 'cap/x', description: 'x'.repeat(CAP * 2) });

  beforeAll(async () => {
    srv = await rawServer((req, res) => {
      const u = req.url ?? '';
      if (u.startsWith('/api/datasets/cap/declared')) return json(res, big()); // Content-Length over the cap
      if (u.startsWith('/api/datasets/cap/chunked')) {
        res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: counted while read
        res.write(big().slice(0, CAP));
        setTimeout(() => res.end(big().slice(CAP)), 5);
        return;
      }
      if (u.startsWith('/api/datasets/cap/fits')) return json(res, JSON.stringify({ id: 'cap/fits', sha: 'abc', siblings: [{ rfilename: 'a.csv', size: 5 }] }));
      if (u.startsWith('/api/datasets?')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const items = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `cap/item${i}`, description: 'y'.repeat(200) }));
        if (u.includes('bigitem')) items.splice(3, 0, big());
        res.end('[' + items.join(',') + ']');
        return;
      }
      json(res, '{"error":"not found"}', 404);
    });
    client = new HubClient({ endpoint: srv.url, token: null, timeoutMs: 5_000, maxRetries: 1, concurrency: 2, userAgent: 'test', maxBodyBytes: CAP, backoffBaseMs: 1, backoffCapMs: 2 });
  });

  afterAll(async () => {
    await client?.close();
    await srv?.close();
  });

  it.each(['declared', 'chunked'])('a detail body over the cap (%s) is refused at once: ETL_BODY_TOO_LARGE, no retry', async (kind) => {
    const before = srv.paths.length;
    const err = await client.getJson(client.url(`/api/datasets/cap/${kind}?blobs=true`)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BodyError);
    expect((err as BodyError).code).toBe('ETL_BODY_TOO_LARGE');
    expect((err as BodyError).message).toMatch(/larger than/);
    expect(srv.paths.length - before).toBe(1);
  });

  it('through enrichRecord it is an errors entry and the listing data is kept', async () => {
    const base = buildRecord({ id: 'cap/chunked', description: 'from the listing', siblings: [{ rfilename: 'a.csv' }] }, CTX);
    const r = await enrichRecord(base, { client, endpoint: srv.url });
    expect(r.errors).toEqual([expect.objectContaining({ stage: 'detail', status: null, code: 'ETL_BODY_TOO_LARGE' })]);
    expect(r.info.description).toBe('from the listing');
    const ok = await enrichRecord(buildRecord({ id: 'cap/fits' }, CTX), { client, endpoint: srv.url });
    expect(ok.errors).toEqual([]);
    expect(ok.statistics.total_size_bytes).toBe(5);
  });

  it('a hostile id is refused before any request (ETL_UNSAFE_ID)', async () => {
    const before = srv.paths.length;
    for (const id of UNREQUESTABLE) {
      const r = await enrichRecord(buildRecord({ id }, CTX), { client, endpoint: srv.url });
      expect(r.errors, JSON.stringify(id)).toEqual([expect.objectContaining({ code: 'ETL_UNSAFE_ID' })]);
    }
    expect(srv.paths.length).toBe(before);
  });

  it('a listing page over the cap made of small items is read whole (streamed and buffered reading)', async () => {
    for (const bufferPages of [false, true]) {
      const got: Array<{ kind: string }> = [];
      for await (const ev of listDatasets(client, { start: '/api/datasets?limit=1000', bufferPages })) got.push(ev);
      expect(got.filter((e) => e.kind === 'item'), `bufferPages ${bufferPages}`).toHaveLength(50);
      expect(got.at(-1)).toEqual({ kind: 'page', page: '/api/datasets?limit=1000', next: null });
    }
  });

  it('one listing item over the cap is refused at once, naming the page (streamed and buffered reading)', async () => {
    for (const bufferPages of [false, true]) {
      const before = srv.paths.length;
      const got: unknown[] = [];
      let error: unknown = null;
      try {
        for await (const ev of listDatasets(client, { start: '/api/datasets?limit=1000&bigitem=1', bufferPages })) got.push(ev);
      } catch (err) {
        error = err;
      }
      expect(error, `bufferPages ${bufferPages}`).toBeInstanceOf(EtlError);
      expect((error as EtlError).code).toBe('ETL_ITEM_TOO_LARGE');
      expect((error as EtlError).message).toBe(`one item of the listing page ${srv.url}/api/datasets?limit=1000&bigitem=1 is larger than ${CAP} bytes; refused`);
      expect(got.some((e) => (e as { kind: string }).kind === 'page')).toBe(false);
      expect(srv.paths.length - before).toBe(1); // not fetched again
    }
  });
});

describe('individual files: clashing names and other runs in the same folder', () => {
  it('two writes to one name at once (ids differing only in case, on a case-insensitive filesystem) leave one whole file', async () => {
    const out = tempDir();
    const files = await IndividualFiles.open(out);
    const a = JSON.stringify({ id: 'CaseTest/MixedCase', description: 'a'.repeat(300_000) });
    const b = JSON.stringify({ id: 'CaseTest/MixedCase', description: 'b' });
    for (let i = 0; i < 20; i++) {
      await files.write('CaseTest/MixedCase', i % 2 ? a : b);
      await files.write('CaseTest/MixedCase', i % 2 ? b : a);
    }
    await files.drain();
    expect(readdirSync(files.dir)).toEqual(['CaseTest__MixedCase.json']);
    const text = readFileSync(join(files.dir, 'CaseTest__MixedCase.json'), 'utf8');
    expect([a + '\n', b + '\n']).toContain(text);
  });

  it('opening the folder removes the temporary files of dead processes only', async () => {
    const out = tempDir();
    const dir = join(out, 'individual_datasets');
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const live = String(process.ppid);
    const names = [`.a__b.json.tmp-${dead}`, `.a__c.json.tmp-${dead}-7`, `.a__d.json.tmp-${live}-1`, `.a__e.json.tmp-${live}`, 'a__f.json'];
    for (const n of names) writeFileSync(join(dir, n), '{}');
    await IndividualFiles.open(out);
    expect(readdirSync(dir).sort()).toEqual([`.a__d.json.tmp-${live}-1`, `.a__e.json.tmp-${live}`, 'a__f.json'].sort());
  });
});
