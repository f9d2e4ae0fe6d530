/**
 * A JSON document written as a stream: `{"collection_info": …, "datasets": [` then one
 * element per line, then `], "summary": …}`. Lifecycle: create (or resume at a checkpoint)
 * → add… → checkpoint()… → finish(summary). Only `finish` makes the file valid JSON, and it
 * can be called at any point (an interrupted run closes with `"complete": false`); a resumed
 * run cuts the file back to the last checkpoint, before the summary, and goes on appending.
 * When a write fails (a full disk), `finish` cuts the file back to the last checkpoint and closes
 * it there with `"complete": false` and that checkpoint's count: each checkpoint reserves room
 * on disk for that tail.
 */
import { BufferedFile } from './buffered-file.js';

/** Bytes a checkpoint keeps on disk past the elements for the closing tail (~150 bytes). */
const TAIL_RESERVE = 1024;

function tail(count: number, summary: object): string {
  return `${count === 0 ? '' : '\n'}],\n"summary":${JSON.stringify(summary)}}\n`;
}

export class JsonCollectionFile {
  #file: BufferedFile;
  #count: number;
  #recordsEnd: number;
  /** elements up to #recordsEnd */
  #durableCount: number;

  private constructor(file: BufferedFile, count: number) {
    this.#file = file;
    this.#count = count;
    this.#recordsEnd = file.offset;
    this.#durableCount = count;
  }

  /** Creates the file (never overwriting one) and writes its head. */
  static async create(path: string, collectionInfo: unknown): Promise<JsonCollectionFile> {
    const file = await BufferedFile.open(path);
    const sink = new JsonCollectionFile(file, 0);
    file.write(`{"collection_info":${JSON.stringify(collectionInfo)},\n"datasets":[`);
    return sink;
  }

  /** Reopens a file written by an earlier run, cut back to `offset` (which held `count` elements). */
  static async resume(path: string, offset: number, count: number): Promise<JsonCollectionFile> {
    return new JsonCollectionFile(await BufferedFile.open(path, offset), count);
  }

  get path(): string {
    return this.#file.path;
  }

  get count(): number {
    return this.#count;
  }

  /** Appends one element (already serialised). Await the result when it is a promise. */
  add(json: string): Promise<void> | undefined {
    const sep = this.#count === 0 ? '\n' : ',\n';
    this.#count += 1;
    return this.#file.write(sep + json);
  }

  /** Makes every element so far durable; returns the offset a resumed run restarts from. */
  async checkpoint(): Promise<number> {
    const count = this.#count;
    this.#recordsEnd = await this.#file.checkpoint(TAIL_RESERVE);
    this.#durableCount = count;
    return this.#recordsEnd;
  }

  /**
   * Writes the summary, closes the document and the file; returns the end of the elements. When
   * the file cannot take them all, it is closed at the last checkpoint instead (still valid JSON,
   * `complete: false`, `total_datasets` the elements it holds) and the write's error is thrown.
   */
  async finish(summary: object): Promise<number> {
    try {
      const end = await this.checkpoint();
      this.#file.write(tail(this.#count, summary));
      await this.#file.close();
      return end;
    } catch (err) {
      this.#count = this.#durableCount;
      await this.#file.recover(this.#recordsEnd, tail(this.#count, { ...summary, total_datasets: this.#count, complete: false })).catch(() => undefined);
      throw err;
    }
  }
}
