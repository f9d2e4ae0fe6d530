/**
 * The one HTTP client: every request to the Hub goes through `HubClient`. It owns the retry loop;
 * the pieces it drives live beside it: transport.ts (concurrency slots, rate limiter, redirects,
 * the token), body.ts (the body size cap), failure.ts (error wording and redaction), urls.ts
 * (URLs and figures for messages).
 *
 * Retries: 5xx/408, network errors (refused, reset, dropped, `--timeout` without headers or
 * between body chunks) and truncated or unparsable bodies of one logical request (`getJson`,
 * `consume`, `stream`: the body is read again from a new answer) share one budget of
 * `--max-retries`, with exponential backoff and full jitter. Waiting out a 429 uses none of it.
 * When the retries run out: NetworkError `ETL_UNREACHABLE` (no connection could be opened),
 * `ETL_TIMEOUT` or `ETL_NETWORK`; HttpError; BodyError `ETL_BAD_BODY`.
 */
import type { Dispatcher } from 'undici';
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { bodyChunks, MAX_BODY_BYTES, readText } from './body.js';
import { afterAttempts, networkErrorCode, networkMessage, readErrorDetail } from './failure.js';
import { RateLimiter, type Budget } from './rate-limiter.js';
import { hubRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { OriginSession } from './session.js';
import { firstHeader, Transport, type HubResponse, type LogFn, type SendOptions } from './transport.js';
import { safeUrl, shortUrl } from './urls.js';

export { MAX_BODY_BYTES } from './body.js';
export { hubRetryPolicy, viewerRetryPolicy, type RetryPolicy } from './retry-policy.js';
export { LONG_WAIT_MS, type HubResponse, type LogFn } from './transport.js';
export { formatBudget, safeUrl, shortUrl } from './urls.js';

/** The options of one origin's HTTP client (the library's options are `HubClientOptions`, src/options.ts). */
export interface HttpClientOptions {
  endpoint: string;
  token: string | null;
  /** no status line, or no body data, for this long: the attempt fails (and is retried) */
  timeoutMs: number;
  concurrency: number;
  userAgent: string;
  /** what is retried and the backoff (default: the Hub's policy from `maxRetries` and the backoff figures) */
  retry?: RetryPolicy;
  /** with no `retry`: its limit */
  maxRetries?: number;
  /** with no `retry`: the backoff base (ms, default 1000) and cap (default 8 × the base) */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  log?: LogFn;
  maxBodyBytes?: number;
  dispatcher?: Dispatcher;
  limiter?: RateLimiter;
}

export type RequestOptions = SendOptions;

/** Options of a request whose body is read under the retry budget (`consume`, `stream`). */
export interface ReadOptions extends RequestOptions {
  /** how the give-up message names the answer (default: `answer from <url>`) */
  label?: string;
  /** told why, each time the body is read again */
  onBodyRetry?: (why: string) => void;
}

/** One retry budget shared by the network, status and body retries of one logical request. */
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
  /** retries so far and now (see RetryState) */
  readonly retries: RetryState = { total: 0, waiting: 0, reason: null };
  readonly endpoint: string;
  readonly limiter: RateLimiter;
  /** what this origin's requests retry, and how long they wait */
  readonly retry: RetryPolicy;
  /** what this run has learned about the origin (refused expand values, unreachable) */
  readonly session = new OriginSession();
  readonly #opts: Required<Pick<HttpClientOptions, 'maxBodyBytes'>> & HttpClientOptions;
  readonly #transport: Transport;

  constructor(options: HttpClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#opts = { maxBodyBytes: MAX_BODY_BYTES, ...options };
    this.retry = options.retry ?? hubRetryPolicy({ limit: options.maxRetries ?? 5, backoffBaseMs: options.backoffBaseMs, backoffCapMs: options.backoffCapMs });
    this.limiter = options.limiter ?? new RateLimiter({ paceBelow: Math.max(4, options.concurrency * 2) });
    this.#transport = new Transport({
      endpoint: this.endpoint,
      token: options.token,
      userAgent: options.userAgent,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      limiter: this.limiter,
      dispatcher: options.dispatcher,
      log: (level, msg, fields) => this.log(level, msg, fields),
    });
  }

  /** every HTTP request sent, retries and redirects included */
  get requests(): number {
    return this.#transport.requests;
  }

  /** `<endpoint><path>` for a path starting with `/`. */
  url(path: string): string {
    return this.endpoint + path;
  }

  budget(): Budget {
    return this.limiter.budget();
  }

  get maxRetries(): number {
    return this.retry.limit;
  }

  /** The cap on one body (and on one item of a listing page, whose body as a whole is not capped). */
  get maxBodyBytes(): number {
    return this.#opts.maxBodyBytes;
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
  getJson(url: string, options: RequestOptions = {}): Promise<{ data: unknown; headers: HubResponse['headers']; url: string }> {
    return this.consume(url, options, async (res) => ({ data: JSON.parse(await this.readText(res)) as unknown, headers: res.headers, url: res.url }));
  }

  /**
   * GET `url` and hand the answer to `read`, which reads its body; when reading fails (the body
   * broke off, or `read` threw because it does not parse), a new answer is asked for and read
   * again, under the same retry budget as the status and network retries.
   * @throws as `getJson`; a `*_TOO_LARGE` BodyError from `read` is not retried.
   */
  async consume<T>(url: string, options: ReadOptions, read: (res: HubResponse) => Promise<T>): Promise<T> {
    for await (const value of this.stream(url, options, async function* (res) {
      yield await read(res);
    })) {
      return value;
    }
    throw new Error('unreachable: the reader yielded nothing');
  }

  /**
   * As `consume`, for a body read as a stream of values: yields what `read` yields as it comes.
   * When reading fails part way, the body is read again from a new answer and its values come
   * again from the first (the caller drops those it already has).
   */
  async *stream<T>(url: string, options: ReadOptions, read: (res: HubResponse) => AsyncIterable<T>): AsyncGenerator<T> {
    const attempts: Attempts = { n: 0 };
    for (;;) {
      const res = await this.#open(url, options, attempts);
      try {
        yield* read(res);
        return;
      } catch (err) {
        res.body.destroy(); // the slot is free while the backoff runs
        await this.#bodyFailed(err, url, options, attempts);
      } finally {
        res.body.destroy();
      }
    }
  }

  /** Reads a whole body as UTF-8, refusing bodies over the size cap. */
  readText(res: HubResponse): Promise<string> {
    return readText(res, this.#opts.maxBodyBytes);
  }

  /**
   * The chunks of a body as they arrive, refusing a body over `max` bytes (default: the size cap;
   * by its declared length, or as soon as the bytes pass it) with BodyError `ETL_BODY_TOO_LARGE`.
   * A listing page passes `Infinity`: it is parsed item by item and caps each item instead.
   */
  bodyChunks(res: HubResponse, max: number = this.#opts.maxBodyBytes): AsyncGenerator<Buffer> {
    return bodyChunks(res, max);
  }

  /** Waits the backoff for a failed attempt (exposed for callers that stream bodies themselves). */
  async backoff(attempt: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    const ms = this.retry.delay(attempt);
    this.log('debug', `retry ${attempt}/${this.retry.limit} in ${ms} ms after ${reason}`, { url: safeUrl(url) });
    this.retries.total += 1;
    this.retries.waiting += 1;
    this.retries.reason = reason;
    try {
      await sleep(ms, signal);
    } finally {
      this.retries.waiting -= 1;
    }
    if (this.#transport.closed) throw new AbortedError('the client was closed');
  }

  /** Logs through the client's logger (the hub layer's warnings: refused `expand` values). */
  log(level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void {
    this.#opts.log?.(level, msg, fields);
  }

  /** Stops every request of this client; calls still waiting end with AbortedError. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /** Rethrows a body failure that is final, or counts a retry and waits its backoff. */
  async #bodyFailed(err: unknown, url: string, options: ReadOptions, attempts: Attempts): Promise<void> {
    if (options.signal?.aborted || this.#transport.closed) throw new AbortedError('aborted', { cause: err });
    if (err instanceof AbortedError || err instanceof HttpError || err instanceof NetworkError) throw err;
    if (err instanceof BodyError && err.tooLarge) throw err; // the same bytes would come again
    const why =
      err instanceof SyntaxError ? 'the body is not valid JSON'
      : err instanceof BodyError ? err.message
      : `the body broke off (${networkMessage(err, this.#opts.timeoutMs)})`;
    if (attempts.n >= this.retry.limit) {
      const what = options.label === undefined ? `unreadable answer from ${shortUrl(url)}: ` : `${options.label} could not be read: `;
      throw new BodyError(`${what}${why} (${afterAttempts(attempts.n + 1)})`, safeUrl(url), 'ETL_BAD_BODY', { cause: err });
    }
    attempts.n += 1;
    options.onBodyRetry?.(why);
    await this.backoff(attempts.n, why, url, options.signal);
  }

  async #open(url: string, options: RequestOptions, attempts: Attempts): Promise<HubResponse> {
    const { signal } = options;
    for (;;) {
      let res: HubResponse;
      try {
        res = await this.#transport.send(url, options);
      } catch (err) {
        if (signal?.aborted || this.#transport.closed || err instanceof AbortedError) throw new AbortedError('aborted', { cause: err });
        const why = networkMessage(err, this.#opts.timeoutMs);
        if (attempts.n >= this.retry.limit) {
          throw new NetworkError(`cannot reach ${shortUrl(url)}: ${why} (${afterAttempts(attempts.n + 1)})`, safeUrl(url), networkErrorCode(err), { cause: err });
        }
        attempts.n += 1;
        await this.backoff(attempts.n, why, url, signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 429) {
        res.body.destroy(); // the pause started at the status line (see Transport); the body tells nothing more
        continue; // waiting out a 429 does not use up a retry
      }
      const hubCode = firstHeader(res.headers['x-error-code']);
      if (this.retry.statusCodes.has(res.status) && attempts.n < this.retry.limit && this.retry.shouldRetry(res)) {
        res.body.destroy();
        attempts.n += 1;
        await this.backoff(attempts.n, `HTTP ${res.status}`, url, signal);
        continue;
      }
      let detail = await readErrorDetail(res, this.#opts.token);
      // a 401 for a request that carried the token, and not about one repo: the token itself was refused
      if (res.status === 401 && hubCode === null && this.#transport.headers(res.url).authorization) {
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
}
