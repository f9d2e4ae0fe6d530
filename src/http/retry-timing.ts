/**
 * Pure helpers that turn response headers into waiting times.
 * Header formats: `Retry-After` (RFC 9110 §10.2.3: delay-seconds or HTTP-date) and the IETF
 * draft-09 `RateLimit: "api";r=12;t=55` / `RateLimit-Policy: "fixed window";"api";q=500;w=300`
 * the Hub sends (the older drafts' `RateLimit-Remaining` / `RateLimit-Reset` / `RateLimit-Limit`
 * are read as a fallback).
 */

/** HTTP redirects the client follows (and that carry no budget reading of their own). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface RateLimitReading {
  /** requests left in the current window */
  remaining: number;
  /** seconds until the window resets */
  resetSeconds: number;
}

export interface RateLimitPolicy {
  quota: number;
  windowSeconds: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** One header value (several occurrences joined with `, `), or undefined. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Parses `Retry-After` into milliseconds from `now`, or null when absent or unreadable.
 * An HTTP date in the past gives 0. Both date forms RFC 9110 asks recipients to accept
 * (IMF-fixdate, RFC 850, asctime) are read by `Date.parse`; a value must name a month to count
 * as a date, so digits alone are always seconds.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]{3}/i.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

const R_PARAM = /(?:^|;)\s*r\s*=\s*(\d+)/;
const T_PARAM = /(?:^|;)\s*t\s*=\s*(\d+)/;
const Q_PARAM = /(?:^|;)\s*q\s*=\s*(\d+)/;
const W_PARAM = /(?:^|;)\s*w\s*=\s*(\d+)/;
const DEFAULT_WINDOW_SECONDS = 300;

/** Parses `RateLimit: "api";r=0;t=55`. Several comma-separated buckets: the most cautious wins. */
export function parseRateLimit(value: string | undefined): RateLimitReading | null {
  if (!value) return null;
  let best: RateLimitReading | null = null;
  for (const part of value.split(',')) {
    const r = R_PARAM.exec(part);
    const t = T_PARAM.exec(part);
    if (!r || !t) continue;
    const reading = { remaining: Number(r[1]), resetSeconds: Number(t[1]) };
    if (!best || reading.remaining < best.remaining) best = reading;
  }
  return best;
}

/** Parses `RateLimit-Policy: "fixed window";"api";q=500;w=300`. Several policies: the smallest quota wins. */
export function parseRateLimitPolicy(value: string | undefined): RateLimitPolicy | null {
  if (!value) return null;
  let best: RateLimitPolicy | null = null;
  for (const part of value.split(',')) {
    const q = Q_PARAM.exec(part);
    if (!q) continue;
    const w = W_PARAM.exec(part);
    const policy = { quota: Number(q[1]), windowSeconds: w ? Number(w[1]) : DEFAULT_WINDOW_SECONDS };
    if (policy.windowSeconds <= 0) continue;
    if (!best || policy.quota < best.quota) best = policy;
  }
  return best;
}

/** The reading and policy of a response: `RateLimit`/`RateLimit-Policy`, else the older `RateLimit-Remaining/-Reset/-Limit`. */
export function rateLimitOf(headers: Headers): { reading: RateLimitReading | null; policy: RateLimitPolicy | null } {
  let reading = parseRateLimit(headerValue(headers, 'ratelimit'));
  let policy = parseRateLimitPolicy(headerValue(headers, 'ratelimit-policy'));
  if (!reading) {
    const r = headerValue(headers, 'ratelimit-remaining')?.trim();
    const t = headerValue(headers, 'ratelimit-reset')?.trim();
    if (r && t && /^\d+$/.test(r) && /^\d+$/.test(t)) reading = { remaining: Number(r), resetSeconds: Number(t) };
  }
  if (!policy) {
    const q = headerValue(headers, 'ratelimit-limit')?.trim();
    if (q && /^\d+$/.test(q)) policy = { quota: Number(q), windowSeconds: DEFAULT_WINDOW_SECONDS };
  }
  return { reading, policy };
}

/**
 * Exponential backoff with full jitter (AWS "Exponential Backoff And Jitter"): a random delay in
 * [0, min(cap, base × 2^(attempt-1))] for retry number `attempt` (1-based).
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * random());
}

/**
 * How long a 429 pauses every request (huggingface_hub's rule): when its `RateLimit` says nothing
 * is left (`r=0`), the window's reset `t` (it wins over `Retry-After`); otherwise (`r>0`: the 429
 * comes from another limit than the bucket the reading describes, or no reading) its `Retry-After`,
 * else `fallbackMs`. Plus a margin of up to 1 s (a fifth of the wait, at least 50 ms) so the first
 * request after the pause does not arrive a hair too early.
 */
export function pauseAfter429(retryAfterMs: number | null, reading: RateLimitReading | null, fallbackMs: number, random: () => number = Math.random): number {
  const wait = reading !== null && reading.remaining === 0 ? reading.resetSeconds * 1000 : (retryAfterMs ?? fallbackMs);
  return wait + 50 + Math.round(Math.min(950, wait / 5) * random());
}
