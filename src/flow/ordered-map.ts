/**
 * Maps an async iterable through an async function with up to `window` calls under way at
 * once, yielding results in input order, each as soon as it and every result before it are
 * done. The source is read by a pump of its own, so the work goes on while the consumer is busy
 * (writing a record, making a checkpoint durable) and a slow source never holds back results
 * that are ready.
 *
 * Memory stays bounded: at most `maxHeld` items (running, or done and waiting for an older one
 * to be handed out) are held; the pump stops reading until the consumer takes the oldest.
 * `maxHeld` (by default 16 × `window`, at most 256, never below `window`) is larger than
 * `window` so one slow call (a timeout being retried) does not stall the others: they go on
 * finishing behind it. The real limit on requests in flight is the HTTP
 * client's (`--concurrency`); the window only keeps enough work queued to use every slot.
 *
 * When a call fails (e.g. the run was aborted), the results before it are still yielded, then
 * the error is thrown; later results are dropped. When the source fails, the results already
 * under way are yielded first. When the consumer stops early, the source is closed (once a read
 * already under way has settled) and nothing more is started.
 *
 * `keepOnStop` (optional) names the results worth keeping when the run stops: when a call fails
 * (e.g. the run was aborted), every later result that is already done and passes it is yielded
 * (out of order) before the error is thrown, instead of being dropped. Results that do not pass
 * (markers of progress through the source) are dropped as before.
 */
interface Entry<R> {
  promise: Promise<R>;
  settled: boolean;
  value?: { ok: true; value: R } | { ok: false };
}

export interface OrderedMapOptions<R> {
  /** most items held (running or done, not yet handed out); default 16 × window, at most 256, never below window */
  maxHeld?: number;
  /** which finished results are still handed out when a call fails (see above) */
  keepOnStop?: (result: R) => boolean;
}

export async function* orderedMap<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R> | R,
  window: number,
  options: number | OrderedMapOptions<R> = {},
): AsyncGenerator<R> {
  const opts: OrderedMapOptions<R> = typeof options === 'number' ? { maxHeld: options } : options;
  const it = source[Symbol.asyncIterator]();
  const running = Math.max(1, window);
  const held = Math.max(running, opts.maxHeld ?? Math.min(running * 16, 256));
  const keepOnStop = opts.keepOnStop ?? null;
  const buffer: Array<Entry<R>> = [];
  let active = 0;
  let sourceDone = false;
  let sourceError: { error: unknown } | null = null;
  let stopped = false;

  /** resolves (and is replaced) whenever anything changes: a call settles, an item starts, the source ends, the consumer takes one */
  let wake!: () => void;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = (): void => {
    const w = wake;
    changed = new Promise<void>((resolve) => (wake = resolve));
    w();
  };

  const start = (item: T): void => {
    active += 1;
    const entry: Entry<R> = { promise: Promise.resolve().then(() => fn(item)), settled: false };
    const done = (): void => {
      entry.settled = true;
      active -= 1;
      notify();
    };
    // a rejection is rethrown when the result's turn comes
    entry.promise.then(
      (value) => {
        entry.value = { ok: true, value };
        done();
      },
      () => {
        entry.value = { ok: false };
        done();
      },
    );
    buffer.push(entry);
    notify();
  };

  const pump = async (): Promise<void> => {
    try {
      while (!stopped) {
        if (buffer.length >= held || active >= running) {
          await changed;
          continue;
        }
        const r = await it.next();
        if (r.done) {
          sourceDone = true;
          break;
        }
        if (stopped) break; // read after the consumer left: dropped
        start(r.value);
      }
    } catch (error) {
      sourceError = { error };
      sourceDone = true;
    } finally {
      notify();
    }
  };
  const pumping = pump();
  let finished = false;

  try {
    for (;;) {
      if (buffer.length > 0 && buffer[0]!.settled) {
        const entry = buffer.shift()!;
        notify();
        if (entry.value?.ok === false && keepOnStop !== null) {
          // stopping: hand out what is done instead of dropping it
          stopped = true;
          for (const e of buffer.splice(0)) if (e.value?.ok === true && keepOnStop(e.value.value)) yield e.value.value;
        }
        yield await entry.promise;
        continue;
      }
      if (buffer.length === 0 && sourceDone) {
        finished = true;
        const failure = sourceError as { error: unknown } | null; // set by the pump
        if (failure) throw failure.error;
        return;
      }
      await changed;
    }
  } finally {
    stopped = true;
    buffer.length = 0;
    notify();
    if (!finished) {
      // close the source once the pump has let go of it (an async generator queues return()
      // behind a pending next(): do not wait for that here)
      void pumping.then(() => (sourceDone ? undefined : it.return?.())).catch(() => undefined);
    }
  }
}
