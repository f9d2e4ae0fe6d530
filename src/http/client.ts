/**
 * The one HTTP client: every request to the Hub goes through `HubClient`, which owns
 * the concurrency limit, the rate limiter, retries with backoff, timeouts, redirects, the body
 * size cap and the token (sent to the configured endpoint's origin only).
 *
 * Lifecycle of a request: wait for a slot (p-queue, `--concurrency`) → wait for the rate
 * limiter → send → on the status line, feed the rate limiter (a 429 pauses every request
 * at once, before its body is read) → retry or hand the body out. A slot stays taken until
 * the body has been read or destroyed, so "in flight" means what the server sees.
 *
 * Retries: 5xx/408, network errors (refused, reset, dropped, `--timeout` without headers or
 * between body chunks) and, in `getJson`, truncated or unparsable bodies share one budget of
 * `--max-retries`, with exponential backoff and full jitter. Waiting out a 429 uses none of it.
 * When the retries run out: NetworkError `ETL_UNREACHABLE` (no connection could be opened),
 * `ETL_TIMEOUT` or `ETL_NETWORK`; HttpError; BodyError `ETL_BAD_BODY`.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { RateLimiter, type Budget } from './rate-limiter.js';
import { backoffDelay, REDIRECT_STATUSES } from './retry-timing.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const RETRY_STATUSES = new Set([408, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;
/** Waits longer than this (429 pauses, quota resets) are logged as warnings. */
export const LONG_WAIT_MS = 10_000;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Failures to open a connection at all: when they outlast the retries, the endpoint is unreachable. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export type LogFn = (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface HubClientOptions {
  endpoint: string;
  token: string | null;
  /** no status line, or no body data, for this long: the attempt fails (and is retried) */
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  userAgent: string;
  log?: LogFn;
  maxBodyBytes?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  dispatcher?: Dispatcher;
  limiter?: RateLimiter;
  /**
   * An error answer with an `X-Error-Code` header is the server's own word and is not retried,
   * whatever its status (the dataset viewer's 500 `ResponseNotReady`). Off for the Hub.
   */
  errorCodeIsFinal?: boolean;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** higher runs first when requests queue for a slot (list pages before details) */
  priority?: number;
}

export interface HubResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** One retry budget shared by the network, status and body retries of one call. */
interface Attempts {
  n: number;
}

/** What the client's retries are doing, for the progress line. */
export interface RetryState {
  /** retry waits started so far */
  total: number;
  /** requests waiting out a backoff now */
  waiting: number;
  /** why the last retry was needed (`HTTP 500`, `connect ECONNREFUSED …`), null before the first */
  reason: string | null;
}

export class HubClient {
  /** every HTTP request sent, retries and redirects included */
  requests = 0;
  /** retries so far and now (see RetryState) */
  readonly retries: RetryState = { total: 0, waiting: 0, reason: null };
  readonly endpoint: string;
  readonly limiter: RateLimiter;
  readonly #origin: string;
  readonly #opts: Required<Pick<HubClientOptions, 'maxRetries' | 'maxBodyBytes' | 'backoffBaseMs' | 'backoffCapMs'>> & HubClientOptions;
  readonly #queue: PQueue;
  readonly #dispatcher: Dispatcher;
  readonly #ownDispatcher: boolean;
  #closed = false;
  readonly #signals = new WeakSet<AbortSignal>();

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#origin = new URL(this.endpoint).origin;
    const backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.#opts = {
      maxBodyBytes: MAX_BODY_BYTES,
      ...options,
      backoffBaseMs,
      backoffCapMs: options.backoffCapMs ?? backoffBaseMs * 8, // 1 s doubling up to 8 s, as huggingface_hub does
    };
    this.limiter = options.limiter ?? new RateLimiter({ paceBelow: Math.max(4, options.concurrency * 2) });
    this.limiter.onQuotaWait = (ms, b) => {
      this.#log(ms > LONG_WAIT_MS ? 'warn' : 'debug', `rate-limit quota used up (${formatBudget(b)}); waiting ${formatMs(ms)} for the window to reset`);
    };
    this.#queue = new PQueue({ concurrency: options.concurrency });
    this.#ownDispatcher = !options.dispatcher;
    this.#dispatcher =
      options.dispatcher ??
      new EnvHttpProxyAgent({
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connectTimeout: Math.min(options.timeoutMs, 30_000),
        connections: options.concurrency + 2,
      });
  }

  /** `<endpoint><path>` for a path starting with `/`. */
  url(path: string): string {
    return this.endpoint + path;
  }

  budget(): Budget {
    return this.limiter.budget();
  }

  get maxRetries(): number {
    return this.#opts.maxRetries;
  }

  /**
   * GET `url` and hand out the 2xx response with its body unread; the caller must read or
   * destroy the body. 429 is waited out, 5xx/408 and network errors are retried with backoff.
   * @throws HttpError for other statuses (or when retries run out), NetworkError, AbortedError.
   */
  open(url: string, options: RequestOptions = {}): Promise<HubResponse> {
    return this.#open(url, options, { n: 0 });
  }

  /**
   * GET `url` and parse its JSON body. Truncated or unparsable bodies are retried like 5xx.
   * @throws as `open`, and BodyError when the body stays unreadable (`ETL_BAD_BODY`) or is over
   * the size cap (`ETL_BODY_TOO_LARGE`, not retried).
   */
  async getJson(url: string, options: RequestOptions = {}): Promise<{ data: unknown; headers: HubResponse['headers']; url: string }> {
    const attempts: Attempts = { n: 0 };
    for (;;) {
      const res = await this.#open(url, options, attempts);
      try {
        const text = await this.readText(res);
        return { data: JSON.parse(text), headers: res.headers, url: res.url };
      } catch (err) {
        if (options.signal?.aborted || this.#closed) throw new AbortedError('aborted', { cause: err });
        if (err instanceof BodyError && err.code === 'ETL_BODY_TOO_LARGE') throw err;
        const why = err instanceof SyntaxError ? 'the body is not valid JSON' : `the body broke off (${networkMessage(err, this.#opts.timeoutMs)})`;
        if (attempts.n >= this.#opts.maxRetries) {
          throw new BodyError(`unreadable answer from ${shortUrl(url)}: ${why} (${afterAttempts(attempts.n + 1)})`, safeUrl(url), 'ETL_BAD_BODY', { cause: err });
        }
        attempts.n += 1;
        await this.#backoff(attempts.n, why, url, options.signal);
      }
    }
  }

  /** Reads a whole body as UTF-8, refusing bodies over the size cap. */
  async readText(res: HubResponse): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.bodyChunks(res)) {
      chunks.push(chunk);
      size += chunk.length;
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }

  /** The cap on one body (and on one item of a listing page, whose body as a whole is not capped). */
  get maxBodyBytes(): number {
    return this.#opts.maxBodyBytes;
  }

  /**
   * The chunks of a body as they arrive, refusing a body over `max` bytes (default: the size cap;
   * by its declared length, or as soon as the bytes pass it) with BodyError `ETL_BODY_TOO_LARGE`.
   * A listing page passes `Infinity`: it is parsed item by item and caps each item instead.
   */
  async *bodyChunks(res: HubResponse, max: number = this.#opts.maxBodyBytes): AsyncGenerator<Buffer> {
    const declared = Number(firstHeader(res.headers['content-length']) ?? NaN);
    if (declared > max) {
      res.body.destroy();
      throw tooLarge(res.url, max);
    }
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > max) {
        res.body.destroy();
        throw tooLarge(res.url, max);
      }
      yield chunk as Buffer;
    }
  }

  /** Waits the backoff for a failed attempt (exposed for callers that stream bodies themselves). */
  async backoff(attempt: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    await this.#backoff(attempt, reason, url, signal);
  }

  /** Logs through the client's logger (the hub layer's warnings: refused `expand` values). */
  log(level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void {
    this.#log(level, msg, fields);
  }

  /** Stops every request of this client; calls still waiting end with AbortedError. */
  async close(): Promise<void> {
    this.#closed = true;
    this.limiter.close(); // requests waiting out a pause or a quota reset end now
    // queued requests start and end at once (see #slot); the running ones fail with the dispatcher
    if (this.#ownDispatcher) await this.#dispatcher.destroy().catch(() => undefined);
  }

  async #open(url: string, options: RequestOptions, attempts: Attempts): Promise<HubResponse> {
    const { signal } = options;
    if (signal) this.#allowListeners(signal);
    for (;;) {
      let res: HubResponse;
      try {
        res = await this.#slot(url, options);
      } catch (err) {
        if (signal?.aborted || this.#closed || err instanceof AbortedError) throw new AbortedError('aborted', { cause: err });
        const why = networkMessage(err, this.#opts.timeoutMs);
        if (attempts.n >= this.#opts.maxRetries) {
          const c = errorCode(err);
          const code = UNREACHABLE_CODES.has(c) ? 'ETL_UNREACHABLE' : TIMEOUT_CODES.has(c) ? 'ETL_TIMEOUT' : 'ETL_NETWORK';
          throw new NetworkError(`cannot reach ${shortUrl(url)}: ${why} (${afterAttempts(attempts.n + 1)})`, safeUrl(url), code, { cause: err });
        }
        attempts.n += 1;
        await this.#backoff(attempts.n, why, url, signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 429) {
        res.body.destroy(); // the pause started at the status line (see #exchange); the body tells nothing more
        continue; // waiting out a 429 does not use up a retry
      }
      const hubCode = firstHeader(res.headers['x-error-code']);
      const final = hubCode !== null && this.#opts.errorCodeIsFinal === true;
      if (RETRY_STATUSES.has(res.status) && attempts.n < this.#opts.maxRetries && !final) {
        res.body.destroy();
        attempts.n += 1;
        await this.#backoff(attempts.n, `HTTP ${res.status}`, url, signal);
        continue;
      }
      let detail = await readErrorDetail(res, this.#opts.token);
      // a 401 for a request that carried the token, and not about one repo: the token itself was refused
      if (res.status === 401 && hubCode === null && this.#headers(res.url).authorization) {
        detail = `${detail ?? 'unauthorized'} (the token was refused: check --token / HF_TOKEN)`;
      }
      throw new HttpError({
        status: res.status,
        method: 'GET',
        url: shortUrl(res.url),
        requestId: firstHeader(res.headers['x-request-id']),
        errorCode: hubCode,
        detail,
      });
    }
  }

  async #backoff(attempt: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    const ms = backoffDelay(attempt, this.#opts.backoffBaseMs, this.#opts.backoffCapMs);
    this.#log('debug', `retry ${attempt}/${this.#opts.maxRetries} in ${ms} ms after ${reason}`, { url: safeUrl(url) });
    this.retries.total += 1;
    this.retries.waiting += 1;
    this.retries.reason = reason;
    try {
      await sleep(ms, signal);
    } finally {
      this.retries.waiting -= 1;
    }
    if (this.#closed) throw new AbortedError('the client was closed');
  }

  /** One exchange (redirects followed) inside a concurrency slot that stays taken until the body is done. */
  #slot(url: string, options: RequestOptions): Promise<HubResponse> {
    return new Promise<HubResponse>((resolve, reject) => {
      this.#queue
        .add(
          async () => {
            if (options.signal?.aborted || this.#closed) {
              reject(new AbortedError());
              return;
            }
            let res: HubResponse;
            try {
              res = await this.#exchange(url, options.signal);
            } catch (err) {
              reject(err);
              return;
            }
            const done = new Promise<void>((release) => {
              if (res.body.destroyed) release();
              else res.body.once('close', () => release());
            });
            resolve(res);
            await done;
          },
          { priority: options.priority ?? 0 },
        )
        .catch(reject);
    });
  }

  async #exchange(url: string, signal?: AbortSignal): Promise<HubResponse> {
    let current = url;
    for (let hop = 0; ; hop += 1) {
      const ticket = await this.limiter.acquire(signal);
      let res: Dispatcher.ResponseData;
      try {
        if (this.#closed) throw new AbortedError('the client was closed');
        this.requests += 1;
        res = await request(current, {
          method: 'GET',
          headers: this.#headers(current),
          dispatcher: this.#dispatcher,
          signal,
        });
      } catch (err) {
        this.limiter.release(ticket);
        throw err;
      }
      // undici emits 'error' when a body is destroyed before its end: a body we drop must not crash the process
      res.body.on('error', () => undefined);
      const headers = res.headers as HubResponse['headers'];
      // the status line is here: a 429 pauses every request now, before its body is read
      const paused = this.limiter.onResponse(ticket, res.statusCode, headers);
      this.limiter.release(ticket);
      if (paused > 0) {
        this.#log(paused > LONG_WAIT_MS ? 'warn' : 'debug', `rate limited (HTTP 429): every request waits ${formatMs(paused)}`, {
          url: safeUrl(current),
          budget: formatBudget(this.limiter.budget()),
        });
      }
      const location = firstHeader(headers.location);
      if (REDIRECT_STATUSES.has(res.statusCode) && location && hop < MAX_REDIRECTS) {
        const next = new URL(location, current);
        if (next.protocol === 'http:' || next.protocol === 'https:') {
          res.body.destroy();
          current = next.toString();
          continue;
        }
      }
      return { url: current, status: res.statusCode, headers, body: res.body };
    }
  }

  /**
   * Every waiting or running request listens to the run's signal; with a deep detail queue that
   * is far more than Node's default of 10 listeners, which would print a leak warning on stderr.
   */
  #allowListeners(signal: AbortSignal): void {
    if (this.#signals.has(signal)) return;
    this.#signals.add(signal);
    const wanted = Math.max(64, this.#opts.concurrency * 32);
    const current = getMaxListeners(signal);
    if (current !== 0 && current < wanted) setMaxListeners(wanted, signal);
  }

  #headers(url: string): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.#opts.userAgent, accept: 'application/json' };
    // the token goes to the configured endpoint's origin only, never to a redirect target elsewhere
    if (this.#opts.token && sameOrigin(url, this.#origin)) headers.authorization = `Bearer ${this.#opts.token}`;
    return headers;
  }

  #log(level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void {
    this.#opts.log?.(level, msg, fields);
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

function firstHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function tooLarge(url: string, max: number): BodyError {
  return new BodyError(`the answer from ${shortUrl(url)} is larger than ${Math.round(max / 1024 / 1024)} MB; refused`, safeUrl(url), 'ETL_BODY_TOO_LARGE');
}

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

/** `12/40 left`, `unknown`, for logs. */
export function formatBudget(b: Budget): string {
  if (b.remaining === null) return b.quota === null ? 'unknown' : `?/${b.quota} left`;
  return `${b.remaining}${b.quota === null ? '' : `/${b.quota}`} left`;
}

function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.ceil(ms / 1000)} s`;
}

function afterAttempts(n: number): string {
  return `after ${n} attempt${n === 1 ? '' : 's'}`;
}

function errorCode(err: unknown): string {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** A short description of a network failure, for messages and logs. */
function networkMessage(err: unknown, timeoutMs: number): string {
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
async function readErrorDetail(res: HubResponse, token: string | null): Promise<string | null> {
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
