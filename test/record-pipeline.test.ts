/**
 * The one record pipeline (src/flow/pipeline.ts) with enrichers of its own shape: order, page
 * markers, the window (a record whose fetch hangs does not hold up the fetches behind it), the
 * stop rule (finished records kept, markers after the failure dropped), and the catalog's
 * carry / fetch plan. No network: the enrichers here are plain functions.
 */
import { describe, expect, it } from 'vitest';
import type { EnrichContext, Enricher } from '../src/enrichers/enricher.js';
import { enrichFileSizes, fileSizes, transformWindow } from '../src/enrichers/file-sizes.js';
import { createHubClient } from '../src/client.js';
import { WINDOW } from '../src/flow/pipeline.js';
import { ENRICHERS, enabledEnrichers } from '../src/enrichers/index.js';
import { viewerRefetch, viewerStatistics } from '../src/enrichers/viewer-stats.js';
import { AbortedError } from '../src/errors.js';
import { recordPipeline, type Flow, type RecordItem } from '../src/flow/pipeline.js';
import type { ViewerAnswer } from '../src/hub/viewer.js';
import { emptyRecord } from '../src/record/build.js';
import type { DatasetRecord } from '../src/types.js';

const ENDPOINT = 'https://huggingface.co';
const ctx = { client: null, viewer: null, endpoint: ENDPOINT, signal: new AbortController().signal } as unknown as EnrichContext;
const rec = (id: string): DatasetRecord => emptyRecord(id, { endpoint: ENDPOINT, collectedAt: '2024-01-01T00:00:00.000Z' });

async function* flowOf(items: Flow[]): AsyncGenerator<Flow> {
  for (const f of items) yield f;
}

async function drain(flow: AsyncIterable<Flow>): Promise<Flow[]> {
  const out: Flow[] = [];
  for await (const f of flow) out.push(f);
  return out;
}

/** An enricher that tags each record's description with its name; `gate` decides when each fetch answers. */
function tagger(name: string, gate: (id: string) => Promise<void> = async () => undefined, log: string[] = []): Enricher<string> {
  return {
    name,
    path: `$.${name}`,
    enabled: () => true,
    async fetch(record) {
      log.push(`${name}:${record.id}`);
      await gate(record.id);
      return `${name}(${record.id})`;
    },
    merge: (record, answer) => ({ ...record, info: { ...record.info, description: `${record.info.description ?? ''}+${answer}` } }),
    refetch: (answer) => answer.includes('again'),
    part: (record) => record.info.description,
    carry: (fresh, kept) => ({ ...fresh, info: { ...fresh.info, description: `kept:${String(kept)}` } }),
  };
}

const ids = (flow: Flow[]): string[] => flow.map((f) => (f.kind === 'record' ? f.record.id : `page:${f.next}`));

describe('recordPipeline', () => {
  it('enriches every record through each enricher in turn, in input order, markers in place', async () => {
    const source: Flow[] = [
      { kind: 'record', record: rec('a/1') },
      { kind: 'record', record: rec('a/2') },
      { kind: 'page', page: 'p1', next: 'p2' },
      { kind: 'record', record: rec('a/3') },
      { kind: 'page', page: 'p2', next: null },
    ];
    // later records answer first
    const gate = (id: string): Promise<void> => new Promise((r) => setTimeout(r, id === 'a/1' ? 30 : 1));
    const out = await drain(recordPipeline(flowOf(source), [tagger('x', gate), tagger('y')], ctx));
    expect(ids(out)).toEqual(['a/1', 'a/2', 'page:p2', 'a/3', 'page:null']);
    const first = out[0] as RecordItem;
    expect(first.record.info.description).toBe('+x(a/1)+y(a/1)');
    expect(first.fetched).toEqual([{ name: 'x', refetch: false }, { name: 'y', refetch: false }]);
  });

  it('a record whose fetch hangs does not hold up the fetches of the records behind it (the window)', async () => {
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const log: string[] = [];
    const n = 300;
    const source: Flow[] = Array.from({ length: n }, (_, i) => ({ kind: 'record', record: rec(`r/${i}`) }));
    const flow = recordPipeline(flowOf(source), [tagger('x', (id) => (id === 'r/0' ? hung : Promise.resolve()), log)], ctx);
    const it = flow[Symbol.asyncIterator]();
    const first = it.next();
    // every other record is fetched while the first one still waits
    while (log.length < n) await new Promise((r) => setTimeout(r, 1));
    expect(new Set(log).size).toBe(n);
    release();
    expect(((await first).value as RecordItem).record.id).toBe('r/0');
    let rest = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) rest += 1;
    expect(rest).toBe(n - 1);
  });

  it('when a fetch stops the run, the records already finished are still handed out, later markers are not', async () => {
    let fail!: (e: Error) => void;
    const stop = new Promise<void>((_, reject) => (fail = reject));
    stop.catch(() => undefined);
    const source: Flow[] = [
      { kind: 'record', record: rec('s/0') },
      { kind: 'page', page: 'p1', next: 'p2' },
      { kind: 'record', record: rec('s/1') },
      { kind: 'record', record: rec('s/2') },
      { kind: 'page', page: 'p2', next: 'p3' },
    ];
    const done: string[] = [];
    const enricher = tagger('x', async (id) => {
      if (id === 's/1') return stop;
      done.push(id);
    });
    const out: Flow[] = [];
    const run = (async () => {
      for await (const f of recordPipeline(flowOf(source), [enricher], ctx)) out.push(f);
    })();
    while (done.length < 2) await new Promise((r) => setTimeout(r, 1));
    fail(new AbortedError());
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(ids(out)).toEqual(['s/0', 'page:p2', 's/2']);
  });

  it('carries what the item says, fetches only what it names, and without fetching carries synchronously', async () => {
    const log: string[] = [];
    const x = tagger('x', undefined, log);
    const y = tagger('y', undefined, log);
    const item: RecordItem = { kind: 'record', record: rec('c/1'), carry: new Map([['x', 'stored']]), fetch: new Set(['y']) };
    const [out] = (await drain(recordPipeline(flowOf([item]), [x, y], ctx))) as RecordItem[];
    expect(out!.record.info.description).toBe('kept:stored+y(c/1)');
    expect(out!.fetched).toEqual([{ name: 'y', refetch: false }]);
    expect(log).toEqual(['y:c/1']);

    const carried = (await drain(recordPipeline(flowOf([{ ...item, fetch: new Set() }]), [x, y], ctx, { fetching: false }))) as RecordItem[];
    expect(carried[0]!.record.info.description).toBe('kept:stored');
    expect(log).toEqual(['y:c/1']);
  });

  it('without enrichers the flow is passed on as it is', async () => {
    const source = flowOf([{ kind: 'record', record: rec('n/1') }]);
    expect(recordPipeline(source, [], ctx)).toBe(source);
  });
});

