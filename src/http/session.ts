/**
 * What one run has learned about one origin, kept for the rest of the run: the facts the hub layer
 * finds out as it goes (expand-drift.ts, viewer.ts). Each HubClient owns one (one client = one
 * origin of one run), so two runs in one process, or the library's clients, never share them.
 */
export class OriginSession {
  /** `expand` values the Hub refused: dropped from every later URL (hub/expand-drift.ts) */
  readonly refusedExpand = new Set<string>();
  /** the origin could not be reached at all (after every retry): no more requests are sent to it (hub/viewer.ts) */
  unreachable = false;
}
