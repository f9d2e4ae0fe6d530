/**
 * What to retry and how long to wait, one policy object per origin (ky's `retry` option shape:
 * `limit`, `statusCodes`, `delay`, `shouldRetry`). The client's one retry loop (client.ts) asks
 * its policy; the Hub and the dataset viewer differ only in their policies.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { backoffDelay } from './retry-timing.js';

/** Statuses worth asking again: the server may answer otherwise next time. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

export interface RetryPolicy {
  /** retries of one logical request: its network, status and body failures share them */
  readonly limit: number;
  /** statuses retried (with backoff) while retries are left; any other error status is final */
  readonly statusCodes: ReadonlySet<number>;
  /** the backoff before retry number `attempt` (1-based), in ms */
  delay(attempt: number): number;
  /** whether an error answer whose status is in `statusCodes` may be asked again (false: the server's final word) */
  shouldRetry(answer: { status: number; headers: IncomingHttpHeaders }): boolean;
}

export interface RetryPolicyOptions {
  /** retries of one logical request (0–100) */
  limit: number;
  /** the backoff base in ms (default 1000): full jitter, doubling up to `backoffCapMs` */
  backoffBaseMs?: number;
  /** default 8 × the base (1 s doubling up to 8 s, as huggingface_hub does) */
  backoffCapMs?: number;
  random?: () => number;
}

function backoff(o: RetryPolicyOptions): (attempt: number) => number {
  const base = o.backoffBaseMs ?? 1000;
  const cap = o.backoffCapMs ?? base * 8;
  return (attempt) => backoffDelay(attempt, base, cap, o.random);
}

/** The Hub's policy: 408 and 5xx are asked again, whatever the answer says. */
export function hubRetryPolicy(o: RetryPolicyOptions): RetryPolicy {
  return { limit: o.limit, statusCodes: RETRY_STATUSES, delay: backoff(o), shouldRetry: () => true };
}

/**
 * The dataset viewer's policy: an error answer with an `X-Error-Code` header is the viewer's own
 * word (500 `ResponseNotReady`: being computed; SPEC, "Viewer statistics") and is not asked again.
 */
export function viewerRetryPolicy(o: RetryPolicyOptions): RetryPolicy {
  return { limit: o.limit, statusCodes: RETRY_STATUSES, delay: backoff(o), shouldRetry: ({ headers }) => headers['x-error-code'] === undefined };
}
