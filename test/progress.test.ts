/**
 * Progress: the live line's content, throttling, TTY vs not, --quiet (unit, with injected
 * write/now/budget), and once for real: `collect` on a pseudo-terminal shows the live line on
 * stderr, `collect 2>err.txt` writes no carriage return.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Budget } from '../src/http/rate-limiter.js';
import type { Logger } from '../src/log.js';
import { stderrSink } from '../src/log.js';
import { formatDuration, Progress, progressLine, type ProgressOptions } from '../src/progress.js';
import { BIN, cliEnv, outputFiles, readJson, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { ptyAvailable, screenText, spawnPty } from './helpers/pty.js';

const NO_BUDGET: Budget = { remaining: null, quota: null, resetAt: null, pausedUntil: 0 };
const CLEAR = '\r\x1b[2K';

function harness(opts: Partial<ProgressOptions> = {}) {
  let t = 1_000_000;
  const writes: string[] = [];
  const infos: string[] = [];
  let budget: Budget = NO_BUDGET;
  const log = { info: (msg: string) => void infos.push(msg) } as unknown as Logger;
  const p = new Progress({
    tty: true,
    quiet: false,
    target: 100,
    log,
    budget: () => budget,
    write: (s) => void writes.push(s),
    now: () => t,
    tickMs: 0,
    columns: () => 200,
    ...opts,
  });
  return {
    p,
    writes,
    infos,
    advance: (ms: number) => void (t += ms),
    setBudget: (b: Partial<Budget>) => void (budget = { ...NO_BUDGET, ...b }),
    now: () => t,
  };
}

afterEach(() => {
  stderrSink.beforeWrite = null;
  vi.useRealTimers();
});

describe('progressLine', () => {
  const base = { label: 'collected', failed: 0, budget: NO_BUDGET, now: 0 };

  it('shows done/target, percent, rate and ETA when the target is known', () => {
    expect(progressLine({ ...base, done: 25, target: 100, elapsedMs: 5000 })).toBe('collected 25/100 (25%) · 5.0/s · ETA 15s');
  });

  it('without a target (--all): count and rate, no ETA', () => {
    expect(progressLine({ ...base, done: 1234, target: null, elapsedMs: 10_000 })).toBe('collected 1234 · 123/s');
  });

  it('no rate yet: no ETA; done: no ETA', () => {
    expect(progressLine({ ...base, done: 0, target: 100, elapsedMs: 0 })).toBe('collected 0/100 (0%) · 0.0/s');
    expect(progressLine({ ...base, done: 100, target: 100, elapsedMs: 2000 })).toBe('collected 100/100 (100%) · 50/s');
  });

  it('failures, the rate-limit budget left, and a 429 pause', () => {
    const line = progressLine({ ...base, done: 10, failed: 2, target: 50, elapsedMs: 1000, now: 1000, budget: { remaining: 480, quota: 500, resetAt: 5000, pausedUntil: 31_000 } });
    expect(line).toBe('collected 10/50 (20%) · 10/s · ETA 4s · 2 failed · quota 480/500 left · rate-limited, waiting 30s');
  });

  it('formatDuration writes seconds, minutes and hours compactly, and ? for an unknown duration', () => {
    expect([formatDuration(0), formatDuration(59.4), formatDuration(61), formatDuration(3725), formatDuration(Infinity)]).toEqual(['0s', '59s', '1m01s', '1h02m', '?']);
  });
});

describe('Progress on a TTY', () => {
  it('draws the line in place at the first update', () => {
    const h = harness();
    h.advance(2000);
    h.p.update(10, 0);
    expect(h.writes).toEqual([`${CLEAR}collected 10/100 (10%) · 5.0/s · ETA 18s`]);
    h.p.stop();
  });

  it('redraws at most every 200 ms', () => {
    const h = harness();
    h.advance(1000);
    h.p.update(1, 0);
    h.advance(50);
    h.p.update(2, 0);
    h.advance(100);
    h.p.update(3, 0);
    expect(h.writes).toHaveLength(1);
    h.advance(60);
    h.p.update(4, 0);
    expect(h.writes).toHaveLength(2);
    expect(h.writes[1]).toMatch(/^\r\x1b\[2Kcollected 4\/100 /);
    h.p.stop();
  });

  it('shows the quota left as the rate limiter knows it', () => {
    const h = harness();
    h.setBudget({ remaining: 12, quota: 500 });
    h.advance(1000);
    h.p.update(5, 0);
    expect(h.writes[0]).toContain('quota 12/500 left');
  });

  it('is cut to the terminal width (a wrapped line could not be erased)', () => {
    const h = harness({ columns: () => 20 });
    h.advance(1000);
    h.p.update(5, 1);
    const shown = h.writes[0]!.slice(CLEAR.length);
    expect(shown.length).toBeLessThanOrEqual(19);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('stop() erases the line; log lines erase it first', () => {
    const h = harness();
    h.advance(1000);
    h.p.update(5, 0);
    expect(stderrSink.beforeWrite).toBeTypeOf('function');
    stderrSink.beforeWrite!();
    expect(h.writes.at(-1)).toBe(CLEAR);
    stderrSink.beforeWrite!(); // already erased: nothing more
    expect(h.writes).toHaveLength(2);
    h.advance(300);
    h.p.update(6, 0);
    h.p.stop();
    expect(h.writes.at(-1)).toBe(CLEAR);
    expect(stderrSink.beforeWrite).toBeNull();
    h.p.update(7, 0); // after stop: nothing
    expect(h.writes.at(-1)).toBe(CLEAR);
  });

  it('stop() without a line shown writes nothing', () => {
    const h = harness();
    h.p.stop();
    expect(h.writes).toEqual([]);
  });

  it('the ticker redraws while nothing arrives (waiting out a 429 is visible)', () => {
    vi.useFakeTimers();
    const h = harness({ tickMs: 1000, now: () => Date.now() });
    vi.advanceTimersByTime(1000);
    expect(h.writes).toHaveLength(1);
    expect(h.writes[0]).toContain('collected 0/100 (0%)');
    h.setBudget({ pausedUntil: Date.now() + 42_000 });
    vi.advanceTimersByTime(1000);
    expect(h.writes[1]).toContain('rate-limited, waiting 41s');
    h.p.stop();
    vi.advanceTimersByTime(5000);
    expect(h.writes).toHaveLength(3); // the erase, then nothing
  });
});

describe('Progress when stderr is not a TTY', () => {
  it('logs an info line at most every intervalMs, never writes a carriage return', () => {
    const h = harness({ tty: false, intervalMs: 10_000 });
    h.advance(1000);
    h.p.update(10, 0);
    expect(h.infos).toEqual([]);
    h.advance(9000);
    h.p.update(20, 0);
    expect(h.infos).toEqual(['collected 20/100 (20%) · 2.0/s · ETA 40s']);
    h.advance(5000);
    h.p.update(30, 0);
    expect(h.infos).toHaveLength(1);
    h.advance(5000);
    h.p.update(40, 0);
    expect(h.infos).toHaveLength(2);
    h.p.stop();
    expect(h.writes).toEqual([]);
    expect(stderrSink.beforeWrite).toBeNull();
  });

  it('keeps logging while stalled (the ticker)', () => {
    vi.useFakeTimers();
    const h = harness({ tty: false, intervalMs: 10_000, tickMs: 1000, now: () => Date.now() });
    vi.advanceTimersByTime(25_000);
    expect(h.infos).toHaveLength(2);
    h.p.stop();
    vi.advanceTimersByTime(25_000);
    expect(h.infos).toHaveLength(2);
    expect(h.writes).toEqual([]);
  });
});

describe('Progress with --quiet', () => {
  for (const tty of [true, false]) {
    it(`shows nothing (tty: ${tty})`, () => {
      vi.useFakeTimers();
      const h = harness({ tty, quiet: true, tickMs: 1000, now: () => Date.now() });
      for (let i = 1; i <= 50; i++) {
        vi.advanceTimersByTime(1000);
        h.p.update(i, 0);
      }
      h.p.stop();
      expect(h.writes).toEqual([]);
      expect(h.infos).toEqual([]);
      expect(stderrSink.beforeWrite).toBeNull();
    });
  }
});

describe.skipIf(!ptyAvailable())('progress of a real collect', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    // 50 a page, 100 ms a page: 300 datasets take ~0.6 s, several redraws
    hub = await startFakeHub({ synthetic: 1000, maxPageSize: 50, latencyMs: 100 });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('on a TTY: a live line on stderr; with 2>err.txt: no carriage return, just log lines', async () => {
    const cwd = tempDir('progress-');
    const env = cliEnv({ HF_ENDPOINT: hub.url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });
    const node = JSON.stringify(process.execPath);
    const bin = JSON.stringify(BIN);

    // the two runs side by side:
    // - stdout to a file, so all the terminal shows is stderr
    const tty = spawnPty(['sh', '-c', `exec ${node} ${bin} collect --limit 300 --out a >stdout.txt`], { cwd, env });
    // - stderr to a file: not a TTY
    const piped = spawnPty(['sh', '-c', `exec ${node} ${bin} collect --limit 300 --out b 2>err.txt`], { cwd, env });
    const [ttyCode, pipedCode] = await Promise.all([tty.exited, piped.exited]);

    expect(ttyCode).toBe(0);
    expect(tty.raw()).toMatch(/\r\x1b\[2Kcollected \d+\/300 \(\d+%\) · [\d.]+\/s/);
    expect(screenText(tty.raw())).toContain('hf-datasets info: collected 300 datasets, 0 failed');
    expect(readFileSync(join(cwd, 'stdout.txt'), 'utf8')).toBe('');

    expect(pipedCode).toBe(0);
    const err = readFileSync(join(cwd, 'err.txt'), 'utf8');
    expect(err).toContain('hf-datasets info: collected 300 datasets');
    expect(err).not.toContain('\r');
    expect(err).not.toContain('\x1b');
    expect(piped.raw()).not.toContain('collected');
    expect(readJson(outputFiles(join(cwd, 'b')).aggregate[0]!).summary.total_datasets).toBe(300);
  });
});

describe('progress line and retries', () => {
  it('says how many requests wait to be retried, and why', () => {
    const budget: Budget = { remaining: null, quota: null, resetAt: null, pausedUntil: 0 };
    const line = progressLine({ label: 'collected', done: 5, failed: 0, target: 10, elapsedMs: 1000, budget, now: 0, retries: { total: 4, waiting: 2, reason: 'HTTP 500' } });
    expect(line).toMatch(/2 requests waiting to retry \(HTTP 500\)/);
  });
});
