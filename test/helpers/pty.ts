/**
 * A program on a real pseudo-terminal, driven like a person at the keyboard: `send('1\r')` types,
 * `waitFor(/Choose/)` waits (bounded) for the screen to show something. Uses `test/helpers/pty_driver.py`
 * (python3's pty module); `ptyAvailable()` says whether it can run here. Only node: built-ins.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findProjectRoot } from './corpus.js';

const DRIVER = join(findProjectRoot(), 'test', 'helpers', 'pty_driver.py');

let available: boolean | undefined;

/** Whether python3 with its pty module is here (the tests are skipped otherwise). */
export function ptyAvailable(): boolean {
  available ??= spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Terminal output without escape sequences and carriage returns (what a person reads). */
export function screenText(raw: string): string {
  return raw.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\r/g, '');
}

export interface PtySession {
  /** everything the terminal showed so far, escape sequences included */
  raw(): string;
  /** the same, as read by a person ({@link screenText}) */
  text(): string;
  /** types into the terminal ("\r" is Enter, "\x03" is Ctrl-C) */
  send(keys: string): void;
  /**
   * Waits until the text shown after the previous match matches `pattern`, then moves past it (so
   * the same prompt shown again is a new match). Rejects after `timeoutMs` with what was shown.
   */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** the exit code (128 + N for signal N) once the program and the terminal are gone */
  exited: Promise<number | null>;
  /** SIGKILL the driver (the program then gets SIGHUP) */
  kill(): void;
}

export interface PtyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** kill everything after this long (default 50 s) */
  timeoutMs?: number;
}

export function spawnPty(argv: string[], opts: PtyOptions = {}): PtySession {
  const child = spawn('python3', [DRIVER, '--cols', String(opts.cols ?? 100), '--rows', String(opts.rows ?? 30), '--', ...argv], {
    cwd: opts.cwd,
    env: { TERM: 'xterm-256color', ...(opts.env ?? process.env) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let cursor = 0; // in text()
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    raw += `[pty_driver] ${d}`;
    wake();
  });
  child.stdin.on('error', () => undefined);
  const guard = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 50_000);
  let ended = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      clearTimeout(guard);
      wake();
      resolve(code);
    });
  });

  const session: PtySession = {
    raw: () => raw,
    text: () => screenText(raw),
    send(keys) {
      child.stdin.write(keys);
    },
    waitFor(pattern, timeoutMs = 30_000) {
      const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const text = screenText(raw);
          const m = re.exec(text.slice(cursor));
          if (m) {
            cursor += (m.index ?? 0) + m[0].length;
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`pty: the program ended before ${re} showed; the screen after the last match:\n${text.slice(cursor)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`pty: ${re} did not show within ${timeoutMs} ms; the screen after the last match:\n${screenText(raw).slice(cursor)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    kill() {
      child.kill('SIGKILL');
    },
  };
  return session;
}
