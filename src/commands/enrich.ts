/**
 * `enrich`: reads repo ids or NDJSON records (with "id") on stdin, fetches each dataset's
 * details with file sizes, and writes the records as NDJSON on stdout in input order.
 * A line that is neither is reported on stderr and skipped; a failed fetch still yields a
 * record of the full shape with an `errors` entry.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { AbortedError } from '../errors.js';
import { HubClient } from '../http/client.js';
import { enrichRecord } from '../hub/detail.js';
import type { Logger } from '../log.js';
import { NdjsonOut } from '../output/ndjson-out.js';
import { orderedMap } from '../pipeline/ordered-map.js';
import { formatDuration, Progress } from '../progress.js';
import { emptyRecord, recordFromUnknown } from '../record/build.js';
import type { DatasetRecord } from '../types.js';
import { userAgent } from '../version.js';
import { EXIT_CODES, withStopSignals } from './signals.js';

const BARE_ID = /^[^\s{}"]{1,400}$/;

/** One stdin line → the record to enrich, or a reason it cannot be used. */
export function parseInputLine(line: string, collectedAt: string, endpoint: string): DatasetRecord | { invalid: string } | null {
  const text = line.trim();
  if (text === '') return null;
  if (text.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return { invalid: 'not valid JSON' };
    }
    const id = (obj as { id?: unknown }).id;
    if (typeof id !== 'string' || id.trim() === '') return { invalid: 'a JSON line needs a string "id"' };
    return recordFromUnknown(obj, { endpoint, collectedAt });
  }
  if (!BARE_ID.test(text)) return { invalid: 'not a repo id' };
  return emptyRecord(text, { endpoint, collectedAt });
}

async function* inputRecords(input: Readable, endpoint: string, log: Logger): AsyncGenerator<DatasetRecord> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n += 1;
    const parsed = parseInputLine(line, new Date().toISOString(), endpoint);
    if (parsed === null) continue;
    if ('invalid' in parsed) {
      log.warn(`stdin line ${n} skipped: ${parsed.invalid}`);
      continue;
    }
    yield parsed;
  }
}

export async function runEnrichCommand(config: Config, log: Logger, input: Readable = process.stdin): Promise<number> {
  return withStopSignals(log, async (controller, reason) => {
    const started = Date.now();
    const out = new NdjsonOut(process.stdout, () => controller.abort('epipe'));
    const client = new HubClient({
      endpoint: config.endpoint,
      token: config.token,
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      concurrency: config.concurrency,
      userAgent: userAgent(),
      backoffBaseMs: Number(process.env.HF_DATASETS_BACKOFF_MS) || undefined,
      log: (level, msg, fields) => log[level](fields ?? {}, msg),
    });
    const progress = new Progress({ tty: Boolean(process.stderr.isTTY), quiet: config.quiet, target: null, log, budget: () => client.budget(), label: 'enriched' });
    const ctx = { client, endpoint: config.endpoint, signal: controller.signal };
    let done = 0;
    let failed = 0;
    let error: unknown = null;
    try {
      for await (const record of orderedMap(inputRecords(input, config.endpoint, log), (r) => enrichRecord(r, ctx), config.concurrency * 2)) {
        const wait = out.write(JSON.stringify(record));
        if (wait) await wait;
        done += 1;
        if (record.errors.length > 0) failed += 1;
        progress.update(done, failed);
        if (out.closed) break;
      }
      await out.end();
    } catch (err) {
      if (!(err instanceof AbortedError)) error = err;
    } finally {
      progress.stop();
      await client.close();
    }
    const line = `enriched ${done} datasets, ${failed} failed, ${client.requests} requests, ${formatDuration((Date.now() - started) / 1000)}`;
    if (error) throw error;
    const why = reason();
    if (why === 'SIGINT' || why === 'SIGTERM') {
      log.warn(`interrupted; ${line}`);
      return why === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
    }
    if (failed > 0) log.warn(line);
    else log.info(line);
    return EXIT_CODES.ok;
  });
}
