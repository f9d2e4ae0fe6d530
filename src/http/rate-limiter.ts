/**
 * The client's share of the Hub's quota. One instance per client: every request asks it for a
 * ticket (`acquire`), reports its response headers (`onResponse`) as soon as the status line
 * arrives, before the body is read, and gives the ticket back (`release`).
 *
 * - A 429 pauses every request: with `RateLimit` `r=0` until its reset `t` (which wins over
 *   `Retry-After`), else (`r>0`: another limit than this bucket, or no reading) until its
 *   `Retry-After` has passed (huggingface_hub's rule).
 * - `RateLimit: "api";r=<remaining>;t=<reset s>` readings set the budget of the current window.
 *   Answers arrive out of order and late, so the budget only ever goes down within a window: a
 *   reading counts as `r` minus every other request still in flight (the server may not have
 *   counted them yet), and the most cautious reading wins. Requests sent count down the budget
 *   at once. Each `arrival + t` is an upper bound of the reset; the window ends at the tightest
 *   one (a 429 with `r=0` can only push it later, to its `t`).
 * - When the window has passed, a new one starts: with a known `RateLimit-Policy` the budget is
 *   the quota minus what is still in flight; without one, a single request probes for a reading.
 *   Readings for requests sent before that (`generation` of their ticket) are ignored: they
 *   describe the old window. A window guessed from the policy that the next answer does not
 *   confirm with a reading is dropped (the server does not report a budget for these requests).
 * - Once the budget is spent, requests wait for the reset; near its end they are spread over
 *   the time left instead of sent in a burst.
 */
import { setMaxListeners } from 'node:events';
import { AbortedError } from '../errors.js';
import { sleep as defaultSleep } from '../util/sleep.js';
import { headerValue, parseRetryAfter, pauseAfter429, rateLimitOf, REDIRECT_STATUSES, type RateLimitReading } from './retry-timing.js';

/** While a single request probes a new window, the others look again this often. */
const PROBE_POLL_MS = 25;

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** requests are spread evenly over the rest of the window once the budget falls below this */
  paceBelow?: number;
}

export interface Budget {
  /** requests left in the current window, null when unknown */
  remaining: number | null;
  /** the window's quota (`RateLimit-Policy` q), null when unknown */
  quota: number | null;
  /** when the current window ends (epoch ms), null when unknown */
  resetAt: number | null;
  /** every request waits until then (epoch ms) after a 429; 0 or past when not paused */
  pausedUntil: number;
}

/** What `acquire` hands out: which window the request was sent in, and whether it is still in flight. */
export interface Ticket {
  readonly generation: number;
  open: boolean;
}

export type WaitReason = 'paused' | 'quota' | 'pace' | 'probe';

export class RateLimiter {
  /** told once per window when requests start waiting for the quota to reset */
  onQuotaWait: ((ms: number, budget: Budget) => void) | null = null;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #paceBelow: number;
  #pausedUntil = 0;
  #generation = 0;
  #remaining: number | null = null;
  #windowEnd = 0;
  /** a reading of the current generation arrived (false for a window guessed from the policy) */
  #confirmed = false;
  #quota: number | null = null;
  #windowMs = 300_000;
  #inFlight = 0;
  #probing = false;
  #nextSlot = 0;
  #toldGeneration = -1;
  /** aborts every wait when the limiter is closed */
  readonly #closing = new AbortController();

