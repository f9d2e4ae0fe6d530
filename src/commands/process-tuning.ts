/**
 * Process-wide tuning, for the commands that open a catalog (`sync`, `export`): the CLI's
 * business only (a library caller's process is its own). The allocator and V8 settings must be in
 * place before DuckDB's native library is loaded and before the JavaScript heap grows, so the CLI
 * applies them before it imports those commands; `collectIfLarge` runs after each page a sync
 * commits. Figures: bench/RESULTS.md ("Memory, fourth round").
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * DuckDB allocates through a jemalloc built into its library, configured with two arenas and a
 * cache per thread. The Node binding runs DuckDB's work on several threads of libuv's pool, so a
 * page's buffers were freed into one arena and the next page's allocated from the other: ~60 MB
 * held that DuckDB no longer used. One arena and no thread cache keep the resident size close to
 * what DuckDB uses, at no measurable cost in time. jemalloc reads this variable once, when the
 * library loads (DuckDB's own settings stay; these two override); a value the user set wins.
 */
export const DUCKDB_ALLOCATOR_CONF = 'narenas:1,tcache:false';

let applied = false;

/** Idempotent; a no-op for DuckDB when its library is already loaded in this process. */
export function tuneProcessForCatalog(): void {
  if (applied) return;
  applied = true;
  process.env.DUCKDB_JE_MALLOC_CONF ??= DUCKDB_ALLOCATOR_CONF;
  // V8's young generation doubles (up to 2 × 16 MB) while objects survive it, and a page's records
  // do survive until their commit: at its starting size it costs little CPU and ~25 MB less memory.
  // Unlike --max-semi-space-size, this flag is read each time the young generation would grow.
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // best effort: a V8 without the flag keeps its default
  }
}

/** the heap a sync lets grow before it collects (a page's records take ~5 MB, the next page's listing items ~3.5 MB; 32 MB costs ~10% more CPU than 48 MB) */
const HEAP_SOFT_LIMIT = 32 * 1048576;

let fullGc: (() => void) | null | undefined;

/**
 * A full garbage collection when the heap holds more than a few pages' worth. Each page's records
 * outlive the young generation (they wait for the lookup and the commit), and V8 lets such garbage
 * grow to well over 100 MB before it collects on its own, beside DuckDB's memory.
 */
export function collectIfLarge(): void {
  if (getHeapStatistics().used_heap_size < HEAP_SOFT_LIMIT) return;
  if (fullGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    } catch {
      fullGc = null;
    }
  }
  fullGc?.();
}
