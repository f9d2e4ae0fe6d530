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
 * `overtake` (optional) names the results that may leave out of order, so one call that takes
 * long (a dataset whose requests are being retried) never stalls the others:
 * - when `maxHeld` items are held and the oldest is still running, the oldest finished result
 *   that may overtake is yielded ahead of it (the others keep their order);
 * - when a call fails (the run is stopping), every result that is already done and may overtake
 *   is yielded before the error is thrown, instead of being dropped.
 * Results that may not overtake (markers of progress through the source) always wait for every
 * result before them.
 */
interface Entry<R> {
  promise: Promise<R>;
  settled: boolean;
  value?: { ok: true; value: R } | { ok: false };
}

export interface OrderedMapOptions<R> {
  /** most items held (running or done, not yet handed out); default 16 × window, at most 256, never below window */
  maxHeld?: number;
  /** which results may be handed out ahead of older ones that are still running (see above) */
  overtake?: (result: R) => boolean;
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
  const overtake = opts.overtake ?? null;
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

  /** index of the oldest finished result that may overtake, or -1 */
  const overtaker = (): number => (overtake === null ? -1 : buffer.findIndex((e) => e.value?.ok === true && overtake(e.value.value)));

  try {
    for (;;) {
      if (buffer.length > 0 && buffer[0]!.settled) {
        const entry = buffer.shift()!;
        notify();
        if (entry.value?.ok === false && overtake !== null) {
          // stopping: hand out what is done instead of dropping it
          stopped = true;
          for (const e of buffer.splice(0)) if (e.value?.ok === true && overtake(e.value.value)) yield e.value.value;
        }
        yield await entry.promise;
        continue;
      }
      if (buffer.length >= held) {
        const i = overtaker();
        if (i > 0) {
          const [entry] = buffer.splice(i, 1);
          notify();
          yield (entry!.value as { ok: true; value: R }).value;
          continue;
        }
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
