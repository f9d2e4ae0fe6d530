/**
 * A JSON document written as a stream: `{"collection_info": …, "datasets": [` then one
 * element per line, then `], "summary": …}`. Lifecycle: create (or resume at a checkpoint)
 * → add… → checkpoint()… → finish(summary). Only `finish` makes the file valid JSON, and it
 * can be called at any point (an interrupted run closes with `"complete": false`); a resumed
 * run cuts the file back to the last checkpoint, before the summary, and goes on appending.
 */
import { BufferedFile } from './buffered-file.js';

export class JsonCollectionFile {
  #file: BufferedFile;
  #count: number;
  #recordsEnd: number;

  private constructor(file: BufferedFile, count: number) {
    this.#file = file;
    this.#count = count;
    this.#recordsEnd = file.offset;
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
    this.#recordsEnd = await this.#file.checkpoint();
    return this.#recordsEnd;
  }

  /** Writes the summary, closes the document and the file; returns the end of the elements. */
  async finish(summary: unknown): Promise<number> {
    const end = await this.checkpoint();
    this.#file.write(`${this.#count === 0 ? '' : '\n'}],\n"summary":${JSON.stringify(summary)}}\n`);
    await this.#file.close();
    return end;
  }
}
