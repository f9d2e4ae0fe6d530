/**
 * The client's share of the Hub's quota. One instance per client: every request asks it for a
 * slot (`acquire`) and reports its response headers (`onHeaders`) as soon as the status line
 * arrives, before the body is read.
 *
 * - A 429 pauses every request until its `Retry-After` (or the `RateLimit` reset) has passed.
 * - `RateLimit: "api";r=<remaining>;t=<reset s>` readings set the budget of the current window.
 *   Answers arrive out of order, so within a window the most cautious reading wins, and requests
 *   still in flight are assumed not yet counted by the server.
 * - When the budget is spent, requests wait for the window to reset; near the end of the budget
 *   they are spread over the time left instead of sent in a burst.
 */
import { sleep as defaultSleep } from '../util/sleep.js';
import { parseRateLimit, parseRateLimitPolicy, parseRetryAfter } from './retry-timing.js';

/** How far a reading's reset may drift from the window we know and still be the same window. */
const SAME_WINDOW_MS = 1500;
/** Added after a window's estimated reset before sending again. */
const RESET_MARGIN_MS = 250;

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** requests spread evenly over the rest of the window once the budget falls below this */
  paceBelow?: number;
}

export interface Budget {
  remaining: number | null;
  quota: number | null;
  resetAt: number | null;
  pausedUntil: number;
}

export class RateLimiter {
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #paceBelow: number;
  #pausedUntil = 0;
  #windowEnd = 0;
  #remaining: number | null = null;
  #quota: number | null = null;
  #windowMs = 300_000;
  #inFlight = 0;
  #probing = false;
  #nextSlot = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#paceBelow = options.paceBelow ?? 8;
  }

  /** Waits until a request may be sent, then counts it as in flight. Pair with `release()`. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.#waitTime(this.#now());
      if (wait <= 0) break;
      await this.#sleep(wait, signal);
    }
    if (this.#remaining !== null) this.#remaining -= 1;
    this.#inFlight += 1;
  }

  /** Marks a request acquired with `acquire()` as finished. */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /**
   * Feeds a response's headers (call before `release()` and before reading the body).
   * Returns how long every request is now paused for, in ms (0 when not paused by this answer).
   */
  onHeaders(status: number, headers: Record<string, string | string[] | undefined>): number {
    const now = this.#now();
    const policy = parseRateLimitPolicy(header(headers, 'ratelimit-policy'));
    if (policy) {
      this.#quota = policy.quota;
      this.#windowMs = policy.windowSeconds * 1000;
    }
    const reading = parseRateLimit(header(headers, 'ratelimit'));
    if (reading) this.#applyReading(reading.remaining, now + reading.resetSeconds * 1000, now);
    if (status !== 429) return 0;

    let wait = parseRetryAfter(header(headers, 'retry-after'), now);
    if (wait === null && reading && reading.remaining === 0) wait = reading.resetSeconds * 1000;
    if (wait === null) wait = 1000;
    wait += Math.round(this.#random() * 1000);
    this.#pausedUntil = Math.max(this.#pausedUntil, now + wait);
    return wait;
  }

  /** The budget as last known, for progress lines and logs. */
  budget(): Budget {
    return {
      remaining: this.#remaining === null ? null : Math.max(0, this.#remaining),
      quota: this.#quota,
      resetAt: this.#remaining === null ? null : this.#windowEnd,
      pausedUntil: this.#pausedUntil,
    };
  }

  #applyReading(remaining: number, resetAt: number, now: number): void {
    const others = Math.max(0, this.#inFlight - 1);
    const estimate = remaining - others;
    this.#probing = false;
    if (this.#remaining === null || now >= this.#windowEnd || resetAt > this.#windowEnd + SAME_WINDOW_MS) {
      // first reading, or a new window
      this.#remaining = estimate;
      this.#windowEnd = resetAt;
      return;
    }
    if (resetAt < this.#windowEnd - SAME_WINDOW_MS) return; // a late answer from an older window
    this.#remaining = Math.min(this.#remaining, estimate);
    this.#windowEnd = Math.max(this.#windowEnd, resetAt);
  }

  /** ms to wait before the next request may go, 0 when it may go now. */
  #waitTime(now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#remaining === null) {
      // after a reset with an unknown quota, one request at a time until a reading arrives
      return this.#probing && this.#inFlight > 0 ? 50 : 0;
    }
    if (now >= this.#windowEnd + RESET_MARGIN_MS) {
      if (this.#quota !== null) {
        this.#remaining = this.#quota - this.#inFlight;
        this.#windowEnd = now + this.#windowMs; // until a reading tells the real reset
      } else {
        this.#remaining = null;
        this.#probing = true;
        return this.#inFlight > 0 ? 50 : 0;
      }
    }
    if (this.#remaining <= 0) return Math.max(1, this.#windowEnd + RESET_MARGIN_MS - now);
    if (this.#remaining < this.#paceBelow) {
      // spread what is left over the rest of the window instead of a burst then a long wait
      const gap = (this.#windowEnd - now) / (this.#remaining + 1);
      if (now < this.#nextSlot) return this.#nextSlot - now;
      this.#nextSlot = now + gap;
    }
    return 0;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
