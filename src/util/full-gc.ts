/**
 * A full garbage collection (V8's `gc`, exposed at run time), or nothing where that is not allowed.
 * Used where memory V8 cannot see waits on its collection (DuckDB results freed with their wrappers)
 * or where a sync's page garbage would otherwise grow beside DuckDB's memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function fullGc(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
