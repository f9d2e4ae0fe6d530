/**
 * The rate limiter on a virtual clock: unit cases, then a discrete-event simulation of a
 * fixed-window server (the fake Hub's own quota model) with workers whose answers come back
 * late and out of order.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../src/errors.js';
import { RateLimiter, type Ticket } from '../src/http/rate-limiter.js';
import { FixedWindowQuota, mulberry32, rateLimitHeaders } from './helpers/fake-hub-faults.js';

/** A virtual clock: `sleep` schedules an event; `run` fires events in time order, letting promise chains settle in between. */
class VirtualTime {
  now = 1_000_000;
  #events: Array<{ at: number; seq: number; fire: () => void }> = [];
  #seq = 0;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const ev = { at: this.now + Math.max(0, ms), seq: this.#seq++, fire: resolve };
      signal?.addEventListener('abort', () => {
        this.#events = this.#events.filter((e) => e !== ev);
        reject(new AbortedError());
      });
      this.#events.push(ev);
    });

  /** Fires every event (up to `until`, then moves the clock there). */
  async run(until = Infinity): Promise<void> {
    for (;;) {
      await settle();
      this.#events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const ev = this.#events[0];
      if (!ev || ev.at > until) {
        if (until !== Infinity) this.now = Math.max(this.now, until);
        return;
      }
      this.#events.shift();
      this.now = Math.max(this.now, ev.at);
      ev.fire();
    }
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function limiterOn(vt: VirtualTime, paceBelow = 0): RateLimiter {
  return new RateLimiter({ now: () => vt.now, sleep: vt.sleep, random: () => 0, paceBelow });
}

const reading = (r: number, t: number, q?: number, w?: number): Record<string, string> => ({
  ratelimit: `"api";r=${r};t=${t}`,
  ...(q === undefined ? {} : { 'ratelimit-policy': `"fixed window";"api";q=${q};w=${w ?? 300}` }),
});

/** Resolves with the virtual time at which `acquire` let the request go. */
async function timeOfAcquire(vt: VirtualTime, limiter: RateLimiter, signal?: AbortSignal): Promise<{ at: number; ticket: Ticket }> {
  const p = limiter.acquire(signal).then((ticket) => ({ at: vt.now, ticket }));
  await vt.run();
  return p;
}

describe('RateLimiter budget', () => {
  it('lets requests go freely until a reading is known', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const start = vt.now;
    for (let i = 0; i < 20; i++) expect((await timeOfAcquire(vt, limiter)).at).toBe(start);
    expect(limiter.budget()).toEqual({ remaining: null, quota: null, resetAt: null, pausedUntil: 0 });
  });

  it('counts other requests in flight against a reading, and every request sent', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const tickets = await Promise.all([1, 2, 3].map(() => limiter.acquire()));
    limiter.onResponse(tickets[0]!, 200, reading(10, 60, 100));
    limiter.release(tickets[0]!);
    expect(limiter.budget().remaining).toBe(8); // r=10 minus the two still in flight
    await limiter.acquire();
    expect(limiter.budget().remaining).toBe(7);
    expect(limiter.budget().quota).toBe(100);
  });

  it('trusts the most cautious reading of a window, whatever order answers come in', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const t = await Promise.all([1, 2, 3].map(() => limiter.acquire()));
    for (const [i, r] of [[0, 5], [1, 30], [2, 20]] as const) {
      limiter.onResponse(t[i]!, 200, reading(r, 60));
      limiter.release(t[i]!);
    }
    expect(limiter.budget().remaining).toBe(3); // 5 minus the two then in flight; later, larger readings change nothing
  });

  it('waits for the reset once the budget is spent, then starts the new window from the policy', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const waits: number[] = [];
    limiter.onQuotaWait = (ms) => waits.push(ms);
    const first = await limiter.acquire();
    limiter.onResponse(first, 200, reading(2, 10, 40, 10)); // window of 10 s: margin 1.25 s
    limiter.release(first);
    const start = vt.now;
    for (let i = 0; i < 2; i++) {
      const r = await timeOfAcquire(vt, limiter);
      expect(r.at).toBe(start);
      limiter.release(r.ticket);
    }
    const { at } = await timeOfAcquire(vt, limiter);
    expect(at).toBe(start + 10_000 + 1000); // the reset plus a margin for a `t` rounded down
    expect(waits).toEqual([11_000]);
    expect(limiter.budget().remaining).toBe(39); // the new window: q=40, one sent
  });

  it('keeps the tightest reset bound, so a steady flow of answers does not push the reset away', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const end = vt.now + 10_000; // the server's window ends here; it reports t = ceil(seconds left), at least 1
    const t = (): number => Math.max(1, Math.ceil((end - vt.now) / 1000));
    const first = await limiter.acquire();
    limiter.onResponse(first, 200, reading(500, t(), 1000, 10));
    limiter.release(first);
    expect(limiter.budget().resetAt).toBe(end);
    for (let i = 0; i < 32; i++) {
      vt.now += 130;
      const ticket = await limiter.acquire();
      vt.now += 170;
      limiter.onResponse(ticket, 200, reading(400 - i, t())); // each says "at most t s": up to 1 s later than the end
      limiter.release(ticket);
    }
    expect(vt.now).toBeLessThan(end + 1000);
    expect(limiter.budget().resetAt).toBe(end);
  });

  it('lets a 429 push the reset later', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(10, 2, 100, 2));
    limiter.release(a);
    const b = await limiter.acquire();
    limiter.onResponse(b, 429, reading(0, 30)); // no Retry-After: the reset is `t` away
    limiter.release(b);
    expect(limiter.budget().resetAt).toBe(vt.now + 30_000);
    expect(limiter.budget().remaining).toBe(0);
    const c = await timeOfAcquire(vt, limiter);
    expect(c.at).toBe(vt.now);
    expect(c.at).toBeGreaterThanOrEqual(1_000_000 + 30_000 + 250);
  });

  it('a 429 with r=0 waits for the RateLimit reset t, which wins over its Retry-After', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(10, 2, 100, 2));
    limiter.release(a);
    const b = await limiter.acquire();
    const pause = limiter.onResponse(b, 429, { ...reading(0, 5), 'retry-after': '3' });
    limiter.release(b);
    expect(pause).toBe(5050);
    expect(limiter.budget().resetAt).toBe(1_000_000 + 5000);
    const c = await timeOfAcquire(vt, limiter);
    expect(c.at).toBe(1_000_000 + 5000 + 250); // the reset plus the margin of a 2 s window
    expect(limiter.budget().remaining).toBe(99); // a new window from the policy, until a reading says otherwise
  });

  it('a 429 with r>0 comes from another limit: it waits its Retry-After and its reading is an ordinary one', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(10, 60, 100, 300));
    limiter.release(a);
    const b = await limiter.acquire();
    const pause = limiter.onResponse(b, 429, { ...reading(7, 50), 'retry-after': '3' });
    limiter.release(b);
    expect(pause).toBe(3050);
    expect(limiter.budget()).toMatchObject({ remaining: 7, resetAt: 1_000_000 + 50_000 }); // the reset is not pushed later
    const c = await timeOfAcquire(vt, limiter);
    expect(c.at).toBe(1_000_000 + 3050);
    expect(limiter.budget().remaining).toBe(6);
  });

  it('ignores readings of requests sent before the window changed', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    const late = await limiter.acquire();
    limiter.onResponse(a, 200, reading(0, 1, 40, 1));
    limiter.release(a);
    // the budget is spent: the next request waits for the new window
    const next = await timeOfAcquire(vt, limiter);
    expect(limiter.budget().remaining).toBe(38); // 40 minus `late` still in flight, minus `next`
    // the late answer describes the old window (r=0): it must not zero the new one
    limiter.onResponse(late, 200, reading(0, 1));
    limiter.release(late);
    expect(limiter.budget().remaining).toBe(38);
    limiter.onResponse(next.ticket, 200, reading(37, 1));
    limiter.release(next.ticket);
    expect(limiter.budget().remaining).toBe(37);
  });

  it('drops a window guessed from the policy when the answers carry no reading', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 429, { ...reading(0, 1, 500, 300), 'retry-after': '1' });
    limiter.release(a);
    const b = await timeOfAcquire(vt, limiter); // waits out the pause and the reset
    expect(limiter.budget().remaining).toBe(499);
    limiter.onResponse(b.ticket, 200, {});
    limiter.release(b.ticket);
    expect(limiter.budget().remaining).toBeNull();
    const start = vt.now;
    for (let i = 0; i < 600; i++) limiter.release(await limiter.acquire());
    expect(vt.now).toBe(start); // no self-imposed 500-per-300-s budget
  });

  it('probes a new window with one request at a time when the quota is unknown', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(0, 1)); // no policy: quota unknown
    limiter.release(a);
    const probe = await timeOfAcquire(vt, limiter);
    let second = false;
    const p = limiter.acquire().then((t) => ((second = true), t));
    await vt.run(vt.now + 500);
    expect(second).toBe(false);
    limiter.onResponse(probe.ticket, 200, reading(9, 1));
    limiter.release(probe.ticket);
    await vt.run(vt.now + 100);
    await p;
    expect(second).toBe(true);
    expect(limiter.budget().remaining).toBe(8);
  });

  it('spreads the last requests of a window instead of sending them in a burst', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt, 8);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(4, 10, 100, 10));
    limiter.release(a);
    const start = vt.now;
    const times: number[] = [];
    for (let i = 0; i < 4; i++) times.push((await timeOfAcquire(vt, limiter)).at - start);
    expect(times[0]).toBe(0);
    for (let i = 1; i < 4; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(1500);
    expect(times[3]).toBeLessThan(11_250);
  });

  it('shows a fresh quota once the window has passed', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 200, reading(0, 2, 40, 2));
    limiter.release(a);
    expect(limiter.budget()).toMatchObject({ remaining: 0, quota: 40 });
    vt.now += 2000 + 250;
    expect(limiter.budget()).toMatchObject({ remaining: 40, quota: 40 });
  });
});

