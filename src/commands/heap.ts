/**
 * A full garbage collection between the pages a sync commits: process-wide tuning, so the CLI's
 * (`sync` passes it to the walk as its `afterCommit`), never the library's.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
