/**
 * Pure helpers that turn response headers into waiting times.
 * Header formats: `Retry-After` (RFC 9110: delay-seconds or HTTP-date) and the IETF draft-09
 * `RateLimit: "api";r=12;t=55` / `RateLimit-Policy: "fixed window";"api";q=500;w=300` the Hub sends.
 */

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

/** Parses `Retry-After` into milliseconds from `now`, or null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

const R_PARAM = /(?:^|;)\s*r\s*=\s*(\d+)/;
const T_PARAM = /(?:^|;)\s*t\s*=\s*(\d+)/;
const Q_PARAM = /(?:^|;)\s*q\s*=\s*(\d+)/;
const W_PARAM = /(?:^|;)\s*w\s*=\s*(\d+)/;

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

/** Parses `RateLimit-Policy: "fixed window";"api";q=500;w=300`. */
export function parseRateLimitPolicy(value: string | undefined): RateLimitPolicy | null {
  if (!value) return null;
  let best: RateLimitPolicy | null = null;
  for (const part of value.split(',')) {
    const q = Q_PARAM.exec(part);
    if (!q) continue;
    const w = W_PARAM.exec(part);
    const policy = { quota: Number(q[1]), windowSeconds: w ? Number(w[1]) : 300 };
    if (!best || policy.quota < best.quota) best = policy;
  }
  return best;
}

/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base × 2^attempt)],
 * never below a tenth of the step so two retries are never back to back.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.1 + 0.9 * random()));
}