describe('RateLimiter 429 pause', () => {
  it('pauses every request until Retry-After (seconds) has passed, plus a margin', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    const at429 = vt.now;
    expect(limiter.onResponse(a, 429, { 'retry-after': '1' })).toBe(1050);
    limiter.release(a);
    const times = await Promise.all([timeOfAcquire(vt, limiter), timeOfAcquire(vt, limiter), timeOfAcquire(vt, limiter)]);
    for (const t of times) expect(t.at).toBe(at429 + 1050);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const vt = new VirtualTime();
    vt.now = Date.parse('2026-11-26T12:00:00.400Z');
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 429, { 'retry-after': 'Thu, 26 Nov 2026 12:00:02 GMT' });
    limiter.release(a);
    expect((await timeOfAcquire(vt, limiter)).at).toBe(Date.parse('2026-11-26T12:00:02.000Z') + 50);
  });

  it('never shortens a pause', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const [a, b] = await Promise.all([limiter.acquire(), limiter.acquire()]);
    expect(limiter.onResponse(a, 429, { 'retry-after': '20' })).toBeGreaterThan(20_000);
    expect(limiter.onResponse(b, 429, { 'retry-after': '1' })).toBe(0);
    expect(limiter.budget().pausedUntil).toBe(vt.now + 20_050);
  });

  it('waits for the RateLimit reset when a 429 has no Retry-After', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    expect(limiter.onResponse(a, 429, reading(0, 7))).toBe(7050);
  });

  it('gives up waiting when the signal aborts', async () => {
    const vt = new VirtualTime();
    const limiter = limiterOn(vt);
    const a = await limiter.acquire();
    limiter.onResponse(a, 429, { 'retry-after': '3600' });
    limiter.release(a);
    const controller = new AbortController();
    const p = limiter.acquire(controller.signal);
    await settle();
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    await expect(limiter.acquire(controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(limiter.inFlight).toBe(0);
  });
});

