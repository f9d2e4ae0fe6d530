/**
 * `dedupe`: each id once. A moving ranking repeats a few ids across pages; a resumed run seeds
 * the set with the ids its journal holds (`readIdsJournal`), so no record is written twice.
 */
import { IdSet } from '../util/id-set.js';
import type { Flow, FlowStage } from './pipeline.js';

export function dedupe(seen: IdSet = new IdSet(4096)): FlowStage {
  return async function* (flow: AsyncIterable<Flow>): AsyncGenerator<Flow> {
    for await (const f of flow) {
      if (f.kind === 'record' && !seen.add(f.record.id)) continue;
      yield f;
    }
  };
}
