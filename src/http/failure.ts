/**
 * What a failed request says: the error code a network failure ends with, its one-line wording,
 * and the detail of an error answer (never the token).
 */
import { firstHeader, type HubResponse } from './transport.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Failures to open a connection at all: when they outlast the retries, the endpoint is unreachable. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** `after 1 attempt`, `after 3 attempts` */
export function afterAttempts(n: number): string {
  return `after ${n} attempt${n === 1 ? '' : 's'}`;
}

function errorCode(err: unknown): string {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** The NetworkError code for a network failure that outlasted the retries. */
export function networkErrorCode(err: unknown): 'ETL_UNREACHABLE' | 'ETL_TIMEOUT' | 'ETL_NETWORK' {
  const c = errorCode(err);
  return UNREACHABLE_CODES.has(c) ? 'ETL_UNREACHABLE' : TIMEOUT_CODES.has(c) ? 'ETL_TIMEOUT' : 'ETL_NETWORK';
}

/** A short description of a network failure, for messages and logs. */
export function networkMessage(err: unknown, timeoutMs: number): string {
  const code = errorCode(err);
  if (TIMEOUT_CODES.has(code)) return `timed out (nothing received for ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`})`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'the connection was dropped';
  if (err && typeof err === 'object') {
    const message = typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : String(err);
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(err);
}

/** The `{"error": …}` message of an error body (at most 64 KB read), or the X-Error-Message header; never the token. */
export async function readErrorDetail(res: HubResponse, token: string | null): Promise<string | null> {
  const headerMessage = firstHeader(res.headers['x-error-message']);
  let text = '';
  try {
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > 65_536) break;
    }
  } catch {
    // the status is what matters
  } finally {
    res.body.destroy();
  }
  let detail: string | null = null;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; errors?: Array<{ message?: unknown }> };
    if (typeof parsed.error === 'string') detail = parsed.error;
    else if (Array.isArray(parsed.error)) detail = parsed.error.map(String).join('; ');
    else if (Array.isArray(parsed.errors)) detail = parsed.errors.map((e) => String(e?.message ?? '')).join('; ');
  } catch {
    // not JSON
  }
  let out = detail ?? headerMessage;
  if (!out) return null;
  if (token) out = out.split(token).join('[redacted]');
  return out; // whole: a 400 that lists the accepted `expand` values is read by the listing (HttpError cuts its message)
}
