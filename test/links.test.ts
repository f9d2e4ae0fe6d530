import { describe, it, expect } from 'vitest';
import {
  LinkCollector,
  apiUrl,
  datasetUrl,
  downloadLinks,
  downloadUrl,
  encodePath,
  extractArxivIds,
  extractGithubRepos,
  paperLinks,
  trimEndpoint,
} from '../src/record/links.js';

const AB = ['https://github.com/a/b'];

describe('extractGithubRepos', () => {
  it.each([
    ['https://github.com/a/b', AB],
    ['http://github.com/a/b', AB],
    ['https://www.github.com/a/b', AB],
    ['HTTPS://GitHub.COM/a/b', AB],
    ['see github.com/a/b for code', AB],
    ['https://github.com/a/b.git', AB],
    ['https://github.com/a/b.GIT', AB],
    ['clone https://github.com/a/b.git.', AB],
    ['https://github.com/a/b/', AB],
    ['https://github.com/a/b/tree/main/x/y.py', AB],
    ['https://github.com/a/b/blob/main/README.md#usage', AB],
    ['https://github.com/a/b?tab=readme-ov-file#x', AB],
    ['https://github.com/a/b#readme', AB],
    ['(https://github.com/a/b).', AB],
    ['url={https://github.com/a/b}', AB],
    ['howpublished = {\\url{https://github.com/a/b}},', AB],
    ['<https://github.com/a/b>', AB],
    ['"https://github.com/a/b";', AB],
    ["'https://github.com/a/b',", AB],
    ['[https://github.com/a/b]', AB],
    ['[code](https://github.com/a/b)', AB],
    ['https://github.com/a/b:', AB],
    ['https://github.com/a/b...', AB],
    ['https://github.com/a/b\nnext line', AB],
    ['https://github.com/a/socket.io', ['https://github.com/a/socket.io']],
    ['https://github.com/my-org/my_repo-2.0', ['https://github.com/my-org/my_repo-2.0']],
  ])('%j → owner/repo', (text, expected) => {
    expect(extractGithubRepos(text)).toEqual(expected);
  });

  it.each([
    'https://github.com/orgs/huggingface/repositories',
    'https://github.com/features/actions',
    'https://github.com/about/careers',
    'https://github.com/settings/profile',
    'https://github.com/sponsors/someone',
    'https://github.com/topics/nlp',
    'https://github.com/marketplace/actions/x',
    'https://github.com/login/oauth',
    'https://github.com/onlyowner',
    'https://github.com/onlyowner/',
    'https://gist.github.com/a/b',
    'https://api.github.com/repos/a/b',
    'https://notgithub.com/a/b',
    'git@github.com:a/b.git',
    'https://github.com/a/..',
    'https://rajpurkar.github.io/SQuAD-explorer/',
    'https://raw.githubusercontent.com/a/b/main/x',
    'github dot com slash a slash b',
    '',
  ])('%j → nothing', (text) => {
    expect(extractGithubRepos(text)).toEqual([]);
  });

  it('dedupes case-insensitively keeping the first spelling, first-seen order', () => {
    const text = 'https://github.com/Zed/Zz, then github.com/Foo/Bar and https://github.com/foo/bar.git and www.github.com/FOO/BAR/issues; github.com/zed/zz';
    expect(extractGithubRepos(text)).toEqual(['https://github.com/Zed/Zz', 'https://github.com/Foo/Bar']);
  });

  it('finds several repositories in one BibTeX citation', () => {
    const bib = '@misc{x,\n  url={https://github.com/one/two},\n  note={Mirror: \\url{http://www.github.com/three/four.git}}\n}';
    expect(extractGithubRepos(bib)).toEqual(['https://github.com/one/two', 'https://github.com/three/four']);
  });
});

describe('extractArxivIds', () => {
  it.each([
    ['https://arxiv.org/abs/2103.03874', ['2103.03874']],
    ['https://arxiv.org/abs/2103.03874v2', ['2103.03874']],
    ['https://arxiv.org/pdf/2103.03874', ['2103.03874']],
    ['https://arxiv.org/pdf/2103.03874v2.pdf', ['2103.03874']],
    ['arxiv.org/pdf/2103.03874.pdf', ['2103.03874']],
    ['http://export.arxiv.org/abs/2103.03874', ['2103.03874']],
    ['https://www.arxiv.org/abs/2103.03874v11', ['2103.03874']],
    ['HTTPS://ArXiv.org/ABS/2103.03874', ['2103.03874']],
    ['(see https://arxiv.org/abs/0704.0001).', ['0704.0001']],
    ['https://arxiv.org/abs/hep-th/9901001', ['hep-th/9901001']],
    ['https://arxiv.org/abs/hep-th/9901001v3', ['hep-th/9901001']],
    ['https://arxiv.org/abs/math.GT/0309136', ['math.GT/0309136']],
    ['https://arxiv.org/pdf/cs/0112017v1.pdf', ['cs/0112017']],
  ])('%j', (text, expected) => {
    expect(extractArxivIds(text)).toEqual(expected);
  });

  it.each([
    'arXiv preprint arXiv:2103.03874',
    'https://arxiv.org/list/cs.CL/recent',
    'https://arxiv.org/abs/2103.038745',
    'https://arxiv.org/abs/21033.03874',
    'https://notarxiv.org/abs/2103.03874',
    'https://ar5iv.labs.arxiv.org/html/2103.03874',
    'https://arxiv.org/abs/',
  ])('%j → nothing', (text) => {
    expect(extractArxivIds(text)).toEqual([]);
  });

  it('dedupes versions and keeps first-seen order', () => {
    const text = 'https://arxiv.org/abs/2201.00002v1 https://arxiv.org/abs/1910.10683 https://arxiv.org/pdf/2201.00002v3.pdf';
    expect(extractArxivIds(text)).toEqual(['2201.00002', '1910.10683']);
  });
});

