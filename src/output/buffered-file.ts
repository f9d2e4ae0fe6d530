/**
 * An append-only file with a write buffer and an exact byte offset, so a sink can say
 * "everything up to byte N is on disk" (flush + fsync) and a resumed run can cut the file
 * back to that point. Lifecycle: open → write… → checkpoint()… → close(). The buffer MUST be
 * flushed (checkpoint or close) or its tail is lost.
 *
 * Text is encoded into a fixed-size Buffer as soon as it is written, so no string outlives the
 * call (held strings survive young-generation GCs, get promoted and inflate the old generation
 * of a long run: bench/RESULTS.md). A full buffer is written at its file position while the next one
 * fills (double buffering); when a buffer fills while the previous one is still being written,
 * `write` returns a promise and the caller waits for it, so a file holds at most 2 buffers
 * (3 while a text larger than a buffer is written).
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Size of each write buffer (and of each write to the OS). */
const BUFFER_BYTES = 256 * 1024;

interface Segment {
  buf: Buffer;
  length: number;
  position: number;
  /** a pool buffer (given back when written), not a one-off for a large text */
  pooled: boolean;
}

export class BufferedFile {
  readonly path: string;
  #fh: FileHandle;
  /** the buffer being filled */
  #buf: Buffer;
  #used = 0;
  /** a written pool buffer ready for reuse */
  #spare: Buffer | null = null;
  /** segments handed over for writing, oldest first; [0] is being written while `#pumping` */
  #queue: Segment[] = [];
  #pumping = false;
  #waiters: Array<() => void> = [];
  #error: unknown = null;
  #offset: number;

  private constructor(path: string, fh: FileHandle, offset: number) {
    this.path = path;
    this.#fh = fh;
    this.#offset = offset;
    this.#buf = Buffer.allocUnsafeSlow(BUFFER_BYTES);
  }

  /**
   * Creates the file (failing if it exists, so a run never overwrites another's file), or with
   * `resumeAt` reopens an existing one and cuts it back to that many bytes.
   */
  static async open(path: string, resumeAt?: number): Promise<BufferedFile> {
    if (resumeAt === undefined) {
      const fh = await open(path, 'wx');
      return new BufferedFile(path, fh, 0);
    }
    const fh = await open(path, 'r+');
    await fh.truncate(resumeAt);
    return new BufferedFile(path, fh, resumeAt);
  }

  /** Bytes written so far, buffered ones included. */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Appends text. Returns a promise only when a full buffer had to be handed over while an
   * earlier one was still being written: await it before writing more (it resolves once
   * everything handed over is with the OS, and rejects when a write to the file failed).
   */
  write(text: string): Promise<void> | undefined {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: most texts fit without measuring them
    const room = BUFFER_BYTES - this.#used;
    const bytes = text.length * 3 <= room ? 0 : Buffer.byteLength(text);
    if (bytes <= room) {
      const n = this.#buf.write(text, this.#used);
      this.#used += n;
      this.#offset += n;
      return undefined;
    }
    this.#handOver();
    if (bytes > BUFFER_BYTES) {
      this.#queue.push({ buf: Buffer.from(text, 'utf8'), length: bytes, position: this.#offset, pooled: false });
      this.#offset += bytes;
    } else {
      const n = this.#buf.write(text, 0);
      this.#used = n;
      this.#offset += n;
    }
    this.#pump();
    if (this.#queue.length <= 1 && this.#error === null) return undefined;
    const waited = this.#until(0);
    waited.catch(() => undefined); // a caller that does not wait still sees the failure at flush/close
    return waited;
  }

  /** Writes everything buffered; resolves when the OS has it all. */
  async flush(): Promise<void> {
    this.#handOver();
    this.#pump();
    await this.#until(0);
  }

  /**
   * Flushes and fsyncs: every byte up to the returned offset is durable when this resolves. With
   * `reserve`, that many bytes past the end are also taken on disk (spaces, overwritten by the
   * next writes), so `recover` can always write a tail that long, even on a full disk.
   */
  async checkpoint(reserve = 0): Promise<number> {
    const end = this.#offset;
    await this.flush();
    if (reserve > 0) await this.#fh.write(Buffer.alloc(reserve, 0x20), 0, reserve, end);
    await this.#fh.sync();
    return end;
  }

  /** Flushes, cuts off what a reservation left past the end, and closes. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.#fh.truncate(this.#offset);
      await this.#fh.sync().catch(() => undefined);
    } finally {
      await this.#fh.close();
    }
  }

  /**
   * After a failed write (a full disk): cuts the file back to `at` (a checkpoint's offset, freeing
   * what was written since, reservation included), writes `tail` there and closes the file.
   */
  async recover(at: number, tail: string): Promise<void> {
    this.#queue = [];
    this.#used = 0;
    try {
      await this.#fh.truncate(at);
      const buf = Buffer.from(tail, 'utf8');
      for (let done = 0; done < buf.length; ) done += (await this.#fh.write(buf, done, buf.length - done, at + done)).bytesWritten;
      await this.#fh.sync();
    } finally {
      await this.#fh.close().catch(() => undefined);
    }
  }

  /** Queues the filled part of the current buffer for writing and takes a fresh one. */
  #handOver(): void {
    if (this.#used === 0) return;
    this.#queue.push({ buf: this.#buf, length: this.#used, position: this.#offset - this.#used, pooled: true });
    this.#buf = this.#spare ?? Buffer.allocUnsafeSlow(BUFFER_BYTES);
    this.#spare = null;
    this.#used = 0;
  }

  /** Writes the queued segments one after another, in order, each at its own position. */
  #pump(): void {
    if (this.#pumping || this.#queue.length === 0) return;
    this.#pumping = true;
    void (async () => {
      while (this.#queue.length > 0) {
        const seg = this.#queue[0]!;
        if (this.#error === null) {
          try {
            for (let done = 0; done < seg.length; ) {
              const { bytesWritten } = await this.#fh.write(seg.buf, done, seg.length - done, seg.position + done);
              done += bytesWritten;
            }
          } catch (err) {
            this.#error = err;
          }
        }
        this.#queue.shift();
        if (seg.pooled && this.#spare === null) this.#spare = seg.buf;
        this.#wake();
      }
      this.#pumping = false;
      this.#wake();
    })();
  }

  /** Resolves once at most `max` segments wait to be written; rejects with a failed write's error. */
  #until(max: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.#error !== null) reject(this.#error);
        else if (this.#queue.length <= max) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
