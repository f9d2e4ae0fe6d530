/**
 * Logs go to stderr only (stdout carries data). pino does the levels and the structured fields;
 * a small destination turns each entry into one readable line (`hf-datasets warn: … key=value`),
 * written synchronously so nothing is lost when the process exits.
 */
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A one-line rendering of a pino JSON entry. */
export function formatEntry(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVEL_NAMES[entry.level as number] ?? 'info';
  const fields = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `hf-datasets ${level}: ${String(entry.msg ?? '')}${fields ? ` (${fields})` : ''}\n`;
}

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

export function createLogger(level: LogLevel, sink: LogSink = stderrSink): Logger {
  return pino(
    { level, base: null, timestamp: false, redact: { paths: ['token', 'authorization', '*.token', '*.authorization'], censor: '[redacted]' } },
    { write: (line: string) => sink.write(formatEntry(line)) },
  );
}
