/**
 * The minor items of a new user's third trial (issue 21), each through the real CLI (or the
 * package as a library): an empty file as a new catalog, the scope a sync that committed nothing
 * leaves, authors compared as the Hub does, wording ("1 page committed", an option given twice),
 * the library naming a wrong option, the docs the package refers to shipped in it, and file
 * names on a case-sensitive file system left as the rule says.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createHubClient, datasetSource, UsageError } from 'hf-dataset-collector';
import { afterEach, describe, expect, it } from 'vitest';
import { hashedFileName, safeFileName } from '../src/output/safe-name.js';
import type { RawDataset } from '../src/types.js';
import { count, query } from './helpers/catalog-db.js';
import { BIN, cliEnv, ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { startFakeViewer } from './helpers/fake-viewer.js';
import { MovingCorpus } from './helpers/moving-corpus.js';
import { ptyAvailable, spawnPty } from './helpers/pty.js';

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

async function writeSql(db: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(db);
  try {
    const conn = await instance.connect();
    await conn.run(sql);
    conn.closeSync();
  } finally {
    instance.closeSync();
  }
}

describe('the catalog file', () => {
  it('an empty file (touch, mktemp) is a new catalog for sync', async () => {
    hub = await startFakeHub({ synthetic: 30, maxPageSize: 10 });
    const db = join(tempDir('hfds-empty-'), 'hub.duckdb');
    writeFileSync(db, '');
    const r = await runCli(['sync', '--db', db, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(await count(db, 'SELECT count(*) FROM datasets')).toBe(30);
  });

  it('a first sync that committed nothing (a wrong endpoint) does not fix the scope: the next sync with --author works', async () => {
    hub = await startFakeHub({ synthetic: 300, maxPageSize: 10 });
    const db = join(tempDir('hfds-scope-'), 'hub.duckdb');
    const wrong = await runCli(['sync', '--db', db, '--endpoint', 'http://127.0.0.1:9', '--max-retries', '0']);
    expect(wrong.code).toBe(1);
    const author = 'org-1';
    const r = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--author', author]);
    expect(r.code, r.stderr).toBe(0);
    const scope = await query<{ scope: string }>(db, 'SELECT scope::VARCHAR AS scope FROM syncs');
    expect(scope.map((s) => JSON.parse(s.scope).author)).toEqual([author]);
    expect(await count(db, `SELECT count(*) FROM datasets WHERE author <> '${author}'`)).toBe(0);
    // the Hub matches authors whatever their case: so does the scope check
    const upper = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--author', author.toUpperCase()]);
    expect(upper.code, upper.stderr).toBe(0);
    const other = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--author', 'org-2']);
    expect(other.code).toBe(2);
  });

  it('a continued sync says "1 page committed" (not "1 pages")', async () => {
    hub = await startFakeHub({ synthetic: 30, maxPageSize: 10 });
    const db = join(tempDir('hfds-pages-'), 'hub.duckdb');
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const second = hub.requests.filter((q) => q.url.startsWith('/api/datasets'))[1]!.url;
    // as if it had stopped after its first page
    await writeSql(db, `UPDATE syncs SET complete = false, finished_at = NULL, pages = 1, cursor = '${second}'`);
    const r = await runCli(['sync', '--db', db, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('where it stopped (1 page committed)');
  });
});

describe('sync counts the records it stored with an errors entry', () => {
  it('sync --file-sizes where two file-size calls fail: the last line says "2 datasets kept with an errors entry"', async () => {
    const base = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'datasets.json'), 'utf8')) as RawDataset[];
    const items = base.slice(0, 6).map((d, i) => (i < 2 ? { ...d, __fake: { detailStatus: 500, treeStatus: 500 } } : d));
    hub = await startFakeHub({ datasets: items as RawDataset[] });
    const db = join(tempDir('hfds-failed-'), 'hub.duckdb');
    const r = await runCli(['sync', '--db', db, '--file-sizes', '--max-retries', '0', '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/sync 1 complete: .*; 2 datasets kept with an errors entry$/);
    expect(await count(db, 'SELECT count(*) FROM datasets WHERE json_array_length(record->\'$.errors\') > 0')).toBe(2);
  });
});

describe('progress', () => {
  it('collect --viewer-stats: while the viewer\'s requests are retried the run says so (it stood still, saying nothing)', async () => {
    const base = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'datasets.json'), 'utf8')) as RawDataset[];
    hub = await startFakeHub({ datasets: base.slice(0, 5) });
    const viewer = await startFakeViewer({ scenarios: { [String(base[0]!.id)]: { kind: 'slow', ms: 60_000 } } });
    try {
      const r = await runCli(['collect', '--limit', '5', '--ndjson', '--viewer-stats', '--timeout', '1', '--max-retries', '4', '--endpoint', hub.url, '--viewer-endpoint', viewer.url], { timeoutMs: 40_000 });
      expect(r.stderr).toMatch(/warn: no progress for \ds: retrying requests to the dataset viewer after .*timed out.* \(\d+ retr(y|ies) so far\)/);
    } finally {
      await viewer.close();
    }
  }, 60_000);

  it.skipIf(!ptyAvailable())('sync --file-sizes on a terminal: the line counts the details fetched before the first page commits', async () => {
    hub = await startFakeHub({ synthetic: 2000, latencyMs: 40 });
    const db = join(tempDir('hfds-fs-progress-'), 'hub.duckdb');
    const s = spawnPty([process.execPath, BIN, 'sync', '--db', db, '--file-sizes', '--endpoint', hub.url], { env: cliEnv() });
    try {
      const m = await s.waitFor(/synced 0 · [^\n]*?(\d+) details fetched/, 30_000);
      expect(Number(m[1])).toBeGreaterThan(0);
    } finally {
      s.kill();
    }
  }, 60_000);
});

describe('wording', () => {
  it('Ctrl-C in sync says what it finishes: "committing what was fetched", not "finishing the files"', async () => {
    hub = await startFakeHub({ synthetic: 200, maxPageSize: 10, latencyMs: 100 });
    const db = join(tempDir('hfds-int-'), 'hub.duckdb');
    const h = hub;
    const r = await runCli(['sync', '--db', db, '--endpoint', h.url], {
      timeoutMs: 30_000,
      onSpawn: (child) => void h.until((c) => c.list >= 2).then(() => child.kill('SIGINT')),
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGINT received: committing what was fetched (again to quit at once)');
    expect(r.stderr).not.toContain('finishing the files');
  });

  it('an option given twice says so (--limit 5 --limit 6), exit 2', async () => {
    const r = await runCli(['collect', '--limit', '5', '--limit', '6', '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('hf-datasets: --limit may be given once, got 2 values ("5", "6")');
  });

  it('the library refuses a query option of the wrong type, naming it ({search: 42})', () => {
    const c = createHubClient({ endpoint: 'http://127.0.0.1:9', token: null });
    try {
      for (const [q, message] of [[{ search: 42 }, 'search must be a string, got 42'], [{ author: ['a'] }, 'author must be a string, got ["a"]'], [{ filter: [1] }, 'filter must be an array of strings, got [1]']] as const) {
        expect(() => datasetSource(c, q as never), JSON.stringify(q)).toThrow(UsageError);
        expect(() => datasetSource(c, q as never)).toThrow(message);
      }
    } finally {
      void c.close();
    }
  });

  it('every docs/*.md the README and the built package refer to is shipped in the package', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ files: Array<{ path: string }> }>;
    const shipped = new Set(packed[0]!.files.map((f) => f.path));
    const texts = [readFileSync(join(ROOT, 'README.md'), 'utf8'), ...[...shipped].filter((p) => p.endsWith('.js') || p.endsWith('.d.ts')).map((p) => readFileSync(join(ROOT, p), 'utf8'))];
    const referenced = new Set(texts.flatMap((t) => t.match(/docs\/[\w-]+\.md/g) ?? []));
    expect(referenced.size).toBeGreaterThan(0);
    for (const doc of referenced) expect(shipped.has(doc), doc).toBe(true);
  });
});

function readmeSql(comment: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp('```sql\\n(-- ' + comment + '[\\s\\S]*?)```').exec(readme);
  expect(m, comment).not.toBeNull();
  return m![1]!;
}

describe('README', () => {
  it('"datasets added this week" leaves out the first sync (it adds everything) and removed datasets', async () => {
    const corpus = new MovingCorpus(30);
    hub = await startFakeHub({ maxPageSize: 10 });
    corpus.serve(hub);
    const db = join(tempDir('hfds-week-'), 'hub.duckdb');
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const sql = readmeSql('datasets added to the Hub this week');
    expect(await query(db, sql)).toEqual([]);
    const added = corpus.add(3);
    corpus.remove(added[0]!);
    corpus.serve(hub);
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const gone = added[1]!;
    corpus.remove(gone);
    corpus.serve(hub);
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const rows = await query<{ id: string }>(db, sql);
    expect(rows.map((r) => r.id)).toEqual([added[2]]);
  });

  it('the cron line runs the installed command (a bin of this package), never `npx hf-datasets`', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const cron = readme.split('\n').find((l) => /^\d+ \d+ \* \* \*/.test(l));
    expect(cron).toBeDefined();
    expect(cron).not.toMatch(/npx hf-datasets/);
    const bins = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
    for (const cmd of cron!.matchAll(/&&\s+(\S+)\s+(?:sync|export)\b/g)) expect(bins).toContain(cmd[1]);
  });

  it('the --concurrency range the README gives is the one the CLI enforces', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /\| `--concurrency N` \| .*\((\d+) to (\d+)\)/.exec(readme);
    expect(m).not.toBeNull();
    const r = await runCli(['collect', '--concurrency', String(Number(m![2]) + 1), '--endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--concurrency must be a whole number from ${m![1]} to ${m![2]}`);
  });
});

describe('individual file names and case', () => {
  it('on a case-sensitive file system, ids differing only in case keep their plain names, each file its own id', async () => {
    const base = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'datasets.json'), 'utf8')) as RawDataset[];
    const ids = ['Case/Same', 'case/same'];
    hub = await startFakeHub({ datasets: ids.map((id, i) => ({ ...base[i]!, id, _id: `x${i}`, author: id.split('/')[0]! })) });
    const out = tempDir('hfds-case-');
    const r = await runCli(['collect', '--all', '--out', out, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(out, 'individual_datasets');
    expect(readdirSync(dir).sort()).toEqual(['Case__Same.json', 'case__same.json']);
    for (const id of ids) expect(JSON.parse(readFileSync(join(dir, safeFileName(id)), 'utf8')).id).toBe(id);
    // the name a later id takes where the file system folds case: the plain stem with the hash suffix
    expect(hashedFileName('case/same')).toMatch(/^case__same-[0-9a-f]{8}\.json$/);
    expect(hashedFileName('a__b')).toBe(safeFileName('a__b'));
  });
});
