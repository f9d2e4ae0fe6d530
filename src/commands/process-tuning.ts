/**
 * Process settings: a small young generation for every command, and for the commands that open
 * a catalog (`sync`, `export`) DuckDB's allocator settings. Both must be in place
 * before DuckDB's native library is loaded and before the JavaScript heap grows, so the CLI applies
 * them before it imports those commands. Figures: bench/RESULTS.md ("Memory, fourth round").
 */
import { setFlagsFromString } from 'node:v8';

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
let youngApplied = false;

/**
 * Every command: V8's young generation doubles (up to 2 × 16 MB) while objects survive it, and
 * records in flight (a page's, the window's) do survive a scavenge or two. At its starting size it
 * costs a few % more CPU and ~30 MB less peak memory (collect --all --no-individual at 50,000
 * datasets: 150 -> 115 MiB; sync: see bench/RESULTS.md). Unlike --max-semi-space-size, this flag
 * is read each time the young generation would grow, so setting it at start-up is in time.
 * Idempotent.
 */
export function keepYoungGenerationSmall(): void {
  if (youngApplied) return;
  youngApplied = true;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // best effort: a V8 without the flag keeps its default
  }
}

/** Idempotent; a no-op for DuckDB when its library is already loaded in this process. */
export function tuneProcessForCatalog(): void {
  if (applied) return;
  applied = true;
  process.env.DUCKDB_JE_MALLOC_CONF ??= DUCKDB_ALLOCATOR_CONF;
  keepYoungGenerationSmall();
}
