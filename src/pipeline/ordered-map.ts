/**
 * Maps an async iterable through an async function with up to `window` calls under way at
 * once, yielding results in input order. Memory stays bounded: the source is not read further
 * while `window` results wait. The real limit on requests in flight is the HTTP client's
 * (`--concurrency`); the window only keeps enough work queued to use every slot.
 * When a call fails (e.g. the run was aborted), the results before it are still yielded, then
 * the error is thrown; later results are dropped.
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, fn: (item: T) => Promise<R> | R, window: number): AsyncGenerator<R> {
  const buffer: Array<Promise<R>> = [];
  const track = (p: Promise<R>): Promise<R> => {
    p.catch(() => undefined); // rejections are rethrown when the result's turn comes
    return p;
  };
  try {
    for await (const item of source) {
      buffer.push(track(Promise.resolve().then(() => fn(item))));
      while (buffer.length >= window) yield await buffer.shift()!;
    }
    while (buffer.length > 0) yield await buffer.shift()!;
  } finally {
    buffer.length = 0;
  }
}
