/**
 * A catalog survives whatever happens to a sync: kill -9, Ctrl-C or a failing Hub mid-sync leave
 * a valid file that the next sync continues (same sync_id, committed pages not fetched again);
 * a second writer is refused at once; a wrong scope, a foreign or newer file are refused untouched.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, query } from './helpers/catalog-db.js';
import { runCli, tempDir, type CliResult } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { MovingCorpus } from './helpers/moving-corpus.js';

let hub: FakeHub;
let dir: string;
let db: string;
const TOTAL = 60;
const PAGE = 5;
const PAGES = TOTAL / PAGE;

beforeEach(async () => {
  hub = await startFakeHub({ datasets: [], maxPageSize: PAGE });
  new MovingCorpus(TOTAL).serve(hub);
  dir = tempDir('hfds-catalog-');
  db = join(dir, 'hub.duckdb');
});
afterEach(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const listRequests = (): string[] => hub.requests.filter((r) => r.url.startsWith('/api/datasets?')).map((r) => r.url);

/** Runs the CLI and sends `signal` once `when()` holds (polled every 5 ms). */
function interrupted(args: string[], signal: NodeJS.Signals, when: () => boolean): Promise<CliResult> {
  return runCli(args, {
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (when()) {
          clearInterval(timer);
          child.kill(signal);
        }
      }, 5);
      child.on('close', () => clearInterval(timer));
    },
  });
}

async function expectOneCompleteSync(): Promise<void> {
  const syncs = await query<Record<string, any>>(db, 'SELECT sync_id, complete, added, pages FROM syncs');
  expect(syncs.map((s) => [s.sync_id, s.complete, Number(s.added), Number(s.pages)])).toEqual([[1, true, TOTAL, PAGES]]);
  expect(await count(db, "SELECT count(*) FROM events WHERE kind = 'added'")).toBe(TOTAL);
  expect(await count(db, 'SELECT count(DISTINCT id) FROM downloads_history WHERE sync_id = 1')).toBe(TOTAL);
  expect(await count(db, 'SELECT count(*) FROM downloads_history')).toBe(TOTAL);
  expect(await count(db, 'SELECT count(*) FROM datasets WHERE removed_at IS NULL')).toBe(TOTAL);
}

describe('interrupted syncs', () => {
  for (const [signal, code] of [['SIGKILL', null], ['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} mid-sync leaves a valid catalog; the next sync continues the same sync from the committed cursor`, async () => {
      hub.setOptions({ latencyMs: 60 });
      const args = ['sync', '--db', db, '--endpoint', hub.url];
      const first = await interrupted(args, signal, () => hub.counters.list >= 5);
      expect(first.code).toBe(code);
      if (code !== null) expect(first.stderr).toMatch(/interrupted; sync 1 stopped/);
      const before = await query<Record<string, any>>(db, 'SELECT complete, pages FROM syncs');
      expect(before.length).toBe(1);
      expect(before[0]!.complete).toBe(false);
      const committed = Number(before[0]!.pages);
      expect(await count(db, 'SELECT count(*) FROM datasets')).toBe(committed * PAGE);
      expect(await count(db, 'SELECT count(*) FROM datasets WHERE removed_at IS NOT NULL')).toBe(0);
      const firstRun = listRequests().length;
      expect(firstRun).toBeLessThanOrEqual(committed + 2);

      hub.setOptions({ latencyMs: 0 });
      const second = await runCli(args);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/continuing sync 1/);
      expect(second.stderr).toMatch(/sync 1 complete \(continued\)/);
      // committed pages are not fetched again: the continued run starts at the stored cursor
      expect(listRequests().length - firstRun).toBe(PAGES - committed);
      await expectOneCompleteSync();
    });
  }

  it('a Hub failing mid-sync: exit 1 with one line, the committed pages kept, the next sync continues', async () => {
    const args = ['sync', '--db', db, '--endpoint', hub.url, '--max-retries', '0'];
    hub.setOptions({ faults: { atRequests: { 4: '503' } } });
    const first = await runCli(args);
    expect(first.code).toBe(1);
    const lines = first.stderr.trim().split('\n').filter((l) => !/ info: /.test(l));
    expect(lines.at(-1)).toMatch(/^hf-datasets: .*503.*run sync again to continue sync 1\)$/);
    const committed = await count(db, 'SELECT pages FROM syncs');
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(PAGES);
    hub.setOptions({ faults: undefined });
    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    await expectOneCompleteSync();
  });
});

