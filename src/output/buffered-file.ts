/**
 * An append-only file with a write buffer and an exact byte offset, so a sink can say
 * "everything up to byte N is on disk" (flush + fsync) and a resumed run can cut the file
 * back to that point. Lifecycle: open → write… → checkpoint()… → close(). The buffer MUST be
 * flushed (checkpoint or close) or its tail is lost.
 */
import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_AT = 1 << 20;

export class BufferedFile {
  readonly path: string;
  #fh: FileHandle;
  #pending: string[] = [];
  #pendingBytes = 0;
  #offset: number;

  private constructor(path: string, fh: FileHandle, offset: number) {
    this.path = path;
    this.#fh = fh;
    this.#offset = offset;
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

  /** Appends text; returns a promise only when the buffer had to be flushed (await it). */
  write(text: string): Promise<void> | undefined {
    const bytes = Buffer.byteLength(text);
    this.#pending.push(text);
    this.#pendingBytes += bytes;
    this.#offset += bytes;
    if (this.#pendingBytes >= FLUSH_AT) return this.flush();
    return undefined;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(''), 'utf8');
    const position = this.#offset - this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.#fh.write(data, written, data.length - written, position + written);
      written += bytesWritten;
    }
  }

  /** Flushes and fsyncs: every byte up to `offset` is durable when this resolves. */
  async checkpoint(): Promise<number> {
    await this.flush();
    await this.#fh.sync();
    return this.#offset;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.#fh.sync().catch(() => undefined);
    } finally {
      await this.#fh.close();
    }
  }
}
