/**
 * When a sync checkpoints the catalog explicitly (DuckDB's own triggers come too late or at the
 * wrong moment for a long sync under memory_limit 48MB). Figures: bench/RESULTS.md ("Memory, fourth round").
 */
import { statSync } from 'node:fs';

/** rows updated in place between explicit checkpoints (a first sync's WAL triggers one about every 50,000 added) */
const CHECKPOINT_UPDATES = 50_000;

/** WAL size at which the sync checkpoints (leanly), before DuckDB's checkpoint_threshold (256MB) would */
const WAL_CHECKPOINT_BYTES = 192 * 1048576;

/** catalog file size from which the closing checkpoint is lean (DuckDB's memory_limit is 48MB) */
const LEAN_CLOSE_FILE_BYTES = 64 * 1048576;

export const fileBytes = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

export class CheckpointPolicy {
  readonly #db: string;
  #updated = 0;

  constructor(db: string) {
    this.#db = db;
  }

  /**
   * After a page's commit (`updated`: its rows that were not new): whether to checkpoint now.
   * DuckDB holds updates in memory until a checkpoint, and a later sync's updates (last_seen_at of
   * every unchanged row) write too little WAL to trigger one: a checkpoint after CHECKPOINT_UPDATES
   * keeps memory flat (at 200k with memory_limit 48MB the second sync ran out of memory without it).
   * The WAL's own trigger (checkpoint_threshold) would checkpoint inside a commit, with the cache full.
   * The last page (`last`) needs none: closing checkpoints.
   */
  afterCommit(updated: number, last: boolean): boolean {
    this.#updated += updated;
    if (last) return false;
    if (this.#updated < CHECKPOINT_UPDATES && fileBytes(`${this.#db}.wal`) < WAL_CHECKPOINT_BYTES) return false;
    this.#updated = 0;
    return true;
  }

  /**
   * Whether the closing checkpoint is taken lean: once the catalog outgrows DuckDB's cache (a small
   * catalog has nothing to evict, and eviction would cost time).
   */
  leanClose(): boolean {
    return fileBytes(this.#db) >= LEAN_CLOSE_FILE_BYTES;
  }
}
