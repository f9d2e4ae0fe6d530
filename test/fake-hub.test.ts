import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './helpers/fake-hub.js';
import { loadFixtureCorpus, syntheticDataset, syntheticId, syntheticTags } from './helpers/corpus.js';
import type { RawDataset } from '../src/types.js';

const hubs: FakeHub[] = [];
async function start(opts?: FakeHubOptions): Promise<FakeHub> {
  const hub = await startFakeHub(opts);
  hubs.push(hub);
  return hub;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

function nextUrl(link: string | null): string | null {
  const m = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
  return m ? m[1]! : null;
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> {
  const r = await fetch(url, init);
  return { status: r.status, headers: r.headers, body: await r.json() };
}

/** Follow Link headers from `first`; returns every page's items. */
async function allPages(first: string, init?: RequestInit): Promise<any[][]> {
  const pages: any[][] = [];
  for (let url: string | null = first; url; ) {
    const r = await getJson(url, init);
    expect(r.status).toBe(200);
    pages.push(r.body);
    url = nextUrl(r.headers.get('link'));
  }
  return pages;
}

const fixture = loadFixtureCorpus();
const listedFixtureIds = fixture.filter((d) => !(d.__fake as any)?.unlisted).map((d) => d.id as string);

describe('list pagination', () => {
  it('covers an explicit corpus exactly once, in descending order', async () => {
    const hub = await start();
    const pages = await allPages(`${hub.url}/api/datasets?limit=7&sort=downloads&direction=1`);
    const items = pages.flat();
    expect(pages.length).toBe(Math.ceil(listedFixtureIds.length / 7));
    expect(items.map((d) => d.id).sort()).toEqual([...listedFixtureIds].sort());
    const dl = items.map((d) => d.downloads as number);
    expect(dl).toEqual([...dl].sort((a, b) => b - a));
    for (const sort of ['createdAt', 'lastModified', 'likes', 'trendingScore']) {
      const ids = (await allPages(`${hub.url}/api/datasets?limit=10&sort=${sort}`)).flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(listedFixtureIds.length);
      expect(ids.length).toBe(listedFixtureIds.length);
    }
  });

  it('covers a synthetic corpus exactly once, also with a filter', async () => {
    const hub = await start({ synthetic: 5000 });
    const pages = await allPages(`${hub.url}/api/datasets?limit=1000&sort=createdAt`);
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(pages.flat().map((d) => d.id)).toEqual(Array.from({ length: 5000 }, (_, i) => syntheticId(i)));
    const fr = (await allPages(`${hub.url}/api/datasets?limit=100&filter=language:fr`)).flat().map((d) => d.id);
    const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => syntheticTags(i).includes('language:fr')).map(syntheticId);
    expect(expected.length).toBeGreaterThan(100);
    expect(fr).toEqual(expected);
  });

  it('has a stable cursor, repeats all params and uses the request Host', async () => {
    const hub = await start();
    const first = await fetch(`${hub.url}/api/datasets?limit=5&sort=likes&filter=region:us&expand[]=likes`);
    const link = nextUrl(first.headers.get('link'))!;
    expect(link).toMatch(/limit=5&sort=likes&filter=region:us&expand\[\]=likes&cursor=[A-Za-z0-9_-]+$/);
    const a = await getJson(link);
    const b = await getJson(link);
    expect(a.body).toEqual(b.body);
    expect(nextUrl(a.headers.get('link'))).toBe(nextUrl(b.headers.get('link')));
    const port = new URL(hub.url).port;
    const viaHost = await request(`${hub.url}/api/datasets?limit=2`, { headers: { host: `localhost:${port}` } });
    await viaHost.body.dump();
    expect(String(viaHost.headers.link)).toContain(`<http://localhost:${port}/api/datasets?limit=2&cursor=`);
    const bad = await getJson(`${hub.url}/api/datasets?cursor=%%%`);
    expect(bad.status).toBe(400);
  });

  it('continues after the last served item when the corpus changes under the cursor', async () => {
    const hub = await start();
    const p1 = await fetch(`${hub.url}/api/datasets?limit=5&sort=downloads`);
    const served = ((await p1.json()) as any[]).map((d) => d.id);
    const link = nextUrl(p1.headers.get('link'))!;
    // The top item disappears: a pure index cursor would skip one item.
    hub.setOptions({ datasets: fixture.filter((d) => d.id !== served[0]) });
    const rest = (await allPages(link)).flat().map((d) => d.id);
    expect([...served, ...rest].sort()).toEqual([...listedFixtureIds].sort());
  });

  it('repeats a few ids per page with reorderEveryPage (clients must de-duplicate)', async () => {
    const hub = await start({ synthetic: 100, reorderEveryPage: true });
    const ids = (await allPages(`${hub.url}/api/datasets?limit=10`)).flat().map((d) => d.id);
    expect(ids.length).toBeGreaterThan(100);
    expect(new Set(ids).size).toBe(100);
  });
});

describe('list parameters', () => {
  it('default keys, full=true, expand (both forms) and a bad expand', async () => {
    const hub = await start();
    const plain = (await getJson(`${hub.url}/api/datasets?limit=3`)).body[0];
    expect(Object.keys(plain)).toEqual(expect.arrayContaining(['_id', 'id', 'downloads', 'likes', 'tags', 'createdAt', 'lastModified']));
    expect(plain).not.toHaveProperty('cardData');
    expect(plain).not.toHaveProperty('siblings');
    expect(plain).not.toHaveProperty('__fake');
    const full = (await getJson(`${hub.url}/api/datasets?limit=50&full=true`)).body as any[];
    const squad = full.find((d) => d.id === 'rajpurkar/squad');
    expect(squad.cardData.pretty_name).toBe('SQuAD');
    expect(squad.siblings[2]).toEqual({ rfilename: 'plain_text/train-00000-of-00001.parquet' });
    expect(full.some((d) => '__fake' in d)).toBe(false);
    for (const q of ['expand=downloads&expand=cardData', 'expand[]=downloads&expand[]=cardData', 'expand=downloads&expand[]=cardData']) {
      const items = (await getJson(`${hub.url}/api/datasets?limit=50&${q}`)).body as any[];
      for (const d of items) expect(Object.keys(d).every((k) => ['_id', 'id', 'downloads', 'cardData'].includes(k))).toBe(true);
      expect(items.find((d) => d.id === 'rajpurkar/squad')).toHaveProperty('downloads', 254152);
    }
    const bad = await getJson(`${hub.url}/api/datasets?expand[]=downloads&expand[]=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^"expand" must be one of \[author, cardData, /);
  });

  it('refuseExpand: listing and detail answer 400 with the accepted values, the refused ones left out', async () => {
    const hub = await start({ refuseExpand: ['mainSize', 'usedStorage'] });
    const expected = '"expand" must be one of [author, cardData, citation, createdAt, description, disabled, downloads, downloadsAllTime, gated, lastModified, likes, paperswithcode_id, private, resourceGroup, sha, siblings, tags, trendingScore]';
    for (const path of ['/api/datasets?limit=3&expand[]=likes&expand[]=mainSize', '/api/datasets/rajpurkar/squad?expand[]=usedStorage']) {
      const r = await getJson(`${hub.url}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.body).toEqual({ error: expected });
    }
    expect((await getJson(`${hub.url}/api/datasets?limit=3&expand[]=likes`)).status).toBe(200);
    expect((await getJson(`${hub.url}/api/datasets/rajpurkar/squad?expand[]=likes`)).status).toBe(200);
    expect((await getJson(`${hub.url}/api/datasets/rajpurkar/squad?blobs=true`)).status).toBe(200);
  });

  it('hugeListPage streams a generated page (bytes, items of itemBytes, one huge item) without a Link', async () => {
    const hub = await start({ hugeListPage: { bytes: 200_000, itemBytes: 1000, hugeItemBytes: 300_000 } });
    const r = await fetch(`${hub.url}/api/datasets?limit=1000`);
    expect(r.headers.get('link')).toBeNull();
    const text = await r.text();
    expect(text.length).toBeGreaterThan(300_000);
    const items = JSON.parse(text) as Array<{ id: string; description: string }>;
    expect(items[0]!.id).toBe('big/item-000001');
    expect(items[1]!.description.length).toBeGreaterThan(300_000);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect((await fetch(`${hub.url}/api/datasets?expand[]=bogus`)).status).toBe(400);
  });

  it('faults.rateLimit429 sets the RateLimit reading of injected 429s', async () => {
    const hub = await start({ faults: { atRequests: { 1: '429', 2: '429' }, retryAfterSec: 2, rateLimit429: { remaining: 40, resetSec: 250 } } });
    const r = await fetch(`${hub.url}/api/datasets?limit=1`);
    expect(r.status).toBe(429);
    expect(r.headers.get('ratelimit')).toBe('"api";r=40;t=250');
    expect(r.headers.get('retry-after')).toBe('2');
    hub.setOptions({ faults: { atRequests: { 1: '429' }, retryAfterSec: 3 } });
    hub.resetCounters();
    const d = await fetch(`${hub.url}/api/datasets?limit=1`);
    expect(d.headers.get('ratelimit')).toBe('"api";r=0;t=3');
  });

  it('search, author, filter (AND), gated and sort validation', async () => {
    const hub = await start();
    const ids = async (q: string): Promise<string[]> => (await getJson(`${hub.url}/api/datasets?limit=100&${q}`)).body.map((d: any) => d.id);
    expect(await ids('search=SQUAD')).toEqual(expect.arrayContaining(['rajpurkar/squad', 'squad_legacy']));
    expect((await ids('search=squad')).length).toBe(2);
    expect((await ids('author=allenai')).sort()).toEqual(['allenai/c4', 'allenai/openbookqa']);
    expect(await ids('author=squad_legacy')).toEqual([]);
    const both = await ids('filter=language:en&filter=license:mit');
    expect(both).toContain('openai/gsm8k');
    expect(both).not.toContain('rajpurkar/squad');
    expect((await ids('filter=math-word-problems'))).toEqual(['openai/gsm8k']);
    const gated = await ids('gated=true');
    expect(gated.sort()).toEqual(['bigcode/the-stack', 'lmsys/lmsys-chat-1m', 'mozilla-foundation/common_voice_11_0', 'restricted-org/clinical-notes']);
    expect((await getJson(`${hub.url}/api/datasets?sort=bogus`)).status).toBe(400);
    expect((await getJson(`${hub.url}/api/datasets?sort=trending`)).status).toBe(400);
  });

  it('clamps limit, rejects a limit above rejectLimitAbove, default page size', async () => {
    const hub = await start({ synthetic: 3000, maxPageSize: 1000, rejectLimitAbove: 500 });
    const r1 = await getJson(`${hub.url}/api/datasets?limit=1000`);
    expect(r1.status).toBe(400);
    expect(r1.body.error).toMatch(/limit/);
    expect((await getJson(`${hub.url}/api/datasets?limit=500`)).body.length).toBe(500);
    expect((await getJson(`${hub.url}/api/datasets`)).body.length).toBe(100);
    hub.setOptions({ rejectLimitAbove: undefined, maxPageSize: 20, defaultPageSize: 7 });
    expect((await getJson(`${hub.url}/api/datasets?limit=1000`)).body.length).toBe(20);
    expect((await getJson(`${hub.url}/api/datasets`)).body.length).toBe(7);
    expect((await getJson(`${hub.url}/api/datasets?limit=0`)).status).toBe(400);
  });
});