describe('LinkCollector', () => {
  it('accepts arxiv: tag values, drops versions and ignores junk', () => {
    const c = new LinkCollector();
    for (const v of ['2103.03874', '2103.03874v2', 'hep-th/9901001', 'not-an-id', '', '12345', ' 1910.10683 ']) c.addArxivTag(v);
    expect(c.arxiv).toEqual(['2103.03874', 'hep-th/9901001', '1910.10683']);
  });

  it('walks nested card data, own keys only', () => {
    const c = new LinkCollector();
    const proto = { inherited: 'https://github.com/inherited/repo' };
    const card = Object.create(proto) as Record<string, unknown>;
    card.a = [{ b: { c: ['x', 'https://github.com/deep/repo and https://arxiv.org/abs/2301.00001'] } }];
    card.n = 5;
    card.nil = null;
    c.scanCard(card);
    expect(c.github).toEqual(['https://github.com/deep/repo']);
    expect(c.arxiv).toEqual(['2301.00001']);
  });

  it('stops at depth 50 without overflowing the stack on very deep nesting', () => {
    let shallow: unknown = 'https://github.com/shallow/ok';
    for (let i = 0; i < 40; i++) shallow = { k: shallow };
    let deep: unknown = 'https://github.com/too/deep';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const c = new LinkCollector();
    c.scanCard({ shallow, deep });
    expect(c.github).toEqual(['https://github.com/shallow/ok']);
  });

  it('survives cycles and exponential fan-out within a bounded budget', () => {
    const a: Record<string, unknown> = { url: 'https://github.com/cyc/le' };
    a.self = a;
    a.list = [a, a, a];
    const c = new LinkCollector();
    c.scanCard(a); // its time: bench/speed-checks.ts
    expect(c.github).toEqual(['https://github.com/cyc/le']);
  });

  it('finishes on pathological input (its linear time: bench/speed-checks.ts)', () => {
    const texts = [
      'https://github.com/'.repeat(60_000),
      'github.com/a'.repeat(80_000),
      'https://arxiv.org/abs/1234.'.repeat(40_000),
      'arxiv.org/abs/a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a'.repeat(10_000),
      'a'.repeat(1 << 20),
    ];
    for (const t of texts) new LinkCollector().scanText(t);
  });
});

describe('URLs', () => {
  const E = 'https://hub.example';

  it('encodes each path segment and keeps "/"', () => {
    expect(encodePath('plain/path-1_2.parquet')).toBe('plain/path-1_2.parquet');
    expect(encodePath('data/my file (1).csv')).toBe('data/my%20file%20(1).csv');
    expect(encodePath('data/#hash?q=1&x=%2F.txt')).toBe('data/%23hash%3Fq%3D1%26x%3D%252F.txt');
    expect(encodePath('données/日本語.jsonl')).toBe('donn%C3%A9es/%E6%97%A5%E6%9C%AC%E8%AA%9E.jsonl');
    expect(encodePath('a+b/c;d=e,f@g')).toBe('a%2Bb/c%3Bd%3De%2Cf%40g');
    expect(encodePath('a//b')).toBe('a//b');
  });

  it('builds dataset, API and resolve URLs on the given endpoint', () => {
    expect(datasetUrl(E, 'allenai/c4')).toBe('https://hub.example/datasets/allenai/c4');
    expect(apiUrl(E, 'allenai/c4')).toBe('https://hub.example/api/datasets/allenai/c4');
    expect(datasetUrl(E, 'org/with space')).toBe('https://hub.example/datasets/org/with%20space');
    expect(downloadUrl(E, 'squad', 'a b/c.json')).toBe('https://hub.example/datasets/squad/resolve/main/a%20b/c.json');
    expect(downloadLinks(E, 'o/n', [{ path: 'x' }, { path: 'y z' }])).toEqual([
      'https://hub.example/datasets/o/n/resolve/main/x',
      'https://hub.example/datasets/o/n/resolve/main/y%20z',
    ]);
  });

  it('trims trailing slashes from an endpoint', () => {
    expect(trimEndpoint('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(trimEndpoint('http://h//')).toBe('http://h');
    expect(trimEndpoint('http://h')).toBe('http://h');
  });

  it('builds paper links for the endpoint', () => {
    expect(paperLinks(['2103.03874'], E)).toEqual([
      { arxiv_id: '2103.03874', url: 'https://arxiv.org/abs/2103.03874', hf_paper_url: 'https://hub.example/papers/2103.03874' },
    ]);
  });
});
