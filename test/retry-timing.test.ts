import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  parseRateLimit,
  parseRateLimitPolicy,
  parseRetryAfter,
  pauseAfter429,
  rateLimitOf,
} from '../src/http/retry-timing.js';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('1', NOW)).toBe(1000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads the three HTTP-date forms of RFC 9110', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:05 GMT', NOW)).toBe(5000); // IMF-fixdate
    expect(parseRetryAfter('Thursday, 26-Nov-26 12:00:07 GMT', NOW)).toBe(7000); // RFC 850
    expect(parseRetryAfter('Thu Nov 26 12:00:09 2026', NOW + new Date(NOW).getTimezoneOffset() * 60_000)).toBe(9000); // asctime (V8 reads it as local time)
  });

  it('gives 0 for a date in the past and null for garbage', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
  });
});

describe('RateLimit headers', () => {
  it('reads the draft-09 RateLimit header the Hub sends', () => {
    expect(parseRateLimit('"api";r=0;t=55')).toEqual({ remaining: 0, resetSeconds: 55 });
    expect(parseRateLimit('"api"; r=12; t=3')).toEqual({ remaining: 12, resetSeconds: 3 });
  });

  it('takes the most cautious of several buckets and skips incomplete ones', () => {
    expect(parseRateLimit('"api";r=40;t=10, "resolvers";r=3;t=200')).toEqual({ remaining: 3, resetSeconds: 200 });
    expect(parseRateLimit('"api";r=4')).toBeNull();
    expect(parseRateLimit(undefined)).toBeNull();
  });

  it('reads RateLimit-Policy (smallest quota wins, window defaults to 300 s)', () => {
    expect(parseRateLimitPolicy('"fixed window";"api";q=500;w=300')).toEqual({ quota: 500, windowSeconds: 300 });
    expect(parseRateLimitPolicy('"api";q=1000;w=300, "pages";q=100;w=60')).toEqual({ quota: 100, windowSeconds: 60 });
    expect(parseRateLimitPolicy('"api";q=40')).toEqual({ quota: 40, windowSeconds: 300 });
    expect(parseRateLimitPolicy('"api";w=300')).toBeNull();
  });

  it('falls back to the older RateLimit-Remaining / -Reset / -Limit headers', () => {
    expect(rateLimitOf({ 'ratelimit-remaining': '7', 'ratelimit-reset': '30', 'ratelimit-limit': '100' })).toEqual({
      reading: { remaining: 7, resetSeconds: 30 },
      policy: { quota: 100, windowSeconds: 300 },
    });
    expect(rateLimitOf({ ratelimit: '"api";r=1;t=2', 'ratelimit-remaining': '50', 'ratelimit-reset': '9' }).reading).toEqual({ remaining: 1, resetSeconds: 2 });
    expect(rateLimitOf({})).toEqual({ reading: null, policy: null });
  });
});

describe('backoffDelay (exponential, full jitter)', () => {
  it('draws from [0, min(cap, base·2^(attempt-1))]', () => {
    expect(backoffDelay(1, 1000, 8000, () => 0)).toBe(0);
    expect(backoffDelay(1, 1000, 8000, () => 1)).toBe(1000);
    expect(backoffDelay(2, 1000, 8000, () => 1)).toBe(2000);
    expect(backoffDelay(3, 1000, 8000, () => 0.5)).toBe(2000);
    expect(backoffDelay(4, 1000, 8000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 1000, 8000, () => 1)).toBe(8000);
  });

  it('spreads delays over the whole range', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, 100, 10_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(delays.filter((d) => d < 100).length).toBeGreaterThan(300);
    expect(delays.filter((d) => d > 300).length).toBeGreaterThan(300);
  });
});

describe('pauseAfter429', () => {
  it('is Retry-After plus a margin of 50 ms up to 1 s', () => {
    expect(pauseAfter429(1000, null, 1000, () => 0)).toBe(1050);
    expect(pauseAfter429(1000, null, 1000, () => 1)).toBe(1250);
    expect(pauseAfter429(60_000, null, 1000, () => 1)).toBe(61_000);
  });

  it('with RateLimit r=0 waits the reset t, which wins over Retry-After', () => {
    expect(pauseAfter429(3000, { remaining: 0, resetSeconds: 40 }, 1000, () => 0)).toBe(40_050);
    expect(pauseAfter429(90_000, { remaining: 0, resetSeconds: 5 }, 1000, () => 0)).toBe(5050);
  });

  it('with RateLimit r>0 (another limit) waits Retry-After, not the reset', () => {
    expect(pauseAfter429(3000, { remaining: 12, resetSeconds: 200 }, 1000, () => 0)).toBe(3050);
    expect(pauseAfter429(null, { remaining: 12, resetSeconds: 200 }, 1000, () => 0)).toBe(1050);
  });

  it('uses the RateLimit reset when Retry-After is missing and nothing is left, else the fallback', () => {
    expect(pauseAfter429(null, { remaining: 0, resetSeconds: 20 }, 1000, () => 0)).toBe(20_050);
    expect(pauseAfter429(null, { remaining: 5, resetSeconds: 20 }, 1000, () => 0)).toBe(1050);
    expect(pauseAfter429(null, null, 1000, () => 0)).toBe(1050);
  });
});
