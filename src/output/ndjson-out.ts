/**
 * NDJSON to a writable (stdout): one record a line, with backpressure (a slow reader slows the
 * run instead of filling memory). When the reader goes away (EPIPE, e.g. `| head`), `closed`
 * becomes true and `onClose` is called once so the run can stop quietly; later writes are dropped.
 */
import type { Writable } from 'node:stream';

export class NdjsonOut {
  readonly #out: Writable;
  #closed = false;
  #onClose: () => void;
  #waiters: Array<() => void> = [];

  constructor(out: Writable, onClose: () => void) {
    this.#out = out;
    this.#onClose = onClose;
    out.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE / ERR_STREAM_DESTROYED: the reader is gone; anything else also ends our output
      void err;
      this.#close();
    });
    out.on('close', () => this.#close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one line; returns a promise when the reader is behind (await it). */
  write(json: string): Promise<void> | undefined {
    return this.writeBytes(json + '\n');
  }

  /** Writes lines already ended by their newlines, as they are. */
  writeBytes(lines: Uint8Array | string): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#out.write(lines)) return undefined;
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.#out.once('drain', () => this.#wake());
    });
  }

  /**
   * Resolves when everything written has been handed to the OS (or the reader is gone), so the
   * process may exit right after. A write can return true and still be queued in the stream
   * (below its highWaterMark, e.g. a pipe whose reader is behind): `writableNeedDrain` is false
   * then and no 'drain' comes, so this waits for the callback of an empty write, which comes
   * only after every write before it has been handed over.
   */
  async end(): Promise<void> {
    if (this.#closed || this.#out.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.#out.write('', () => resolve());
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    this.#onClose();
  }
}
