/**
 * Progress on stderr.
 *
 * - On a TTY: one live line (done / target, %, rate, ETA, failures, rate-limit budget left),
 *   redrawn in place with `\r` + erase-line, at most every `redrawMs`, cut to the terminal width
 *   (a wrapped line could not be erased). A ticker redraws it even when nothing arrives, so a run
 *   waiting out a 429 says so instead of looking frozen. Log lines erase it first (stderrSink).
 * - Not a TTY: an info log line at most every `intervalMs` (also while waiting), never a `\r`.
 * - `--quiet`: nothing at all.
 *
 * Lifecycle: created when the run starts, `update()` after each record, `stop()` exactly once at
 * the end (erases the line and stops the ticker; the ticker is unref'd so it never keeps the
 * process alive).
 */
import type { RetryState } from './http/client.js';
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
  /** not a TTY: least time between two log lines (default 10 s) */
  intervalMs?: number;
  /** TTY: least time between two redraws (default 200 ms) */
  redrawMs?: number;
  /** how often the ticker checks for a redraw or log line; 0 = no ticker (default 1 s) */
  tickMs?: number;
  /** terminal width (default: stderr's columns) */
  columns?: () => number | undefined;
  label?: string;
  /** the client's retries: the line says when requests wait to be retried */
  retries?: () => RetryState;
  /** when nothing was done for this long and requests were retried meanwhile, say so once, even with --quiet (default 3 s) */
  noticeMs?: number;
  /** the Hub's address, named in that notice */
  endpoint?: string;
}

const NO_RETRIES: RetryState = { total: 0, waiting: 0, reason: null };


/** Retries, with the client whose requests wait (when it is not the first of `retriesOf`). */
export type Retries = RetryState & { origin?: string };

/**
 * The retries of several clients (the Hub's and the dataset viewer's) as one, for the progress
 * line: the reason is that of the client retrying now (or that retried last), and `origin` names
 * it when it is not the first, so the notice says whose requests are retried.
 */
