/**
 * Progress on stderr: on a TTY a live line (done / target, rate, ETA, rate-limit budget) redrawn
 * at most 5 times a second; otherwise an info log line every `intervalMs`; nothing with --quiet.
 */
import type { Budget } from './http/rate-limiter.js';
import type { Logger } from './log.js';
import { stderrSink } from './log.js';

export interface ProgressOptions {
  tty: boolean;
  quiet: boolean;
  target: number | null;
  log: Logger;
  budget: () => Budget;
  write?: (text: string) => void;
  now?: () => number;
  intervalMs?: number;
  label?: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  readonly #o: Required<Omit<ProgressOptions, 'target'>> & { target: number | null };
  readonly #start: number;
  #last = 0;
  #lineShown = false;
  #done = 0;
  #failed = 0;

  constructor(options: ProgressOptions) {
    this.#o = {
      write: (t) => process.stderr.write(t),
      now: Date.now,
      intervalMs: 10_000,
      label: 'collected',
      ...options,
    };
    this.#start = this.#o.now();
    this.#last = this.#start;
    if (this.#o.tty && !this.#o.quiet) stderrSink.beforeWrite = () => this.#clear();
  }

  /** The line as shown (also used by tests). */
  line(): string {
    const elapsed = (this.#o.now() - this.#start) / 1000;
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    const t = this.#o.target;
    const parts = [t === null ? `${this.#o.label} ${this.#done}` : `${this.#o.label} ${this.#done}/${t} (${Math.floor((this.#done / Math.max(1, t)) * 100)}%)`];
    parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`);
    if (t !== null && rate > 0) parts.push(`ETA ${formatDuration((t - this.#done) / rate)}`);
    if (this.#failed) parts.push(`${this.#failed} failed`);
    const b = this.#o.budget();
    if (b.remaining !== null) parts.push(`quota ${b.remaining}${b.quota !== null ? `/${b.quota}` : ''} left`);
    const pausedFor = b.pausedUntil - this.#o.now();
    if (pausedFor > 0) parts.push(`rate-limited, waiting ${formatDuration(pausedFor / 1000)}`);
    return parts.join(' · ');
  }

  update(done: number, failed: number): void {
    this.#done = done;
    this.#failed = failed;
    if (this.#o.quiet) return;
    const now = this.#o.now();
    if (this.#o.tty) {
      if (now - this.#last < 200 && this.#lineShown) return;
      this.#last = now;
      this.#o.write(`\r\x1b[2K${this.line()}`);
      this.#lineShown = true;
    } else if (now - this.#last >= this.#o.intervalMs) {
      this.#last = now;
      this.#o.log.info(this.line());
    }
  }

  /** Removes the live line (before the final summary). */
  stop(): void {
    this.#clear();
    if (stderrSink.beforeWrite) stderrSink.beforeWrite = null;
  }

  #clear(): void {
    if (this.#lineShown) {
      this.#o.write('\r\x1b[2K');
      this.#lineShown = false;
    }
  }
}
