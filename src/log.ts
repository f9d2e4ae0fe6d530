/**
 * Logs go to stderr only (stdout carries data). pino does the levels; the output has two forms:
 *
 * - `text` (default): one readable line an entry (`hf-datasets warn: … (key=value)`), rendered
 *   straight from the call's arguments in pino's `logMethod` hook, so an entry is never turned
 *   into JSON and parsed back.
 * - `json` (`--log-format json`): pino's own NDJSON, one object a line, for machines.
 *
 * Either way lines are written synchronously (nothing is lost when the process exits) through
 * `stderrSink`, which lets a live progress line erase itself first. `token` and `authorization`
 * fields are never printed.
 */
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SECRET = new Set(['token', 'authorization']);
const REDACTED = '[redacted]';

export interface LogSink {
  write(text: string): void;
}

/** The stderr sink; `beforeWrite` lets a live progress line clear itself first. */
export const stderrSink = {
  beforeWrite: null as null | (() => void),
  write(text: string): void {
    stderrSink.beforeWrite?.();
    try {
      writeSync(2, text);
    } catch {
      // stderr closed: nothing to do
    }
  },
};

function hideSecrets(value: unknown, depth: number): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value) || depth > 1) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET.has(k) ? REDACTED : hideSecrets(v, depth + 1);
  return out;
}

/** The text line of one log call: `args` as given to `log.warn(...)` (`[msg]` or `[fields, msg, …]`). */
export function formatLine(level: number, args: readonly unknown[]): string {
  let fields: Record<string, unknown> = {};
  let rest = args;
  const first = args[0];
  if (first instanceof Error) {
    fields = { err: first.message };
    rest = args.slice(1);
  } else if (first !== null && typeof first === 'object') {
    fields = hideSecrets(first, 0) as Record<string, unknown>;
    rest = args.slice(1);
  }
  const msg = rest.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const shown = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `hf-datasets ${LEVEL_NAMES[level] ?? 'info'}: ${msg}${shown ? ` (${shown})` : ''}\n`;
}

export function createLogger(level: LogLevel, format: LogFormat = 'text', sink: LogSink = stderrSink): Logger {
  if (format === 'json') {
    return pino(
      { level, base: null, redact: { paths: ['token', 'authorization', '*.token', '*.authorization'], censor: REDACTED } },
      { write: (line: string) => sink.write(line) },
    );
  }
  return pino(
    {
      level,
      hooks: {
        // the line is printed here; pino's serialiser (and its stream) is never reached
        logMethod(args, _method, levelValue) {
          sink.write(formatLine(levelValue, args));
        },
      },
    },
    { write: () => undefined },
  );
}
