/**
 * Driver side of bench/fake-server: forks a fake Hub in its own process and asks it for its
 * request counters (and its CPU time, to see whether the fake was the bottleneck).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FakeHubCounters, FakeHubOptions } from '../test/helpers/fake-hub.js';
import { DIST_BENCH } from './util.js';

export interface FakeProcess {
  url: string;
  /** the counters, the fake's CPU time so far, and when the first and last logged requests arrived (epoch ms) */
  counters(): Promise<FakeHubCounters & { cpuMs: number; firstAt: number | null; lastAt: number | null }>;
  reset(): Promise<void>;
  /** changes the fake's options at run time (e.g. the corpus moves between two syncs) */
  set(options: Partial<FakeHubOptions>): Promise<void>;
  close(): Promise<void>;
}

/** Forks `script` (bench/fake-server by default; bench/fake-viewer-server for the dataset viewer, whose counters hold total/inFlight/maxInFlight only). */
export async function startFakeProcess(opts: FakeHubOptions | object, script = 'fake-server.js'): Promise<FakeProcess> {
  const child: ChildProcess = fork(join(DIST_BENCH, script), [JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  let seq = 0;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake Hub exited early (${code})`)));
    child.on('message', (m: Record<string, unknown>) => {
      if (m.type === 'ready') resolve(m.url as string);
      else if (typeof m.id === 'number') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
  const ask = (type: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      child.send({ id, type, ...extra });
    });
  return {
    url,
    async counters() {
      const m = await ask('counters');
      return { ...(m.counters as FakeHubCounters), cpuMs: m.cpuMs as number, firstAt: m.firstAt as number | null, lastAt: m.lastAt as number | null };
    },
    async reset() {
      await ask('reset');
    },
    async set(options) {
      await ask('set', { options });
    },
    async close() {
      child.removeAllListeners('exit');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) await ask('close');
      await exited;
    },
  };
}
