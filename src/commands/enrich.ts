/**
 * `enrich` as a composition of the record pipeline: stdin lines (enrich-input.ts) → file sizes
 * (and with --viewer-stats the dataset viewer's sizes) → NDJSON on stdout in input order.
 * A line that is neither an id nor a record is reported on stderr and skipped; a failed fetch
 * still yields a record of the full shape with an `errors` entry. Each record is written as soon
 * as it and every record before it are ready, so an interactive or slow input is answered line
 * by line. An unreachable endpoint ends the run (exit 1) instead of failing every line after it.
 */
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { AbortedError } from '../errors.js';
import { clientFromConfig, viewerClientFromConfig } from '../http/from-config.js';
import type { Logger } from '../log.js';
import { safeUrl } from '../http/client.js';
import { NdjsonOut } from '../output/ndjson-out.js';
import { formatDuration, plural, Progress } from '../progress.js';
import { TypeDrift } from '../record/build.js';
import { enabledEnrichers } from '../enrichers/index.js';
import { recordPipeline } from '../flow/pipeline.js';
import { inputFlow } from './enrich-input.js';
import { EXIT_CODES, withStopSignals } from './signals.js';

export async function runEnrichCommand(config: Config, log: Logger, input: Readable = process.stdin): Promise<number> {
  return withStopSignals(log, async (controller, reason) => {
    const started = Date.now();
    const out = new NdjsonOut(process.stdout, () => controller.abort('epipe'));
    const client = clientFromConfig(config, log);
    const viewer = config.query.viewer_stats ? viewerClientFromConfig(config, log) : null;
    // typed input: say what is expected, and draw no live line over what is being typed
    const typed = (input as { isTTY?: boolean }).isTTY === true;
    if (typed) log.info('reading repo ids from stdin, one per line (or NDJSON records with an "id"); end with Ctrl-D');
    const progress = new Progress({ tty: Boolean(process.stderr.isTTY), quiet: config.quiet || typed, target: null, log, budget: () => client.budget(), label: 'enriched', retries: () => client.retries, endpoint: safeUrl(client.endpoint).replace(/\/$/, '') });
    const drift = new TypeDrift();
    const ctx = { client, viewer, endpoint: config.endpoint, signal: controller.signal, drift, extraFields: true };
    let done = 0;
    let failed = 0;
    const counts = { skipped: 0 };
    let error: unknown = null;
    try {
      const enrichers = enabledEnrichers({ fileSizes: true, viewerStats: viewer !== null });
      const flow = recordPipeline(inputFlow(input, config.endpoint, log, counts, controller.signal), enrichers, ctx);
      for await (const f of flow) {
        if (f.kind !== 'record') continue;
        const wait = out.write(JSON.stringify(f.record));
        if (wait) await wait;
        done += 1;
        // failed in this run when a stage added an errors entry (an input record may bring its own)
        if (f.record.errors.length > (f.errorsBefore ?? 0)) failed += 1;
        progress.update(done, failed);
        if (out.closed) break;
      }
      await out.end();
    } catch (err) {
      if (!(err instanceof AbortedError) && !controller.signal.aborted) error = err;
    } finally {
      progress.stop();
      await client.close();
      await viewer?.close();
      for (const w of drift.warnings()) log.warn(w);
    }
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} input lines skipped` : '';
    const line = `enriched ${plural(done, 'dataset')}, ${failed} failed${skipped}, ${plural(client.requests + (viewer?.requests ?? 0), 'request')}, ${formatDuration((Date.now() - started) / 1000)}`;
    if (error) throw error;
    const why = reason();
    if (why === 'SIGINT' || why === 'SIGTERM') {
      log.warn(`interrupted; ${line}`);
      return why === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
    }
    if (failed > 0 || counts.skipped > 0) log.warn(line);
    else log.info(line);
    return EXIT_CODES.ok;
  });
}