  constructor(options: RateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#paceBelow = options.paceBelow ?? 8;
    setMaxListeners(0, this.#closing.signal); // one listener a waiting request, removed when its wait ends
  }

  /** Requests sent and not yet answered (status line). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits until a request may be sent, then counts it as in flight. Give the ticket back with `release()`. */
  async acquire(signal?: AbortSignal): Promise<Ticket> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError('aborted', { cause: signal.reason });
      if (this.#closing.signal.aborted) throw new AbortedError('the rate limiter was closed');
      const now = this.#now();
      const { ms, reason } = this.#waitTime(now);
      if (ms <= 0) break;
      if (reason === 'quota' && this.#toldGeneration !== this.#generation) {
        this.#toldGeneration = this.#generation;
        this.onQuotaWait?.(ms, this.budget());
      }
      await this.#wait(ms, signal);
    }
    if (this.#remaining !== null) this.#remaining -= 1;
    this.#inFlight += 1;
    return { generation: this.#generation, open: true };
  }

  /** Ends every wait under way (with AbortedError) and refuses new requests. */
  close(): void {
    this.#closing.abort();
  }

  /** Sleeps, waking early (AbortedError) when `signal` aborts or the limiter closes. */
  async #wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (!signal) return this.#sleep(ms, this.#closing.signal);
    const both = new AbortController();
    const stop = (): void => both.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.#closing.signal.addEventListener('abort', stop, { once: true });
    try {
      if (signal.aborted || this.#closing.signal.aborted) both.abort();
      await this.#sleep(ms, both.signal);
    } finally {
      signal.removeEventListener('abort', stop);
      this.#closing.signal.removeEventListener('abort', stop);
    }
  }

  /** The request of `ticket` got its status line or failed. Safe to call twice. */
  release(ticket: Ticket): void {
    if (!ticket.open) return;
    ticket.open = false;
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /**
   * Feeds a response's status and headers (call before `release()` and before reading the body).
   * Returns how far a 429 pushed the pause of every request, in ms from now (0 when it did not).
   */
  onResponse(ticket: Ticket, status: number, headers: Record<string, string | string[] | undefined>): number {
    const now = this.#now();
    const { reading, policy } = rateLimitOf(headers);
    if (policy) {
      this.#quota = policy.quota;
      this.#windowMs = policy.windowSeconds * 1000;
    }
    let pauseEnd: number | null = null;
    if (status === 429) {
      pauseEnd = now + pauseAfter429(parseRetryAfter(headerValue(headers, 'retry-after'), now), reading, 1000, this.#random);
    }
    if (ticket.generation === this.#generation) {
      this.#probing = false;
      if (reading) {
        this.#applyReading(reading, ticket, status, now + reading.resetSeconds * 1000);
      } else if (!this.#confirmed && this.#remaining !== null && !REDIRECT_STATUSES.has(status)) {
        this.#remaining = null;
      }
    }
    if (pauseEnd === null || pauseEnd <= this.#pausedUntil) return 0;
    this.#pausedUntil = pauseEnd;
    return pauseEnd - now;
  }

  /** The budget as last known, for progress lines and logs. */
  budget(): Budget {
    const now = this.#now();
    let remaining = this.#remaining;
    if (remaining !== null && now >= this.#windowEnd + this.#margin()) remaining = this.#quota; // the window has reset
    return {
      remaining: remaining === null ? null : Math.max(0, remaining),
      quota: this.#quota,
      resetAt: remaining === null ? null : this.#windowEnd,
      pausedUntil: this.#pausedUntil,
    };
  }

  /** `resetAt`: the latest the reading's window can end (arrival + t: `t` was counted when the request arrived, at the latest now). */
  #applyReading(reading: RateLimitReading, ticket: Ticket, status: number, resetAt: number): void {
    const others = Math.max(0, this.#inFlight - (ticket.open ? 1 : 0));
    const estimate = reading.remaining - others;
    if (this.#remaining === null) {
      this.#remaining = estimate;
      this.#windowEnd = resetAt;
    } else {
      this.#remaining = Math.min(this.#remaining, estimate);
      if (status === 429 && reading.remaining === 0) {
        // "wait": the reset is at least this late, whatever the other readings said
        // (a 429 with r>0 comes from another limit: its reading is an ordinary one)
        this.#windowEnd = Math.max(this.#windowEnd, resetAt);
      } else if (!this.#confirmed) {
        this.#windowEnd = resetAt; // replaces the guess made from the policy
      } else {
        // every reading of this window bounds its reset from above: keep the tightest bound
        // (taking the latest instead would push the reset away for as long as requests flow)
        this.#windowEnd = Math.min(this.#windowEnd, resetAt);
      }
    }
    this.#confirmed = true;
  }

  /** After the reset, how long until the next window may be used (covers a `t` rounded down). */
  #margin(): number {
    return Math.min(1000, Math.max(100, this.#windowMs / 8));
  }

  #newWindow(now: number): void {
    this.#generation += 1;
    this.#confirmed = false;
    this.#nextSlot = 0;
    if (this.#quota !== null) {
      this.#remaining = this.#quota - this.#inFlight;
      this.#windowEnd = now + this.#windowMs; // until a reading tells the real reset
    } else {
      this.#remaining = null;
      this.#probing = true;
    }
  }

  /** How long the next request must wait, and why (0: it may go now). */
  #waitTime(now: number): { ms: number; reason: WaitReason | null } {
    if (now < this.#pausedUntil) return { ms: this.#pausedUntil - now, reason: 'paused' };
    if (this.#remaining !== null && now >= this.#windowEnd + this.#margin()) this.#newWindow(now);
    if (this.#remaining === null) {
      // after a reset with an unknown quota: one request at a time until a reading arrives
      return this.#probing && this.#inFlight > 0 ? { ms: PROBE_POLL_MS, reason: 'probe' } : { ms: 0, reason: null };
    }
    const end = this.#windowEnd + this.#margin();
    if (this.#remaining <= 0) return { ms: Math.max(1, end - now), reason: 'quota' };
    if (this.#remaining < this.#paceBelow) {
      // spread what is left over the rest of the window instead of a burst then a long wait
      if (now < this.#nextSlot) return { ms: this.#nextSlot - now, reason: 'pace' };
      this.#nextSlot = now + (end - now) / (this.#remaining + 1);
    }
    return { ms: 0, reason: null };
  }
}
