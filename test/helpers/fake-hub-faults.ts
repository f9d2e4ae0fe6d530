/**
 * Deterministic fault injection and the fixed-window quota of the fake Hub. Imports nothing.
 */

/** Kinds of injected faults. */
export type FaultKind = '429' | '503' | 'reset' | 'truncate' | 'malformed' | 'slow';

/** Routes the fake distinguishes (for counters and `onlyRoutes`). */
export type RouteKind = 'list' | 'detail' | 'tree' | 'other';

/**
 * Which requests fail and how. Random faults draw from a PRNG seeded with `seed` (one draw per request
 * on an eligible route, in arrival order), so a sequential client sees the same faults on every run.
 * Rates are probabilities in [0, 1]; their sum should not exceed 1.
 */
export interface FaultPlan {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Probability of a 429 with `Retry-After`. */
  rate429?: number;
  /** `Retry-After` of injected 429s in seconds (default 1). */
  retryAfterSec?: number;
  /** Send `Retry-After` as an HTTP date instead of seconds. */
  retryAfterAsDate?: boolean;
  /**
   * The `RateLimit` reading of injected 429s (default `r=0`, `t` = `retryAfterSec`). With `remaining` > 0 the 429
   * comes from another limit than the "api" bucket.
   */
  rateLimit429?: { remaining: number; resetSec: number };
  /** Probability of a 503 `{"error":"Service Unavailable"}`. */
  rate503?: number;
  /** Probability of destroying the socket before answering. */
  rateReset?: number;
  /** Probability of 200 headers + part of the body, then a destroyed socket. */
  rateTruncate?: number;
  /** Probability of a 200 whose body is not JSON. */
  rateMalformed?: number;
  /** Delay of slow answers in ms (default 2000). */
  slowMs?: number;
  /** Probability of a slow answer (delayed by `slowMs`, otherwise normal). */
  rateSlow?: number;
  /** Inject faults only on these routes (default: all routes). */
  onlyRoutes?: Array<'list' | 'detail' | 'tree'>;
  /** Explicit fault at the Nth request (1-based, global count over all routes); wins over random faults. */
  atRequests?: Record<number, FaultKind>;
}

/** mulberry32: a small deterministic PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks the fault (if any) for each request according to a plan. */
export class FaultPicker {
  private readonly rand: () => number;

  constructor(private readonly plan: FaultPlan | undefined) {
    this.rand = mulberry32(plan?.seed ?? 1);
  }

  /** The fault for request number `reqNo` (1-based) on `route`, or null. */
  pick(reqNo: number, route: RouteKind): FaultKind | null {
    const p = this.plan;
    if (!p) return null;
    const explicit = p.atRequests?.[reqNo];
    if (explicit) return explicit;
    if (p.onlyRoutes && !(p.onlyRoutes as RouteKind[]).includes(route)) return null;
    const table: Array<[FaultKind, number | undefined]> = [['429', p.rate429], ['503', p.rate503],
      ['reset', p.rateReset], ['truncate', p.rateTruncate], ['malformed', p.rateMalformed], ['slow', p.rateSlow]];
    if (!table.some(([, r]) => (r ?? 0) > 0)) return null;
    let x = this.rand();
    for (const [kind, rate] of table) {
      const r = rate ?? 0;
      if (x < r) return kind;
      x -= r;
    }
    return null;
  }
}

/** State of the quota for one request. */
export interface QuotaState {
  over: boolean;
  remaining: number;
  resetSec: number;
  limit: number;
  windowSec: number;
}

/** A fixed-window request quota (bucket "api"); the window starts at the first request after the previous one ended. */
export class FixedWindowQuota {
  private start = -Infinity;
  private used = 0;

  constructor(readonly limit: number, readonly windowSec: number) {}

  /** Account for a request arriving at `now` (ms). */
  arrive(now: number): QuotaState {
    const w = this.windowSec * 1000;
    if (now >= this.start + w) {
      this.start = now;
      this.used = 0;
    }
    const over = this.used >= this.limit;
    if (!over) this.used++;
    return {
      over,
      remaining: Math.max(0, this.limit - this.used),
      resetSec: Math.max(1, Math.ceil((this.start + w - now) / 1000)),
      limit: this.limit,
      windowSec: this.windowSec,
    };
  }
}

/** `RateLimit` and `RateLimit-Policy` headers (IETF draft-09, as the Hub sends them). */
export function rateLimitHeaders(remaining: number, resetSec: number, limit: number, windowSec: number): Record<string, string> {
  return {
    RateLimit: `"api";r=${remaining};t=${resetSec}`,
    'RateLimit-Policy': `"fixed window";"api";q=${limit};w=${windowSec}`,
  };
}