export function retriesOf(clients: ReadonlyArray<{ name: string; retries: RetryState } | null | undefined>): () => Retries {
  const seen = clients.map(() => 0);
  let latest = -1;
  return () => {
    const out: Retries = { total: 0, waiting: 0, reason: null };
    let waitingNow = -1;
    clients.forEach((c, i) => {
      if (!c) return;
      out.total += c.retries.total;
      out.waiting += c.retries.waiting;
      if (c.retries.total > seen[i]!) latest = i;
      seen[i] = c.retries.total;
      if (c.retries.waiting > 0 && waitingNow === -1) waitingNow = i;
    });
    const pick = waitingNow !== -1 ? waitingNow : latest;
    const c = pick === -1 ? null : clients[pick];
    if (c) {
      out.reason = c.retries.reason;
      if (pick > 0) out.origin = c.name;
    }
    return out;
  };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The live line's text, from plain numbers (pure; the class only decides when to show it). */
export function progressLine(p: { label: string; done: number; failed: number; target: number | null; elapsedMs: number; budget: Budget; now: number; retries?: RetryState; fetched?: string }): string {
  const elapsed = p.elapsedMs / 1000;
  const rate = elapsed > 0 ? p.done / elapsed : 0;
  const t = p.target;
  const parts = [t === null ? `${p.label} ${p.done}` : `${p.label} ${p.done}/${t} (${Math.floor((p.done / Math.max(1, t)) * 100)}%)`];
  parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`);
  if (t !== null && rate > 0 && p.done < t) parts.push(`ETA ${formatDuration((t - p.done) / rate)}`);
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.fetched) parts.push(p.fetched);
  const b = p.budget;
  if (b.remaining !== null) parts.push(`quota ${b.remaining}${b.quota !== null ? `/${b.quota}` : ''} left`);
  const pausedFor = b.pausedUntil - p.now;
  if (pausedFor > 0) parts.push(`rate-limited, waiting ${formatDuration(pausedFor / 1000)}`);
  const r = p.retries;
  if (r && r.waiting > 0) parts.push(`${plural(r.waiting, 'request')}${(r as Retries).origin ? ` to ${(r as Retries).origin}` : ''} waiting to retry (${r.reason ?? 'failed'})`);
  return parts.join(' · ');
}

export class Progress {
  readonly #o: Required<Omit<ProgressOptions, 'target'>> & { target: number | null };
  readonly #start: number;
  readonly #ticker: NodeJS.Timeout | null = null;
  #last: number;
  #lineShown = false;
  #stopped = false;
  #done = 0;
  #failed = 0;
  /** when the count last moved, and the retries seen then (for the notice) */
  #movedAt: number;
  #retriesAtMove = 0;
  #noticed = false;
  #fetched: string | undefined;

  constructor(options: ProgressOptions) {
    this.#o = {
      write: (t) => process.stderr.write(t),
      now: Date.now,
      intervalMs: 10_000,
      redrawMs: 200,
      tickMs: 1000,
      columns: () => process.stderr.columns,
      label: 'collected',
      retries: () => NO_RETRIES,
      noticeMs: 3000,
      endpoint: '',
      ...options,
    };
    this.#start = this.#o.now();
    this.#last = this.#start;
    this.#movedAt = this.#start;
    if (this.#o.tty && !this.#o.quiet) stderrSink.beforeWrite = () => this.#clear();
    if (this.#o.tickMs > 0) {
      this.#ticker = setInterval(() => {
        this.#notice();
        this.#show();
      }, this.#o.tickMs);
      this.#ticker.unref();
    }
  }

  /** The line as shown, before it is cut to the terminal width (also used by tests). */
  line(): string {
    const now = this.#o.now();
    return progressLine({ label: this.#o.label, done: this.#done, failed: this.#failed, target: this.#o.target, elapsedMs: now - this.#start, budget: this.#o.budget(), now, retries: this.#o.retries(), fetched: this.#fetched });
  }

  /**
   * Per-dataset answers fetched so far, before their datasets count as done (sync commits a page at
   * a time), e.g. `120 details fetched (2 failed)`: shown on the line, and the run is moving.
   */
  fetched(text: string): void {
    if (text !== this.#fetched) this.#moved();
    this.#fetched = text;
    this.#show();
  }

  #moved(): void {
    this.#movedAt = this.#o.now();
    this.#retriesAtMove = this.#o.retries().total;
    this.#noticed = false;
  }

  update(done: number, failed: number): void {
    if (done !== this.#done) this.#moved();
    this.#done = done;
    this.#failed = failed;
    this.#show();
  }

  /** A run that stands still while its requests are retried says so once (until it moves again). */
  #notice(): void {
    if (this.#noticed || this.#stopped) return;
    const r = this.#o.retries();
    const still = this.#o.now() - this.#movedAt;
    if (r.total === this.#retriesAtMove || still < this.#o.noticeMs) return;
    this.#noticed = true;
    const origin = (r as Retries).origin;
    const to = origin ? ` to ${origin}` : this.#o.endpoint ? ` to ${this.#o.endpoint}` : '';
    this.#o.log.warn(`no progress for ${formatDuration(still / 1000)}: retrying requests${to} after ${r.reason ?? 'a failure'} (${plural(r.total - this.#retriesAtMove, 'retry', 'retries')} so far)`);
  }

  /** Removes the live line (before the final summary) and stops the ticker. */
  stop(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#clear();
    this.#stopped = true;
    if (this.#o.tty && !this.#o.quiet) stderrSink.beforeWrite = null;
  }

  #show(): void {
    if (this.#o.quiet || this.#stopped) return;
    const now = this.#o.now();
    if (this.#o.tty) {
      if (this.#lineShown && now - this.#last < this.#o.redrawMs) return;
      this.#last = now;
      const width = this.#o.columns();
      let text = this.line();
      if (width && width > 1 && text.length > width - 1) text = text.slice(0, width - 2) + '…';
      this.#o.write(`\r\x1b[2K${text}`);
      this.#lineShown = true;
    } else if (now - this.#last >= this.#o.intervalMs) {
      this.#last = now;
      this.#o.log.info(this.line());
    }
  }

  #clear(): void {
    if (this.#lineShown) {
      this.#o.write('\r\x1b[2K');
      this.#lineShown = false;
    }
  }
}

/** `1 dataset`, `2 datasets`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
