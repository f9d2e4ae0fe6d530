/**
 * `datasetSource`: the listing as a Readable of records (object mode).
 *
 * Lifecycle: the first read starts the listing; records are pushed until the stream's buffer is
 * full (backpressure), then reading the page waits. Destroying the stream (or leaving a
 * `for await` early, which destroys it) aborts the request under way and closes the listing:
 * no further page is requested and the socket is given back.
 */
import { Readable } from 'node:stream';
import type { HubClientHandle } from '../client.js';
import { firstPagePath, listDatasets } from '../hub/list.js';
import type { DatasetRecord } from '../types.js';
import { dedupe } from '../flow/dedupe.js';
import { compose, recordsOf } from '../flow/pipeline.js';
import { normalizeQuery, type Query } from './query.js';
import { cutOff, toRecords } from '../flow/records.js';

export interface SourceOptions {
  /** called with each warning (a skipped item, a page size the Hub refused) */
  onWarning?: (message: string) => void;
}

class DatasetSource extends Readable {
  readonly #records: AsyncGenerator<DatasetRecord>;
  readonly #abort: AbortController;
  #reading = false;

  constructor(records: AsyncGenerator<DatasetRecord>, abort: AbortController) {
    super({ objectMode: true, highWaterMark: 16 });
    this.#records = records;
    this.#abort = abort;
  }

  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    void this.#pull();
  }

  async #pull(): Promise<void> {
    try {
      for (;;) {
        const r = await this.#records.next();
        if (this.destroyed) return;
        if (r.done) {
          this.push(null);
          return;
        }
        if (!this.push(r.value)) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.#reading = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // the abort ends a request (or body) under way at once, so closing the generator does not wait for the network
    this.#abort.abort();
    this.#records.return(undefined).then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/**
 * A Readable (object mode) of the datasets the query lists, in the Hub's order, each id once.
 * @throws UsageError (`ETL_USAGE`) at once for a query the CLI would refuse; later failures
 * (HttpError, NetworkError, BodyError) destroy the stream with that error.
 */
export function datasetSource(client: HubClientHandle, query: Query = {}, options: SourceOptions = {}): Readable {
  const q = normalizeQuery(query);
  const abort = new AbortController();
  let accepted = 0;
  const events = listDatasets(client.http, {
    start: firstPagePath(q),
    signal: abort.signal,
    // the next page is fetched ahead only with a spare request slot: its unread answer holds a
    // slot, and with one slot the file sizes downstream would wait for it forever
    wanted: () => {
      const remaining = q.limit === null ? Infinity : q.limit - accepted;
      return client.concurrency > 1 ? remaining : Math.min(remaining, 1);
    },
    // a page is read whole before its records go out, so no connection (and no concurrency slot)
    // is held while slow stages downstream (file sizes) need requests of their own
    bufferPages: true,
    log: options.onWarning,
  });
  const flow = compose(toRecords(events, { endpoint: client.endpoint, warn: options.onWarning }), dedupe(), cutOff(q, { onAccept: (n) => (accepted = n) }));
  return new DatasetSource(recordsOf(flow), abort);
}
