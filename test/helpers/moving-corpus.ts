/**
 * A corpus that moves between two runs against the fake Hub, like the real Hub between two
 * nightly syncs: datasets are added, committed to (a new sha and a new file), removed, and their
 * downloads drift. Items come from the synthetic generator (corpus.ts); `serve(hub)` hands the
 * current state to a running fake. Imports only node: built-ins and test helpers.
 */
import { createHash } from 'node:crypto';
import type { RawDataset } from '../../src/types.js';
import { syntheticDataset } from './corpus.js';
import type { FakeHub } from './fake-hub.js';

const sha = (seed: string): string => createHash('sha1').update(seed).digest('hex');

export class MovingCorpus {
  readonly items = new Map<string, RawDataset>();
  #next = 0;
  #commits = 0;

  /** `n` datasets to start with (synthetic items 0..n-1, all public). */
  constructor(n: number, private readonly universe = 100_000) {
    this.add(n);
  }

  /** Adds `n` new datasets (created now, so they list first by createdAt); returns their ids. */
  add(n: number): string[] {
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const i = this.#next++;
      const item = { ...syntheticDataset(i, this.universe), private: false, gated: false, disabled: false };
      item.siblings = [...(item.siblings as object[])];
      this.items.set(String(item.id), item);
      ids.push(String(item.id));
    }
    return ids;
  }

  /** A new commit on `id`: a new sha, lastModified now, and one more file `data/extra-<k>.parquet`. */
  commit(id: string): string {
    const item = this.#get(id);
    const k = ++this.#commits;
    item.sha = sha(`${id}#${k}`);
    item.lastModified = new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString();
    item.siblings = [...(item.siblings as object[]), { rfilename: `data/extra-${k}.parquet` }];
    return item.sha as string;
  }

  /** The dataset disappears from the listing (deleted, or made private). */
  remove(id: string): RawDataset {
    const item = this.#get(id);
    this.items.delete(id);
    return item;
  }

  /** Puts a removed dataset back. */
  restore(item: RawDataset): void {
    this.items.set(String(item.id), item);
  }

  /** Every dataset's downloads and likes change a little (not an event; history only). */
  drift(step = 7): void {
    let k = 0;
    for (const item of this.items.values()) {
      item.downloads = (item.downloads as number) + step + (k % 5);
      item.likes = (item.likes as number) + (k++ % 3);
    }
  }

  ids(): string[] {
    return [...this.items.keys()];
  }

  /** Serves the current state (a copy, so later changes do not leak into a running listing). */
  serve(hub: FakeHub): void {
    hub.setOptions({ datasets: [...this.items.values()].map((i) => ({ ...i })) });
  }

  #get(id: string): RawDataset {
    const item = this.items.get(id);
    if (!item) throw new Error(`moving corpus: no dataset ${id}`);
    return item;
  }
}
