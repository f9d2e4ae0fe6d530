/**
 * NdjsonOut over a writable whose writes are handed over only when the test says so (a pipe
 * whose reader is behind): end() must not resolve while a line is still queued in the stream,
 * since the CLI exits (process.exit) right after it.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonOut } from '../src/output/ndjson-out.js';

/** A writable that holds every write until `release()`; `handed` is what has been handed over so far. */
function heldWritable(highWaterMark: number) {
  const held: Array<{ chunk: Buffer; callback: (error?: Error | null) => void }> = [];
  const handed: string[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      held.push({ chunk, callback });
    },
  });
  const release = (): boolean => {
    const w = held.shift();
    if (!w) return false;
    handed.push(w.chunk.toString());
    w.callback();
    return true;
  };
  return { stream, held, handed, release };
}

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('NdjsonOut', () => {
  it('end() waits for the last line a write accepted (true) but still holds, not only for drain', async () => {
    const w = heldWritable(16 * 1024);
    const out = new NdjsonOut(w.stream, () => undefined);
    expect(out.write('{"id":"a"}')).toBeUndefined(); // below the highWaterMark: no backpressure
    expect(out.write('{"id":"b"}')).toBeUndefined();
    expect(w.stream.writableNeedDrain).toBe(false); // no 'drain' will come

    let handedAtEnd: string | null = null;
    const ended = out.end().then(() => (handedAtEnd = w.handed.join('')));
    await ticks();
    expect(handedAtEnd).toBeNull(); // the lines are still in the stream: exiting now would lose them

    while (handedAtEnd === null && w.release()) await ticks(1);
    await ended;
    expect(handedAtEnd).toBe('{"id":"a"}\n{"id":"b"}\n');
  });

  it('end() resolves at once when everything is handed over, and when the reader goes away', async () => {
    const idle = heldWritable(16 * 1024);
    await new NdjsonOut(idle.stream, () => undefined).end();

    const w = heldWritable(16 * 1024);
    let closed = 0;
    const out = new NdjsonOut(w.stream, () => (closed += 1));
    out.write('{"id":"a"}');
    const ended = out.end();
    await ticks();
    w.stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await ended;
    expect(closed).toBe(1);
    expect(out.closed).toBe(true);
    expect(out.write('{"id":"b"}')).toBeUndefined(); // dropped
  });
});
