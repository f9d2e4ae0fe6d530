/**
 * Every enricher, in the order they run on a record (the catalog carries and fetches in this
 * order too, and an `errors` entry of file sizes comes before the viewer's).
 */
import type { Enricher, EnricherOptions } from './enricher.js';
import { fileSizes } from './file-sizes.js';
import { viewerStatistics } from './viewer-stats.js';

export const ENRICHERS: readonly Enricher[] = [fileSizes as Enricher, viewerStatistics as Enricher];

/** The enrichers a run fetches. */
export function enabledEnrichers(o: EnricherOptions): Enricher[] {
  return ENRICHERS.filter((e) => e.enabled(o));
}
