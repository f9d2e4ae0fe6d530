/**
 * The dataset viewer's own documented `/size` answers (fixtures/viewer/, copied verbatim from
 * huggingface/dataset-viewer: see fixtures/README.md), served as they are by the fake viewer and
 * read by the real CLI (`collect --viewer-stats`): ylecun/mnist (the current shape, estimates
 * null), allenai/atomic (nothing sized, its only subset failed: the zeros are not rows) and
 * ibm/duorc (an older answer without `estimated_num_rows`).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { DatasetRecord } from '../src/types.js';
import { ndjsonLines, ROOT, runCli, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { startFakeViewer, type FakeViewer } from './helpers/fake-viewer.js';
import { expectRecordShape } from './helpers/record-shape.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const fixture = (name: string): string => readFileSync(join(ROOT, 'fixtures', 'viewer', name), 'utf8');
const DOCS = { 'ylecun/mnist': 'size-ylecun-mnist.json', 'allenai/atomic': 'size-allenai-atomic.json', 'ibm/duorc': 'size-ibm-duorc.json' };

const split = (config: string, name: string, rows: number, parquet: number, memory: number, columns: number) =>
  ({ config, split: name, num_rows: rows, estimated_num_rows: null, num_columns: columns, num_bytes_parquet_files: parquet, num_bytes_memory: memory });

describe('the viewer\'s documented answers through collect --viewer-stats', () => {
  it('reads mnist, atomic and duorc as the docs mean them', async () => {
    const ids = Object.keys(DOCS);
    const hub: FakeHub = await startFakeHub({ datasets: ids.map((id, i) => ({ id, sha: String(i + 1).repeat(40), tags: [] })) });
    const viewer: FakeViewer = await startFakeViewer({
      scenarios: Object.fromEntries(Object.entries(DOCS).map(([id, file]) => [id, { kind: 'body', text: fixture(file) } as const])),
    });
    closers.push(() => hub.close(), () => viewer.close());
    const out = tempDir('hfds-viewer-docs-');
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));

    const r = await runCli(['collect', '--all', '--ndjson', '--viewer-stats', '--viewer-endpoint', viewer.url, '--endpoint', hub.url]);
    expect(r.code, r.stderr).toBe(0);
    const records = ndjsonLines(r.stdout) as DatasetRecord[];
    expect(records.map((x) => x.id).sort()).toEqual([...ids].sort());
    const byId = new Map(records.map((x) => [x.id, x]));
    for (const rec of records) {
      expectRecordShape(rec);
      expect(rec.errors).toEqual([]);
    }

    expect(byId.get('ylecun/mnist')!.viewer).toEqual({
      available: true, partial: false, num_rows: 70000, estimated_num_rows: null,
      num_bytes_original_files: 11594722, num_bytes_parquet_files: 18157506, num_bytes_memory: 20387582,
      pending: [], failed: [],
      splits: [split('mnist', 'train', 60000, 15561616, 17471100, 2), split('mnist', 'test', 10000, 2595890, 2916482, 2)],
    });
    // nothing could be measured: no rows and no bytes known, not an empty dataset
    expect(byId.get('allenai/atomic')!.viewer).toEqual({
      available: true, partial: false, num_rows: null, estimated_num_rows: null,
      num_bytes_original_files: null, num_bytes_parquet_files: null, num_bytes_memory: null,
      pending: [], failed: ['atomic'], splits: [],
    });
    expect(byId.get('ibm/duorc')!.viewer).toEqual({
      available: true, partial: false, num_rows: 187213, estimated_num_rows: null,
      num_bytes_original_files: 58710973, num_bytes_parquet_files: 58710973, num_bytes_memory: 1060742354,
      pending: [], failed: [],
      splits: [
        split('ParaphraseRC', 'train', 69524, 26005668, 494389683, 7), split('ParaphraseRC', 'validation', 15591, 5566868, 106733319, 7),
        split('ParaphraseRC', 'test', 15857, 6136591, 103271281, 7), split('SelfRC', 'train', 60721, 14851720, 248966361, 7),
        split('SelfRC', 'validation', 12961, 3114390, 56359392, 7), split('SelfRC', 'test', 12559, 3035736, 51022318, 7),
      ],
    });
    // one /size request per dataset, each answered with the docs' body
    expect(viewer.requests.map((q) => [q.dataset, q.status]).sort()).toEqual(ids.map((id) => [id, 200]).sort());
  });
});
