import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError } from '../errors.js';

/**
 * An abortable sleep: node:timers/promises, with the abort reported as our AbortedError
 * (bench/RESULTS.md compares it with the hand-written timer this replaced).
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new AbortedError();
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw new AbortedError('aborted', { cause: err });
    throw err;
  }
}
