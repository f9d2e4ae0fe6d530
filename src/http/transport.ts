/**
 * One exchange with the server, with no retries: wait for a concurrency slot (p-queue,
 * `--concurrency`) → wait for the rate limiter → send → on the status line, feed the rate
 * limiter (a 429 pauses every request at once, before its body is read) → follow redirects →
 * hand the answer out with its body unread. The slot stays taken until the body has been read
 * or destroyed, so "in flight" means what the server sees. The token goes to the configured
 * endpoint's origin only, never to a redirect target elsewhere.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AbortedError } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { REDIRECT_STATUSES } from './retry-timing.js';
import { formatBudget, formatMs, safeUrl, sameOrigin } from './urls.js';

const MAX_REDIRECTS = 5;
/** Waits longer than this (429 pauses, quota resets) are logged as warnings. */
export const LONG_WAIT_MS = 10_000;

export type LogFn = (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface HubResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  signal?: AbortSignal;
  /** higher runs first when requests queue for a slot (list pages before details) */
  priority?: number;
}

export interface TransportOptions {
  endpoint: string;
  token: string | null;
  userAgent: string;
  timeoutMs: number;
  concurrency: number;
  limiter: RateLimiter;
  dispatcher?: Dispatcher;
  log: LogFn;
}

/** The first value of a header, or null. */
export function firstHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

export class Transport {
  /** every HTTP request sent, retries and redirects included */
  requests = 0;
  #closed = false;
  readonly #opts: TransportOptions;
  readonly #origin: string;
  readonly #queue: PQueue;
  readonly #dispatcher: Dispatcher;
  readonly #ownDispatcher: boolean;
  readonly #signals = new WeakSet<AbortSignal>();

  constructor(options: TransportOptions) {
    this.#opts = options;
    this.#origin = new URL(options.endpoint).origin;
    options.limiter.onQuotaWait = (ms, b) => {
      options.log(ms > LONG_WAIT_MS ? 'warn' : 'debug', `rate-limit quota used up (${formatBudget(b)}); waiting ${formatMs(ms)} for the window to reset`);
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

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops every request; queued ones start and end at once, running ones fail with the dispatcher. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#opts.limiter.close(); // requests waiting out a pause or a quota reset end now
    if (this.#ownDispatcher) await this.#dispatcher.destroy().catch(() => undefined);
  }

  /** The request headers for `url` (the token only for the endpoint's origin). */
  headers(url: string): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.#opts.userAgent, accept: 'application/json' };
    if (this.#opts.token && sameOrigin(url, this.#origin)) headers.authorization = `Bearer ${this.#opts.token}`;
    return headers;
  }

  /** One exchange (redirects followed) inside a concurrency slot that stays taken until the body is done. */
  send(url: string, options: SendOptions): Promise<HubResponse> {
    if (options.signal) this.#allowListeners(options.signal);
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
    const limiter = this.#opts.limiter;
    let current = url;
    for (let hop = 0; ; hop += 1) {
      const ticket = await limiter.acquire(signal);
      let res: Dispatcher.ResponseData;
      try {
        if (this.#closed) throw new AbortedError('the client was closed');
        this.requests += 1;
        res = await request(current, { method: 'GET', headers: this.headers(current), dispatcher: this.#dispatcher, signal });
      } catch (err) {
        limiter.release(ticket);
        throw err;
      }
      // undici emits 'error' when a body is destroyed before its end: a body we drop must not crash the process
      res.body.on('error', () => undefined);
      const headers = res.headers as HubResponse['headers'];
      // the status line is here: a 429 pauses every request now, before its body is read
      const paused = limiter.onResponse(ticket, res.statusCode, headers);
      limiter.release(ticket);
      if (paused > 0) {
        this.#opts.log(paused > LONG_WAIT_MS ? 'warn' : 'debug', `rate limited (HTTP 429): every request waits ${formatMs(paused)}`, {
          url: safeUrl(current),
          budget: formatBudget(limiter.budget()),
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
}
