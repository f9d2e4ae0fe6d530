/**
 * Ctrl-C and SIGTERM: the first one aborts the run (files are closed as valid JSON and the
 * state saved), a second one exits at once.
 */
import { EXIT_FATAL, EXIT_USAGE } from '../errors.js';
import type { Logger } from '../log.js';

export const EXIT_CODES = { ok: 0, fatal: EXIT_FATAL, usage: EXIT_USAGE, sigint: 130, sigterm: 143 } as const;
export type StopReason = 'SIGINT' | 'SIGTERM' | 'epipe' | null;

export async function withStopSignals<T>(log: Logger, body: (controller: AbortController, reason: () => StopReason) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let reason: StopReason = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
    if (controller.signal.aborted) {
      process.exit(sig === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint);
    }
    reason = sig;
    log.warn(`${sig} received: finishing the files (again to quit at once)`);
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
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