describe('RateLimiter against a simulated fixed-window server', () => {
  /**
   * `workers` loops send `total` requests through the limiter; each reaches the server after a
   * random delay, is counted by the server's fixed-window quota when it arrives, and is answered
   * after another random delay (sometimes very late), so answers overtake each other.
   */
  async function simulate(opts: { quota: number; windowSec: number; workers: number; total: number; seed: number; slowEvery?: number }) {
    const vt = new VirtualTime();
    const limiter = new RateLimiter({ now: () => vt.now, sleep: vt.sleep, random: mulberry32(opts.seed), paceBelow: Math.max(4, opts.workers * 2) });
    const server = new FixedWindowQuota(opts.quota, opts.windowSec);
    const rand = mulberry32(opts.seed + 1);
    const start = vt.now;
    let sent = 0;
    let over = 0;
    let firstAnswerAt = Infinity;
    let overAfterFirstAnswer = 0;
    const worker = async (): Promise<void> => {
      while (sent < opts.total) {
        sent += 1;
        const ticket = await limiter.acquire();
        await vt.sleep(1 + rand() * 20);
        const q = server.arrive(vt.now);
        if (q.over) {
          over += 1;
          if (vt.now > firstAnswerAt) overAfterFirstAnswer += 1;
        }
        const slow = opts.slowEvery && rand() < 1 / opts.slowEvery;
        await vt.sleep(slow ? 1500 + rand() * 1500 : 1 + rand() * 60);
        firstAnswerAt = Math.min(firstAnswerAt, vt.now);
        const headers = rateLimitHeaders(q.remaining, q.resetSec, q.limit, q.windowSec);
        limiter.onResponse(ticket, q.over ? 429 : 200, q.over ? { ...lower(headers), 'retry-after': String(q.resetSec) } : lower(headers));
        limiter.release(ticket);
      }
    };
    const done = Promise.all(Array.from({ length: opts.workers }, () => worker()));
    await vt.run();
    await done;
    return { over, overAfterFirstAnswer, seconds: (vt.now - start) / 1000 };
  }

  const lower = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

  it.each([
    { quota: 40, windowSec: 2, workers: 8, total: 400, seed: 1 },
    { quota: 40, windowSec: 2, workers: 8, total: 400, seed: 2, slowEvery: 10 },
    { quota: 20, windowSec: 1, workers: 16, total: 300, seed: 3, slowEvery: 20 },
    { quota: 100, windowSec: 5, workers: 32, total: 800, seed: 4, slowEvery: 5 },
    { quota: 10, windowSec: 3, workers: 4, total: 60, seed: 5 },
  ])('never exceeds the quota: %o', async (opts) => {
    const r = await simulate(opts);
    expect(r.over).toBe(0);
    expect(r.overAfterFirstAnswer).toBe(0);
    // and it is not needlessly slow: each window holds about a full quota
    const windows = Math.ceil(opts.total / opts.quota);
    expect(r.seconds).toBeLessThan(windows * opts.windowSec * 1.6 + 4);
  });
});
