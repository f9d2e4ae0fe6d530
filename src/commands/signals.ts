/**
 * Ctrl-C and SIGTERM: the first one aborts the run (files are closed as valid JSON and the
 * state saved), a second one exits at once. The finishing is bounded: a run that has not ended
 * SHUTDOWN_GRACE_MS after the first signal (a reader of stdout that stopped reading, a file
 * system call that never returns) exits then with the signal's code.
 */
import { EXIT_FATAL, EXIT_USAGE } from '../errors.js';
import type { Logger } from '../log.js';

export const EXIT_CODES = { ok: 0, fatal: EXIT_FATAL, usage: EXIT_USAGE, sigint: 130, sigterm: 143 } as const;
export type StopReason = 'SIGINT' | 'SIGTERM' | 'epipe' | null;

/** How long the first signal waits for the run to finish its files before the process exits. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** `finishing`: what the run does after the first signal, for its message ("finishing the files"). */
export async function withStopSignals<T>(log: Logger, body: (controller: AbortController, reason: () => StopReason) => Promise<T>, finishing = 'finishing the files'): Promise<T> {
  const controller = new AbortController();
  let reason: StopReason = null;
  let grace: NodeJS.Timeout | null = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
    const code = sig === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
    if (controller.signal.aborted) process.exit(code);
    reason = sig;
    log.warn(`${sig} received: ${finishing} (again to quit at once)`);
    grace = setTimeout(() => {
      log.warn(`still ${finishing} ${SHUTDOWN_GRACE_MS / 1000} s after ${sig}; quitting now`);
      process.exit(code);
    }, SHUTDOWN_GRACE_MS);
    grace.unref();
    controller.abort(sig);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  controller.signal.addEventListener('abort', () => {
    if (reason === null && controller.signal.reason === 'epipe') reason = 'epipe';
  });
  try {
    return await body(controller, () => reason);
  } finally {
    if (grace !== null) clearTimeout(grace);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
