/**
 * `collect` and `search`: wires the process (signals, stdout, progress) to the pipeline and
 * turns its outcome into an exit code and a final summary line on stderr.
 */
import type { Config } from '../config.js';
import { describeError, EtlError } from '../errors.js';
import type { Logger } from '../log.js';
import { safeUrl } from '../http/client.js';
import { NdjsonOut } from '../output/ndjson-out.js';
import { runCollect, type CollectResult } from '../pipeline/collect.js';
import { formatDuration, plural, Progress, retriesOf } from '../progress.js';
import { EXIT_CODES, withStopSignals } from './signals.js';

/** The summary line: datasets, failures, requests, time, where the files are. */
export function summaryLine(r: CollectResult): string {
  const s = r.summary;
  const parts = [`${s.complete ? 'collected' : 'stopped after'} ${plural(s.total_datasets, 'dataset')}`, `${s.failed} failed`, plural(s.requests, 'request'), formatDuration(r.seconds)];
  const where = r.paths ? ` → ${r.paths.aggregate}` : '';
  return `${parts.join(', ')}${where}`;
}

/** Runs collect/search and returns the exit code; `onResult` sees the outcome first (the menu shows it). */
export async function runCollectCommand(config: Config, log: Logger, onResult?: (result: CollectResult) => void): Promise<number> {
  return withStopSignals(log, async (controller, stopReason) => {
    const ndjson = config.ndjson ? new NdjsonOut(process.stdout, () => controller.abort('epipe')) : null;
    const result = await runCollect(config, {
      log,
      signal: controller.signal,
      ndjson,
      progress: (target, client, viewer) =>
        new Progress({
          tty: Boolean(process.stderr.isTTY), quiet: config.quiet, target, log, budget: () => client.budget(), endpoint: safeUrl(client.endpoint).replace(/\/$/, ''),
          // the viewer's retries too: with --viewer-stats a dataset the viewer keeps failing holds the line still
          retries: retriesOf([{ name: 'the Hub', retries: client.retries }, viewer && { name: 'the dataset viewer', retries: viewer.retries }]),
        }),
    });
    onResult?.(result);
    const reason = stopReason();
    if (result.stoppedBy === 'error') {
      // one line: what went wrong, and what was kept
      const kept = result.paths
        ? `; ${plural(result.paths.kept, 'dataset')} kept in ${result.paths.aggregate} (incomplete; continue with --resume --out ${config.outDir})`
        : '';
      throw new EtlError(`${describeError(result.error)}${kept}`, (result.error as EtlError | undefined)?.code ?? 'ETL_FATAL', { cause: result.error });
    }
    if (result.stoppedBy === 'signal') {
      if (reason === 'epipe') {
        log.info(`output closed by the reader; ${summaryLine(result)}`);
        return EXIT_CODES.ok;
      }
      log.warn(`interrupted; ${summaryLine(result)}${config.outDir ? ` (continue with --resume --out ${config.outDir})` : ''}`);
      return reason === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
    }
    if (result.summary.failed > 0) log.warn(`${summaryLine(result)}; ${plural(result.summary.failed, 'dataset')} kept with an errors entry`);
    else log.info(summaryLine(result));
    return EXIT_CODES.ok;
  }).catch((err: unknown) => {
    throw err instanceof Error ? err : new Error(describeError(err));
  });
}