describe('detail', () => {
  it('serves the full item, blobs, aliases, revisions and errors', async () => {
    const hub = await start();
    const d = await getJson(`${hub.url}/api/datasets/rajpurkar/squad`);
    expect(d.status).toBe(200);
    expect(d.headers.get('x-request-id')).toBeTruthy();
    expect(d.body).toMatchObject({ id: 'rajpurkar/squad', author: 'rajpurkar', paperswithcode_id: 'squad' });
    expect(d.body.cardData.license).toBe('cc-by-sa-4.0');
    expect(d.body.citation).toMatch(/^@inproceedings/);
    for (const k of ['trendingScore', 'downloadsAllTime', 'mainSize', '__fake']) expect(d.body).not.toHaveProperty(k);
    expect(d.body.siblings.every((s: any) => Object.keys(s).join() === 'rfilename')).toBe(true);
    const b = await getJson(`${hub.url}/api/datasets/rajpurkar/squad?blobs=true`);
    const pq = b.body.siblings.find((s: any) => s.rfilename.endsWith('.parquet'));
    expect(pq).toMatchObject({ size: 14458314, lfs: { size: 14458314, pointerSize: 134 } });
    expect(pq.blobId).toMatch(/^[0-9a-f]{40}$/);
    expect(pq.lfs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.body.siblings.find((s: any) => s.rfilename === 'README.md')).not.toHaveProperty('lfs');
    const gen = await getJson(`${hub.url}/api/datasets/hendrycks/competition_math?blobs=true`); // sizes not recorded
    expect(gen.body.disabled).toBe(true);
    expect(gen.body.siblings.every((s: any) => typeof s.size === 'number')).toBe(true);
    expect((await getJson(`${hub.url}/api/datasets/squad`)).body.id).toBe('rajpurkar/squad');
    const redirect = await fetch(`${hub.url}/api/datasets/gsm8k?blobs=true`, { redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe(`${hub.url}/api/datasets/openai/gsm8k?blobs=true`);
    expect((await getJson(`${hub.url}/api/datasets/gsm8k`)).body.id).toBe('openai/gsm8k'); // fetch follows
    expect((await getJson(`${hub.url}/api/datasets/squad_legacy`)).body).not.toHaveProperty('author');
    expect((await getJson(`${hub.url}/api/datasets/rajpurkar/squad/revision/main`)).status).toBe(200);
    expect((await getJson(`${hub.url}/api/datasets/rajpurkar/squad/revision/7b6d24c440a36b6815f21b70d25016731768db1f`)).status).toBe(200);
    const badRev = await getJson(`${hub.url}/api/datasets/rajpurkar/squad/revision/refs%2Fconvert%2Fparquet`);
    expect([badRev.status, badRev.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
    const anon = await getJson(`${hub.url}/api/datasets/nobody/nothing`);
    expect([anon.status, anon.headers.get('x-error-code'), anon.body.error]).toEqual([401, 'RepoNotFound', 'Invalid username or password.']);
    const authed = await getJson(`${hub.url}/api/datasets/nobody/nothing`, { headers: { authorization: 'Bearer hf_x' } });
    expect([authed.status, authed.headers.get('x-error-code'), authed.body.error]).toEqual([404, 'RepoNotFound', 'Repository not found']);
    const other = await getJson(`${hub.url}/api/models`);
    expect(other.status).toBe(404);
    expect(typeof other.body.error).toBe('string');
  });

  it('answers as the __fake markers say: gated 403, deleted 404, a malformed detail, an unlisted dataset, 2,500 files, a custom status', async () => {
    const hub = await start();
    const gated = await getJson(`${hub.url}/api/datasets/restricted-org/clinical-notes`);
    expect([gated.status, gated.headers.get('x-error-code')]).toEqual([403, 'GatedRepo']);
    expect(gated.body.error).toMatch(/restricted/);
    const gone = await getJson(`${hub.url}/api/datasets/ghost-user/deleted-dataset`);
    expect([gone.status, gone.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
    const mal = await fetch(`${hub.url}/api/datasets/broken-org/malformed-detail`);
    expect(mal.status).toBe(200);
    await expect(mal.json()).rejects.toThrow();
    expect((await getJson(`${hub.url}/api/datasets/enrich-only/unlisted-dataset`)).status).toBe(200);
    const fw = await getJson(`${hub.url}/api/datasets/HuggingFaceFW/fineweb`);
    expect(fw.body.siblings.length).toBe(2500);
    const custom = await start({ datasets: [{ id: 'a/b', sha: 'c'.repeat(40), tags: [], __fake: { detailStatus: 401, detailErrorCode: 'GatedRepo' } }] });
    expect((await getJson(`${custom.url}/api/datasets/a/b`)).status).toBe(401);
  });

  it('streams a huge detail body whole, without a content-length', async () => {
    const hub = await start({ hugeBodyBytes: 3_000_000 });
    const r = await request(`${hub.url}/api/datasets/huge/body`);
    expect(r.headers['content-length']).toBeUndefined();
    const text = await r.body.text();
    expect(text.length).toBe(3_000_000);
    expect(JSON.parse(text).id).toBe('huge/body');
  });
});

describe('tree', () => {
  it('lists directories and files with LFS data, paths and errors', async () => {
    const hub = await start();
    const t = (await getJson(`${hub.url}/api/datasets/allenai/c4/tree/main?recursive=true`)).body as any[];
    expect(t.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['en', 'en.noblocklist', 'multilingual', 'realnewslike']);
    const gz = t.find((e) => e.path === 'en/c4-train.00000-of-01024.json.gz');
    expect(gz).toMatchObject({ type: 'file', size: 319012345, lfs: { size: 319012345, pointerSize: 134 } });
    expect(gz.lfs.oid).toMatch(/^[0-9a-f]{64}$/);
    expect(t.find((e) => e.type === 'directory')).toMatchObject({ size: 0, oid: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const top = (await getJson(`${hub.url}/api/datasets/nested-org/deep-tree/tree/main`)).body.map((e: any) => e.path);
    expect(top).toEqual(['.gitattributes', 'README.md', 'images', 'metadata']);
    const sub = (await getJson(`${hub.url}/api/datasets/nested-org/deep-tree/tree/main/images/train?recursive=true`)).body.map((e: any) => e.path);
    expect(sub).toEqual(['images/train/cats', 'images/train/cats/cat_001.jpg', 'images/train/cats/cat_002.jpg', 'images/train/dogs', 'images/train/dogs/dog_001.jpg']);
    const uni = (await getJson(`${hub.url}/api/datasets/jdoe/multilingual-notes/tree/main/${encodeURIComponent('日本語')}`)).body;
    expect(uni[0].path).toBe('日本語/テスト ファイル.txt');
    const errs = [
      [`nested-org/deep-tree/tree/main/nope`, 404, 'EntryNotFound'],
      [`nested-org/deep-tree/tree/v9`, 404, 'RevisionNotFound'],
      [`nobody/nothing/tree/main`, 401, 'RepoNotFound'],
    ] as const;
    for (const [p, status, code] of errs) {
      const r = await getJson(`${hub.url}/api/datasets/${p}`);
      expect([r.status, r.headers.get('x-error-code')]).toEqual([status, code]);
    }
  });

  it('paginates 1000 entries per page (50 with expand=true)', async () => {
    const hub = await start();
    const pages = await allPages(`${hub.url}/api/datasets/HuggingFaceFW/fineweb/tree/main?recursive=true`);
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 503]); // 2500 files + data, data/test, data/train
    const all = pages.flat();
    expect(new Set(all.map((e) => e.path)).size).toBe(2503);
    expect(all.filter((e) => e.type === 'file').length).toBe(2500);
    const ex = await getJson(`${hub.url}/api/datasets/HuggingFaceFW/fineweb/tree/main?recursive=true&expand=true`);
    expect(ex.body.length).toBe(50);
    expect(ex.body[0].lastCommit).toBeDefined();
    expect(nextUrl(ex.headers.get('link'))).toMatch(/expand=true&cursor=/);
  });
});

describe('auth, counters, quota', () => {
  it('hides private items without the token and rejects a wrong one', async () => {
    const hub = await start({ token: 'hf_good' });
    const anon = (await allPages(`${hub.url}/api/datasets?limit=100`)).flat().map((d) => d.id);
    expect(anon).not.toContain('acme-corp/internal-logs');
    const auth = { headers: { authorization: 'Bearer hf_good' } };
    const withTok = (await allPages(`${hub.url}/api/datasets?limit=100`, auth)).flat().map((d) => d.id);
    expect(withTok).toContain('acme-corp/internal-logs');
    expect((await getJson(`${hub.url}/api/datasets/acme-corp/internal-logs`)).status).toBe(401);
    expect((await getJson(`${hub.url}/api/datasets/acme-corp/internal-logs`, auth)).status).toBe(200);
    const wrong = await getJson(`${hub.url}/api/datasets`, { headers: { authorization: 'Bearer hf_bad' } });
    expect([wrong.status, wrong.headers.get('x-error-message')]).toEqual([401, 'Invalid credentials in Authorization header']);
    expect(hub.counters.authorized).toBe(3);
    expect(hub.requests.filter((r) => r.authorization === 'Bearer hf_bad').map((r) => r.status)).toEqual([401]);
  });

  it('counts requests per route and the most in flight', async () => {
    const hub = await start({ latencyMs: 100 });
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${hub.url}/api/datasets/rajpurkar/squad`).then((r) => r.arrayBuffer())));
    await (await fetch(`${hub.url}/api/datasets?limit=1`)).arrayBuffer();
    await (await fetch(`${hub.url}/api/datasets/allenai/c4/tree/main`)).arrayBuffer();
    await (await fetch(`${hub.url}/favicon.ico`)).arrayBuffer();
    expect(hub.counters).toMatchObject({ total: 8, detail: 5, list: 1, tree: 1, other: 1, maxInFlight: 5, inFlight: 0, authorized: 0 });
    expect(hub.requests.length).toBe(8);
    expect(hub.requests[7]).toMatchObject({ method: 'GET', url: '/favicon.ico', status: 404 });
    hub.resetCounters();
    expect(hub.counters).toMatchObject({ total: 0, maxInFlight: 0 });
    expect(hub.requests.length).toBe(0);
  });

  it('sends RateLimit headers and answers 429 over quota', async () => {
    const hub = await start({ quota: { limit: 3, windowSec: 60 } });
    const rs: Response[] = [];
    for (let k = 0; k < 4; k++) rs.push(await fetch(`${hub.url}/api/datasets?limit=1`));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(rs.map((r) => r.headers.get('ratelimit'))).toEqual(['"api";r=2;t=60', '"api";r=1;t=60', '"api";r=0;t=60', '"api";r=0;t=60']);
    expect(rs[0]!.headers.get('ratelimit-policy')).toBe('"fixed window";"api";q=3;w=60');
    expect(rs[3]!.headers.get('ratelimit-policy')).toBe('"fixed window";"api";q=3;w=60');
    expect(rs[3]!.headers.get('retry-after')).toBe('60');
    expect(((await rs[3]!.json()) as any).error).toMatch(/"api"/);
    expect(hub.counters.overQuota).toBe(1);
    expect(hub.counters.ignoredRetryAfter).toBe(0);
    await (await fetch(`${hub.url}/api/datasets?limit=1`)).arrayBuffer();
    expect(hub.counters).toMatchObject({ overQuota: 2, ignoredRetryAfter: 1 });
    hub.setOptions({ quota: { limit: 1, windowSec: 1 } });
    const a = await fetch(`${hub.url}/api/datasets?limit=1`);
    expect(a.headers.get('ratelimit')).toBe('"api";r=0;t=1');
  });

  it('counts requests that ignore a Retry-After', async () => {
    const hub = await start({ faults: { atRequests: { 1: '429' }, retryAfterSec: 1 } });
    const r1 = await fetch(`${hub.url}/api/datasets?limit=1`);
    expect([r1.status, r1.headers.get('retry-after'), r1.headers.get('ratelimit')]).toEqual([429, '1', '"api";r=0;t=1']);
    await (await fetch(`${hub.url}/api/datasets?limit=1`)).arrayBuffer();
    expect(hub.counters.ignoredRetryAfter).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    await (await fetch(`${hub.url}/api/datasets?limit=1`)).arrayBuffer();
    expect(hub.counters.ignoredRetryAfter).toBe(1);
    expect(hub.counters.faultsInjected).toEqual({ 429: 1 });
    hub.setOptions({ faults: { atRequests: { 4: '429' }, retryAfterSec: 2, retryAfterAsDate: true } });
    const before = Date.now();
    const r4 = await fetch(`${hub.url}/api/datasets?limit=1`);
    const after = Date.now();
    const when = Date.parse(r4.headers.get('retry-after')!);
    expect(r4.headers.get('retry-after')).toMatch(/GMT$/);
    // 2 s after the answer was made, rounded up to a whole second (an HTTP date has no fraction)
    expect(when).toBeGreaterThanOrEqual(before + 2000);
    expect(when).toBeLessThanOrEqual(after + 3000);
  });
});

describe('faults', () => {
  it('injects each fault kind at the requested request number', async () => {
    const hub = await start({
      faults: { atRequests: { 1: '503', 2: 'reset', 3: 'truncate', 4: 'malformed', 5: 'slow' }, slowMs: 1500 },
    });
    const url = `${hub.url}/api/datasets?limit=5`;
    const r1 = await request(url);
    expect(r1.statusCode).toBe(503);
    expect(await r1.body.json()).toEqual({ error: 'Service Unavailable' });
    await expect(request(url).then((r) => r.body.text())).rejects.toThrow();
    const r3 = await request(url);
    expect(r3.statusCode).toBe(200);
    await expect(r3.body.text()).rejects.toThrow();
    const r4 = await request(url);
    expect(r4.statusCode).toBe(200);
    const text4 = await r4.body.text();
    expect(() => JSON.parse(text4)).toThrow();
    // the slow answer is held back 1.5 s: the request's own 100 ms timeout ends it first
    await expect(request(url, { signal: AbortSignal.timeout(100) })).rejects.toThrow(/abort|timeout/i);
    const ok = await request(url);
    expect((await ok.body.json() as unknown[]).length).toBe(5);
    expect(hub.counters.faultsInjected).toEqual({ 503: 1, reset: 1, truncate: 1, malformed: 1, slow: 1 });
    expect(hub.requests.map((r) => r.status).slice(0, 4)).toEqual([503, 0, 200, 200]);
  });

  it('injects seeded random faults deterministically, only on chosen routes', async () => {
    const plan = { seed: 42, rate503: 0.3, rate429: 0.1, retryAfterSec: 0, onlyRoutes: ['detail' as const] };
    const statuses = async (): Promise<number[]> => {
      const hub = await start({ faults: plan });
      const out: number[] = [];
      for (let k = 0; k < 40; k++) {
        const path = k % 2 ? '/api/datasets?limit=1' : '/api/datasets/rajpurkar/squad';
        const r = await fetch(hub.url + path);
        await r.arrayBuffer();
        out.push(r.status);
      }
      expect(hub.counters.faultsInjected['503']).toBeGreaterThan(0);
      return out;
    };
    const a = await statuses();
    expect(a).toEqual(await statuses());
    expect(a.filter((s, k) => k % 2 === 1 && s !== 200)).toEqual([]);
    expect(a.filter((s) => s === 503).length).toBeGreaterThan(2);
  });
});

describe('fixture corpus', () => {
  it('is a realistic recorded-style corpus', () => {
    expect(fixture.length).toBeGreaterThanOrEqual(40);
    expect(new Set(fixture.map((d) => d.id)).size).toBe(fixture.length);
    for (const d of fixture) {
      expect(d._id).toMatch(/^[0-9a-f]{24}$/);
      expect(d.sha).toMatch(/^[0-9a-f]{40}$/);
      for (const k of ['createdAt', 'lastModified'] as const) expect(new Date(d[k] as string).toISOString()).toBe(d[k]);
      expect(Array.isArray(d.tags) && Array.isArray(d.siblings)).toBe(true);
    }
    const byId = new Map(fixture.map((d) => [d.id, d]));
    expect(byId.get('hendrycks/competition_math')).toMatchObject({ disabled: true, downloads: 0 });
    expect(byId.get('squad_legacy')).not.toHaveProperty('author');
    expect(fixture.filter((d) => d.cardData === undefined).length).toBeGreaterThan(0);
    expect(fixture.map((d) => d.gated)).toEqual(expect.arrayContaining([false, 'auto', 'manual']));
    expect(fixture.filter((d) => Array.isArray((d.cardData as any)?.license)).length).toBeGreaterThan(3);
    expect(fixture.filter((d) => typeof (d.cardData as any)?.license === 'string').length).toBeGreaterThan(3);
  });
});

describe('synthetic corpus', () => {
  it('is deterministic, realistic and ordered for every sort key', () => {
    const total = 200_000;
    let bytes = 0;
    let prev: RawDataset | undefined;
    for (let i = 0; i < total; i += 997) {
      const d = syntheticDataset(i, total);
      expect(d).toEqual(syntheticDataset(i, total));
      bytes += JSON.stringify(d).length;
      const sib = d.siblings as unknown[];
      expect(sib.length).toBeGreaterThanOrEqual(3);
      expect(sib.length).toBeLessThanOrEqual(30);
      if (prev) {
        for (const k of ['downloads', 'likes', 'trendingScore'] as const) expect(d[k] as number).toBeLessThanOrEqual(prev[k] as number);
        for (const k of ['createdAt', 'lastModified'] as const) expect(Date.parse(d[k] as string)).toBeLessThan(Date.parse(prev[k] as string));
      }
      prev = d;
    }
    const avg = bytes / Math.ceil(total / 997);
    expect(avg).toBeGreaterThan(1500);
    expect(avg).toBeLessThan(3000);
    expect(syntheticDataset(total - 1, total).createdAt).toBe('2022-03-02T23:29:04.000Z');
    expect(syntheticDataset(999, total).id).toBe('dataset-999');
    expect(syntheticDataset(999, total)).not.toHaveProperty('author');
  });

  it('serves details and trees of synthetic ids, and 1000-item pages (their CPU time: bench/speed-checks.ts)', async () => {
    const hub = await start({ synthetic: 200_000 });
    const id = syntheticId(123_456);
    const d = await getJson(`${hub.url}/api/datasets/${id}?blobs=true`);
    expect(d.body.id).toBe(id);
    expect(d.body.siblings[0]).toHaveProperty('size');
    expect((await getJson(`${hub.url}/api/datasets/${id}/tree/main?recursive=true`)).status).toBe(200);
    expect((await getJson(`${hub.url}/api/datasets/org-1/dataset-999999`)).status).toBe(401);
    const q = ['author', 'cardData', 'siblings', 'tags', 'description', 'downloads', 'likes', 'createdAt', 'lastModified', 'citation']
      .map((e) => `expand[]=${e}`).join('&');
    let url: string | null = `${hub.url}/api/datasets?limit=1000&sort=downloads&${q}`;
    let pages = 0;
    while (url && pages < 10) {
      const r = await request(url);
      await r.body.dump();
      url = nextUrl(String(r.headers.link));
      pages++;
    }
    expect(pages).toBe(10);
  });
});
