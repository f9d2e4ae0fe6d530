/**
 * `sync`: wires the process (signals, progress) to the catalog sync and turns its outcome into
 * an exit code and one summary line on stderr. stdout stays empty (data only).
 */
import type { Config } from '../config.js';
import { runSync, type SyncResult } from '../catalog/sync.js';
import { describeError, EtlError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration, plural, Progress } from '../progress.js';
import { collectIfLarge } from './heap.js';
import { EXIT_CODES, withStopSignals } from './signals.js';

/** pages, datasets, added/updated/restored/removed, requests, time. */
export function syncSummaryLine(r: SyncResult, db: string): string {
  const c = r.run;
  const head = r.complete ? `sync ${r.syncId} complete` : `sync ${r.syncId} stopped`;
  const parts = [
    `${head}${r.continued ? ' (continued)' : ''}: ${plural(c.pages, 'page')}`,
    plural(c.listed, 'dataset'),
    `${c.added} added, ${c.updated} updated, ${c.restored} restored, ${c.removed} removed`,
    plural(c.requests, 'request'),
    formatDuration(r.seconds),
  ];
  return `${parts.join(', ')} → ${db}`;
}

export async function runSyncCommand(config: Config, log: Logger): Promise<number> {
  const db = config.catalog!.db;
  return withStopSignals(log, async (controller, stopReason) => {
    const result = await runSync(config, db, {
      log,
      signal: controller.signal,
      afterCommit: collectIfLarge,
      progress: (client) => new Progress({ tty: Boolean(process.stderr.isTTY), quiet: config.quiet, target: null, log, budget: () => client.budget(), label: 'synced' }),
    });
    if (result.stoppedBy === 'error') {
      throw new EtlError(`${describeError(result.error)}; the catalog keeps every committed page (run sync again to continue sync ${result.syncId})`,
        (result.error as EtlError | undefined)?.code ?? 'ETL_FATAL', { cause: result.error });
    }
    if (result.stoppedBy === 'signal') {
      log.warn(`interrupted; ${syncSummaryLine(result, db)} (run sync again to continue)`);
      return stopReason() === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
    }
    log.info(syncSummaryLine(result, db));
    return EXIT_CODES.ok;
  });
}