describe('one writer', () => {
  it('a second sync or an export while a sync runs exits 1 at once, naming the file and the holder', async () => {
    const args = ['sync', '--db', db, '--endpoint', hub.url];
    let running: ChildProcess | null = null;
    const first = runCli(args, { onSpawn: (c) => { running = c; } });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (hub.counters.list >= 2) {
          clearInterval(t);
          hub.setOptions({ latencyMs: 20_000 }); // the holder now waits for a page: it keeps the file
          resolve();
        }
      }, 5);
    });
    for (const other of [args, ['export', '--db', db, '--format', 'ndjson']]) {
      const r = await runCli(other);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(db);
      expect(r.stderr).toMatch(/in use by .*PID \d+/);
      expect((running as ChildProcess | null)?.exitCode).toBeNull(); // the holder is still at work: nobody waited for it
    }
    (running as ChildProcess | null)?.kill('SIGINT');
    expect((await first).code).toBe(130);
    hub.setOptions({ latencyMs: 0 });
    const done = await runCli(args);
    expect(done.code, done.stderr).toBe(0);
    await expectOneCompleteSync();
  });
});

describe('refusals', () => {
  it('a scope other than the stored one is a usage error (exit 2); --limit/--sort/--since do not apply', async () => {
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url, '--author', 'org-1'])).code).toBe(0);
    const other = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--author', 'org-2']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--author "org-2" differs from this catalog's scope/);
    const search = await runCli(['sync', '--db', db, '--endpoint', hub.url, '--search', 'x']);
    expect(search.code).toBe(2);
    // the stored scope is used when none is given
    const again = await runCli(['sync', '--db', db, '--endpoint', hub.url]);
    expect(again.code, again.stderr).toBe(0);
    expect(listRequests().every((u) => u.includes('author=org-1'))).toBe(true);
    for (const bad of [['--limit', '5'], ['--sort', 'downloads'], ['--since', '2024-01-01'], ['--all']]) {
      const r = await runCli(['sync', '--db', db, '--endpoint', hub.url, ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/does not apply to sync/);
    }
  });

  it('a file that is not a catalog, or one from a newer release, exits 1 with one line and stays untouched', async () => {
    const text = join(dir, 'notes.duckdb');
    writeFileSync(text, 'just some text, not a database\n'.repeat(200));
    const foreign = join(dir, 'foreign.duckdb');
    const inst = await DuckDBInstance.create(foreign);
    const conn = await inst.connect();
    await conn.run('CREATE TABLE orders(id INTEGER, total DOUBLE)');
    await conn.run('INSERT INTO orders VALUES (1, 9.5)');
    conn.closeSync();
    inst.closeSync();
    expect((await runCli(['sync', '--db', db, '--endpoint', hub.url])).code).toBe(0);
    const newer = join(dir, 'newer.duckdb');
    writeFileSync(newer, readFileSync(db));
    const up = await DuckDBInstance.create(newer);
    const c2 = await up.connect();
    await c2.run('INSERT INTO schema_version VALUES (99, now())');
    c2.closeSync();
    up.closeSync();

    for (const [file, why] of [[text, /not a catalog/], [foreign, /not a catalog/], [newer, /schema 99, newer than/]] as const) {
      const bytes = readFileSync(file);
      for (const args of [['sync', '--db', file, '--endpoint', hub.url], ['export', '--db', file, '--format', 'csv']]) {
        const r = await runCli(args);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(why);
        expect(readFileSync(file).equals(bytes)).toBe(true);
      }
    }
    const missing = await runCli(['export', '--db', join(dir, 'nothing.duckdb'), '--format', 'csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no catalog at/);
  });
});
