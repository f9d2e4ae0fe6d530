/**
 * `npm run bench:primitives [-- NAME…]`: each hand-written piece against the library that could
 * replace it, on the same work, in separate child processes (so one's heap does not bias the
 * other's). Names: sleep, file, map, json (default: all). Prints time and peak heap.
 *
 *   sleep  the hand-written timer sleep.ts had vs node:timers/promises (what src/util/sleep.ts now wraps)
 *   file   src/output/buffered-file.ts  vs fs.createWriteStream (+ fsync checkpoints)
 *   map    src/flow/ordered-map.ts  vs p-map pMapIterable
 *   json   src/hub/json-array.ts        vs stream-json 1.9 parser + streamArray
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, fsync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pMapIterable } from 'p-map';
import { BufferedFile } from '../src/output/buffered-file.js';
import { orderedMap } from '../src/flow/ordered-map.js';
import { jsonArrayElements } from '../src/hub/json-array.js';
import { AbortedError } from '../src/errors.js';
import { sleep } from '../src/util/sleep.js';
import { syntheticDataset } from '../test/helpers/corpus.js';

type Case = { name: string; run: () => Promise<number> };

/** Runs fn, sampling the heap every 5 ms; returns seconds and peak heap growth in MB. */
async function measure(fn: () => Promise<number>): Promise<{ seconds: number; peakMb: number; n: number }> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  let peak = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
  }, 5);
  const t0 = performance.now();
  const n = await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const m = process.memoryUsage();
  peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
  return { seconds, peakMb: peak / 2 ** 20, n };
}

// --- sleep: 100 rounds of 500 concurrent 1 ms sleeps sharing one signal (as a run's requests
// share its signal), then 500 pending ones aborted each round
async function sleeps(impl: (ms: number, signal: AbortSignal) => Promise<void>): Promise<number> {
  for (let round = 0; round < 100; round++) {
    const ac = new AbortController();
    await Promise.all(Array.from({ length: 500 }, () => impl(1, ac.signal)));
    const pending = Array.from({ length: 500 }, () => impl(60_000, ac.signal).catch(() => undefined));
    ac.abort();
    await Promise.all(pending);
  }
  return 100_000;
}

/** The hand-written abortable timer src/util/sleep.ts had before it wrapped timers/promises. */
function handSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// --- file: 60,000 records of ~2 KB, a durable checkpoint every 1,000
const RECORDS = 60_000;
const line = (i: number): string => JSON.stringify(syntheticDataset(i, RECORDS)) + '\n';

async function bufferedFile(dir: string): Promise<number> {
  const f = await BufferedFile.open(join(dir, 'a.json'));
  for (let i = 0; i < RECORDS; i++) {
    const w = f.write(line(i));
    if (w) await w;
    if (i % 1000 === 999) await f.checkpoint();
  }
  await f.close();
  return RECORDS;
}

