/** URLs and figures as messages and logs show them: never with credentials. */
import type { Budget } from './rate-limiter.js';

/** A URL without credentials, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * A URL for a one-line message: without credentials, and a long query (a listing page's
 * `expand[]` list and cursor) cut to `?…`.
 */
export function shortUrl(url: string): string {
  const safe = safeUrl(url);
  const q = safe.indexOf('?');
  return q >= 0 && safe.length - q > 64 ? `${safe.slice(0, q)}?…` : safe;
}

/** Whether `url` is on `origin` (where the token may go). */
export function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** `12/40 left`, `unknown`, for logs. */
export function formatBudget(b: Budget): string {
  if (b.remaining === null) return b.quota === null ? 'unknown' : `?/${b.quota} left`;
  return `${b.remaining}${b.quota === null ? '' : `/${b.quota}`} left`;
}

/** `2.5 s`, `42 s`, for logs. */
export function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.ceil(ms / 1000)} s`;
}
