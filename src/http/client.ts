/**
 * The one HTTP client: every request to the Hub goes through `HubClient`, which owns
 * the concurrency limit, the rate limiter, retries with backoff, timeouts, redirects, the body
 * size cap and the token (sent to the configured endpoint's origin only).
 *
 * Lifecycle of a request: wait for a slot (p-queue, `--concurrency`) → wait for the rate
 * limiter → send → on the status line, feed the rate limiter (a 429 pauses every request
 * at once, before its body is read) → retry or hand the body out. A slot stays taken until
 * the body has been read or destroyed, so "in flight" means what the server sees.
 */
import PQueue from 'p-queue';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { RateLimiter, type Budget } from './rate-limiter.js';
import { backoffDelay } from './retry-timing.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const RETRY_STATUSES = new Set([408, 500, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export type LogFn = (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface HubClientOptions {
  endpoint: string;
  token: string | null;
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

export class HubClient {
  /** every HTTP request sent, retries and redirects included */
  requests = 0;
  readonly endpoint: string;
  readonly limiter: RateLimiter;
  readonly #origin: string;
  readonly #opts: Required<Pick<HubClientOptions, 'maxRetries' | 'maxBodyBytes' | 'backoffBaseMs' | 'backoffCapMs'>> & HubClientOptions;
  readonly #queue: PQueue;
  readonly #dispatcher: Dispatcher;
  readonly #ownDispatcher: boolean;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#origin = new URL(this.endpoint).origin;
    this.#opts = {
      maxBodyBytes: MAX_BODY_BYTES,
      backoffBaseMs: 1000,
      backoffCapMs: 8000,
      ...options,
    };
    this.limiter = options.limiter ?? new RateLimiter({ paceBelow: Math.max(4, options.concurrency * 2) });
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

  /**
   * GET `url` and hand out the 2xx response with its body unread; the caller must read or
   * destroy the body. 429 is waited out, 5xx/408 and network errors are retried with backoff.
   * @throws HttpError for other statuses (or when retries run out), NetworkError, AbortedError.
   */
  async open(url: string, options: RequestOptions = {}): Promise<HubResponse> {
    const { signal } = options;
    for (let attempt = 0; ; ) {
      let res: HubResponse;
      try {
        res = await this.#slot(url, options);
      } catch (err) {
        if (signal?.aborted || err instanceof AbortedError) throw new AbortedError('aborted', { cause: err });
        if (attempt >= this.#opts.maxRetries) {
          throw new NetworkError(`cannot reach ${safeUrl(url)}: ${networkMessage(err)} (after ${attempt + 1} attempts)`, url, 'ETL_NETWORK', { cause: err });
        }
        attempt += 1;
        await this.#backoff(attempt, `${networkMessage(err)}`, url, signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      const requestId = firstHeader(res.headers['x-request-id']);
      const errorCode = firstHeader(res.headers['x-error-code']);
      if (res.status === 429) {
        res.body.destroy();
        const budget = this.limiter.budget();
        const waitMs = Math.max(0, budget.pausedUntil - Date.now());
        this.#log(waitMs > 10_000 ? 'warn' : 'debug', `rate limited (429); waiting ${Math.ceil(waitMs / 1000)} s`, { url: safeUrl(url) });
        continue; // waiting out a 429 does not use up a retry
      }
      if (RETRY_STATUSES.has(res.status) && attempt < this.#opts.maxRetries) {
        res.body.destroy();
        attempt += 1;
        await this.#backoff(attempt, `HTTP ${res.status}`, url, signal);
        continue;
      }
      const detail = await readErrorDetail(res);
      throw new HttpError({ status: res.status, method: 'GET', url: safeUrl(url), requestId, errorCode, detail });
    }
  }

  /**
   * GET `url` and parse its JSON body. Truncated or unparsable bodies are retried like 5xx.
   * @throws as `open`, and BodyError when the body stays unreadable or is over the size cap.
   */
  async getJson(url: string, options: RequestOptions = {}): Promise<{ data: unknown; headers: HubResponse['headers']; url: string }> {
    for (let attempt = 0; ; ) {
      const res = await this.open(url, options);
      try {
        const text = await this.readText(res);
        return { data: JSON.parse(text), headers: res.headers, url: res.url };
      } catch (err) {
        if (options.signal?.aborted) throw new AbortedError('aborted', { cause: err });
        if (err instanceof BodyError && err.code === 'ETL_BODY_TOO_LARGE') throw err;
        if (attempt >= this.#opts.maxRetries) {
          throw new BodyError(`unreadable body from ${safeUrl(url)}: ${networkMessage(err)}`, url, 'ETL_BAD_BODY', { cause: err });
        }
        attempt += 1;
        await this.#backoff(attempt, `bad body: ${networkMessage(err)}`, url, options.signal);
      }
    }
  }

  /** Reads a whole body as UTF-8, refusing bodies over the size cap. */
  async readText(res: HubResponse): Promise<string> {
    const max = this.#opts.maxBodyBytes;
    const declared = Number(firstHeader(res.headers['content-length']) ?? NaN);
    if (declared > max) {
      res.body.destroy();
      throw tooLarge(res.url, max);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > max) {
        res.body.destroy();
        throw tooLarge(res.url, max);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }

  /** Waits the backoff for a failed attempt (exposed for callers that stream bodies themselves). */
  async backoff(attempt: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    await this.#backoff(attempt, reason, url, signal);
  }

  get maxRetries(): number {
    return this.#opts.maxRetries;
  }

  get maxBodyBytes(): number {
    return this.#opts.maxBodyBytes;
  }

  async close(): Promise<void> {
    this.#queue.clear();
    if (this.#ownDispatcher) await this.#dispatcher.close().catch(() => undefined);
  }

  async #backoff(attempt: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    const ms = backoffDelay(attempt, this.#opts.backoffBaseMs, this.#opts.backoffCapMs);
    this.#log('debug', `retry ${attempt}/${this.#opts.maxRetries} in ${ms} ms after ${reason}`, { url: safeUrl(url) });
    await sleep(ms, signal);
  }

  /** One exchange (redirects followed) inside a concurrency slot that stays taken until the body is done. */
  #slot(url: string, options: RequestOptions): Promise<HubResponse> {
    return new Promise<HubResponse>((resolve, reject) => {
      this.#queue
        .add(
          async () => {
            let res: HubResponse;
            try {
              res = await this.#exchange(url, options.signal);
            } catch (err) {
              reject(err);
              return;
            }
            const done = new Promise<void>((release) => {
              if (res.body.destroyed || res.body.readableEnded) release();
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
      await this.limiter.acquire(signal);
      let res: Dispatcher.ResponseData;
      try {
        this.requests += 1;
        res = await request(current, {
          method: 'GET',
          headers: this.#headers(current),
          dispatcher: this.#dispatcher,
          signal,
        });
      } catch (err) {
        this.limiter.release();
        throw err;
      }
      const headers = res.headers as HubResponse['headers'];
      this.limiter.onHeaders(res.statusCode, headers);
      this.limiter.release();
      const location = firstHeader(headers.location);
      if (REDIRECT_STATUSES.has(res.statusCode) && location && hop < MAX_REDIRECTS) {
        res.body.destroy();
        current = new URL(location, current).toString();
        continue;
      }
      return { url: current, status: res.statusCode, headers, body: res.body };
    }
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
  return new BodyError(`response from ${safeUrl(url)} is larger than ${Math.round(max / 1024 / 1024)} MB; refused`, url, 'ETL_BODY_TOO_LARGE');
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

function networkMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : String(err);
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(err);
}

/** The `{"error": …}` message of an error body (at most 64 KB read), or the X-Error-Message header. */
async function readErrorDetail(res: HubResponse): Promise<string | null> {
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
  const out = detail ?? headerMessage;
  return out ? out.slice(0, 300) : null;
}