async function writeStream(dir: string): Promise<number> {
  const ws = createWriteStream(join(dir, 'b.json'), { flags: 'wx', highWaterMark: 256 * 1024 });
  await once(ws, 'open');
  const fd = (ws as unknown as { fd: number }).fd;
  for (let i = 0; i < RECORDS; i++) {
    if (!ws.write(line(i))) await once(ws, 'drain');
    if (i % 1000 === 999) {
      // durable up to here: everything handed to the OS, then fsync
      await new Promise<void>((resolve, reject) => ws.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
      await promisify(fsync)(fd);
    }
  }
  ws.end();
  await once(ws, 'close');
  return RECORDS;
}

// --- map: 100,000 items, each an async call of 0–2 event-loop turns, window 8, in order
const ITEMS = 100_000;
async function* numbers(): AsyncGenerator<number> {
  for (let i = 0; i < ITEMS; i++) yield i;
}
const work = async (i: number): Promise<number> => {
  for (let k = 0; k < i % 3; k++) await tick();
  return i;
};
async function consume(it: AsyncIterable<number>): Promise<number> {
  let expect = 0;
  for await (const v of it) {
    if (v !== expect) throw new Error(`out of order: ${v} for ${expect}`);
    expect += 1;
  }
  return expect;
}

// --- json: 40 listing pages of 1,000 synthetic items (~2.3 MB each), fed in 64 KB chunks
const PAGES = 40;
const page = Buffer.from(JSON.stringify(Array.from({ length: 1000 }, (_, i) => syntheticDataset(i, 1000))));
function* chunks(): Generator<Buffer> {
  for (let p = 0; p < PAGES; p++) for (let o = 0; o < page.length; o += 65_536) yield page.subarray(o, o + 65_536);
}
async function ownSplitter(): Promise<number> {
  let n = 0;
  for (let p = 0; p < PAGES; p++) {
    const one = (function* () {
      for (let o = 0; o < page.length; o += 65_536) yield page.subarray(o, o + 65_536);
    })();
    for await (const item of jsonArrayElements(Readable.from(one, { objectMode: false }))) if (item) n += 1;
  }
  return n;
}
async function streamJson(): Promise<number> {
  const { parser } = (await import('stream-json')).default;
  const { streamArray } = (await import('stream-json/streamers/StreamArray.js')).default;
  let n = 0;
  for (let p = 0; p < PAGES; p++) {
    const one = (function* () {
      for (let o = 0; o < page.length; o += 65_536) yield page.subarray(o, o + 65_536);
    })();
    const items = Readable.from(one, { objectMode: false }).pipe(parser()).pipe(streamArray());
    for await (const item of items) if ((item as { value: unknown }).value) n += 1;
  }
  return n;
}
void chunks;

function withDir(fn: (dir: string) => Promise<number>): () => Promise<number> {
  return async () => {
    const dir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'bench-file-'));
    try {
      return await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const CASES: Record<string, Case[]> = {
  sleep: [
    { name: 'hand-written timer (before)', run: () => sleeps(handSleep) },
    { name: 'timers/promises setTimeout', run: () => sleeps((ms, signal) => delay(ms, undefined, { signal })) },
    { name: 'util/sleep.ts (timers/promises + AbortedError)', run: () => sleeps(sleep) },
  ],
  file: [
    { name: 'output/buffered-file.ts', run: withDir(bufferedFile) },
    { name: 'fs.createWriteStream', run: withDir(writeStream) },
  ],
  map: [
    { name: 'pipeline/ordered-map.ts (window 8)', run: () => consume(orderedMap(numbers(), work, 8)) },
    { name: 'p-map pMapIterable (concurrency 8)', run: () => consume(pMapIterable(numbers(), work, { concurrency: 8 })) },
    { name: 'p-map pMapIterable (concurrency 8, backpressure 128)', run: () => consume(pMapIterable(numbers(), work, { concurrency: 8, backpressure: 128 })) },
  ],
  json: [
    { name: 'hub/json-array.ts', run: ownSplitter },
    { name: 'stream-json 1.9 parser + streamArray', run: streamJson },
  ],
};

const [mode, group, index] = process.argv.slice(2);
if (mode === '--child') {
  const c = CASES[group!]![Number(index)]!;
  const r = await measure(c.run);
  process.stdout.write(JSON.stringify(r));
} else {
  const groups = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CASES);
  const self = fileURLToPath(import.meta.url);
  for (const g of groups) {
    if (!CASES[g]) {
      process.stderr.write(`unknown group ${JSON.stringify(g)}; use ${Object.keys(CASES).join(', ')}\n`);
      process.exit(2);
    }
    process.stdout.write(`\n${g}\n`);
    for (let i = 0; i < CASES[g]!.length; i++) {
      const runs = [0, 1, 2].map(() => {
        const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', g, String(i)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        return JSON.parse(r.stdout) as { seconds: number; peakMb: number; n: number };
      });
      const secs = runs.map((r) => r.seconds).sort((a, b) => a - b)[1]!;
      const peak = Math.max(...runs.map((r) => r.peakMb));
      process.stdout.write(`  ${CASES[g]![i]!.name.padEnd(55)} median ${secs.toFixed(3).padStart(7)} s   peak heap+buffers ${peak.toFixed(1).padStart(7)} MB   (${runs[0]!.n} items)\n`);
    }
  }
}