describe('the enrichers', () => {
  it('are listed in the order they run, and enabled by their option', () => {
    expect(ENRICHERS.map((e) => e.name)).toEqual(['file_sizes', 'viewer']);
    expect(enabledEnrichers({ fileSizes: false, viewerStats: true }).map((e) => e.name)).toEqual(['viewer']);
    expect(enabledEnrichers({ fileSizes: true, viewerStats: false }).map((e) => e.name)).toEqual(['file_sizes']);
  });

  it('the viewer answer is fetched again when it failed, was not ready or has pending subsets, kept otherwise', () => {
    const error = { stage: 'viewer' as const, status: 500, code: 'ETL_HTTP_STATUS', message: 'HTTP 500' };
    const cases: Array<[ViewerAnswer, boolean]> = [
      [{ viewer: { available: false, reason: 'ResponseNotReady' }, error: null }, true],
      [{ viewer: { available: false, reason: 'HTTP 500' }, error }, true],
      [{ viewer: { available: false, reason: 'ResponseNotFound' }, error: null }, false],
      [{ viewer: { available: true, partial: false, num_rows: 3, estimated_num_rows: null, num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null, pending: [], failed: [], splits: [] }, error: null }, false],
      [{ viewer: { available: true, partial: false, num_rows: 3, estimated_num_rows: null, num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null, pending: ['b'], failed: [], splits: [] }, error: null }, true],
      [{ viewer: { available: true, partial: false, num_rows: null, estimated_num_rows: null, num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null, pending: [], failed: ['atomic'], splits: [] }, error: null }, false],
    ];
    for (const [answer, again] of cases) {
      expect(viewerRefetch(answer)).toBe(again);
      expect(viewerStatistics.refetch(answer)).toBe(again);
    }
    // merged: the block replaces the record's, a failure adds an errors entry
    const merged = viewerStatistics.merge(rec('v/1'), cases[1]![0]);
    expect(merged.viewer).toEqual({ available: false, reason: 'HTTP 500' });
    expect(merged.errors).toEqual([error]);
  });

  it('carry puts back a kept part only when it has the part\'s shape', () => {
    const fresh = rec('k/1');
    expect(fileSizes.carry(fresh, 'not a file list', ENDPOINT)).toBe(fresh);
    const files = [{ path: 'data/train.parquet', size: 10, lfs: true }];
    expect(fileSizes.carry(fresh, files, ENDPOINT).files.map((f) => f.path)).toEqual(['data/train.parquet']);
    expect(viewerStatistics.carry(fresh, { nonsense: true }, ENDPOINT)).toBe(fresh);
    expect(viewerStatistics.carry(fresh, { available: false, reason: 'ResponseNotFound' }, ENDPOINT).viewer).toEqual({ available: false, reason: 'ResponseNotFound' });
  });
});

describe('the library Transforms\' window', () => {
  it('is `window` (or its old name `concurrency`), else the pipeline\'s default, and is checked at once', async () => {
    expect(transformWindow({})).toBe(WINDOW);
    expect(transformWindow({ window: 16 })).toBe(16);
    expect(transformWindow({ concurrency: 6 })).toBe(6);
    expect(transformWindow({ window: 3, concurrency: 6 })).toBe(3);
    const client = createHubClient({ endpoint: 'http://127.0.0.1:9', token: null }, {});
    try {
      expect(() => enrichFileSizes(client, { window: 0 })).toThrow(/window must be a whole number from 1 to 65536, got 0/);
      expect(() => enrichFileSizes(client, { concurrency: 1.5 })).toThrow(/concurrency must be a whole number/);
    } finally {
      await client.close();
    }
  });
});
