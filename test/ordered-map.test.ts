import { describe, expect, it } from 'vitest';
import { orderedMap } from '../src/flow/ordered-map.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function* range(n: number, onRead?: (i: number) => void): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    onRead?.(i);
    yield i;
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('orderedMap', () => {
  it('yields in input order whatever order the calls finish in, with at most `window` calls at once', async () => {
    let running = 0;
    let most = 0;
    const out = await collect(
      orderedMap(range(200), async (i) => {
        running += 1;
        most = Math.max(most, running);
        await sleep(Math.random() * 10);
        running -= 1;
        return i * 2;
      }, 8),
    );
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    expect(most).toBe(8);
  });

  it('holds at most `maxHeld` items: a slow first call lets the others finish behind it, up to the bound', async () => {
    let read = 0;
    const first = orderedMap(range(1000, () => (read += 1)), async (i) => {
      await sleep(i === 0 ? 200 : 1);
      return i;
    }, 4, 40);
    const it = first[Symbol.asyncIterator]();
    const a = await it.next();
    expect(a.value).toBe(0);
    expect(read).toBeLessThanOrEqual(41 + 1);
    expect(read).toBeGreaterThanOrEqual(40);
    await it.return(undefined);
  });

  it('hands out a result as soon as it is ready, while the source still waits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slowSource(): AsyncGenerator<number> {
      yield 1;
      await gate;
      yield 2;
    }
    const it = orderedMap(slowSource(), async (i) => i * 10, 4)[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 10, done: false });
    release();
    expect(await it.next()).toEqual({ value: 20, done: false });
    expect((await it.next()).done).toBe(true);
  });

  it('keeps working while the consumer is busy', async () => {
    let started = 0;
    const it = orderedMap(range(50), async (i) => {
      started += 1;
      await sleep(1);
      return i;
    }, 5, 20)[Symbol.asyncIterator]();
    await it.next();
    const before = started;
    await sleep(100); // the consumer is busy writing
    expect(started).toBeGreaterThan(before);
    expect(started).toBeLessThanOrEqual(21);
    await it.return(undefined);
  });

  it('yields the results before a failed call, then throws its error', async () => {
    const out: number[] = [];
    const err = await (async () => {
      for await (const x of orderedMap(range(20), async (i) => {
        await sleep(i === 5 ? 20 : 1);
        if (i === 5) throw new Error('call 5 failed');
        return i;
      }, 4)) out.push(x);
    })().catch((e: Error) => e);
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect((err as Error).message).toBe('call 5 failed');
  });

  it('yields the results under way before the source error', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('listing failed');
    }
    const out: number[] = [];
    const err = await (async () => {
      for await (const x of orderedMap(failing(), async (i) => {
        await sleep(10);
        return i;
      }, 4)) out.push(x);
    })().catch((e: Error) => e);
    expect(out).toEqual([1, 2]);
    expect((err as Error).message).toBe('listing failed');
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const x of orderedMap(source(), async (i) => i, 4)) if (x === 3) break;
    await sleep(10);
    expect(closed).toBe(true);
  });
});

describe('orderedMap with keepOnStop', () => {
  it('while running, a slow call holds up the output (in order) but not the calls behind it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = 0;
    const it = orderedMap(range(20), async (i) => {
      if (i === 0) await gate;
      finished += 1;
      return i;
    }, 20, { maxHeld: 20, keepOnStop: () => true })[Symbol.asyncIterator]();
    const first = it.next();
    while (finished < 19) await sleep(1);
    release();
    expect((await first).value).toBe(0);
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it('when a call fails, every finished result worth keeping is handed out before the error', async () => {
    const got: number[] = [];
    let fail!: (e: Error) => void;
    const failing = new Promise<never>((_, reject) => (fail = reject));
    const run = (async () => {
      for await (const x of orderedMap(range(7), async (i) => {
        if (i === 0) return failing;
        if (i === 3) return new Promise<number>(() => undefined); // never settles
        return i;
      }, 7, { keepOnStop: (x: number) => x !== 6 })) got.push(x);
    })();
    await sleep(20);
    fail(new Error('stopped'));
    await expect(run).rejects.toThrow('stopped');
    expect(got).toEqual([1, 2, 4, 5]);
  });
});
