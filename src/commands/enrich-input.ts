/**
 * `enrich`'s source: stdin lines → records. A line is a repo id (`owner/name`) or an NDJSON
 * record with an "id"; a line that is neither is reported on stderr (with its number) and skipped.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Flow } from '../flow/pipeline.js';
import type { Logger } from '../log.js';
import { emptyRecord, recordFromUnknown } from '../record/build.js';
import type { DatasetRecord } from '../types.js';

/** A Hub repo id: `name` (legacy) or `owner/name`, each part of letters, digits, `_`, `.`, `-`. */
const BARE_ID = /^[\w.-]{1,200}(?:\/[\w.-]{1,200})?$/;

function isRepoId(text: string): boolean {
  return BARE_ID.test(text) && text.split('/').every((part) => part !== '.' && part !== '..');
}

/** The start of a skipped line, for the message that names it. */
function snippet(line: string): string {
  const flat = line.trim().replace(/[\x00-\x1f\x7f]/g, ' ');
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}

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
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { invalid: 'not a JSON object' };
    const id = Object.hasOwn(obj, 'id') ? (obj as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || id.trim() === '') return { invalid: 'a JSON line needs a string "id"' };
    return recordFromUnknown(obj, { endpoint, collectedAt });
  }
  if (!isRepoId(text)) return { invalid: 'not a repo id (owner/name) nor a JSON record' };
  return emptyRecord(text, { endpoint, collectedAt });
}

/** The usable stdin lines as records, in order; each unusable one is named on stderr and counted. */
export async function* inputFlow(input: Readable, endpoint: string, log: Logger, counts: { skipped: number }, signal: AbortSignal): AsyncGenerator<Flow> {
  // the signal closes the reader, so Ctrl-C also stops a run that waits for more input
  const rl = createInterface({ input, crlfDelay: Infinity, signal });
  let n = 0;
  for await (const line of rl) {
    n += 1;
    const parsed = parseInputLine(line, new Date().toISOString(), endpoint);
    if (parsed === null) continue;
    if ('invalid' in parsed) {
      counts.skipped += 1;
      log.warn(`stdin line ${n} skipped (${parsed.invalid}): ${snippet(line)}`);
      continue;
    }
    yield { kind: 'record', record: parsed, errorsBefore: parsed.errors.length };
  }
}
