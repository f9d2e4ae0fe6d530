/**
 * Runs `hf-datasets serve` (the real CLI) as a child process on 127.0.0.1, port 0, with a private
 * snapshot folder; `get` asks it for a raw path (sent as is: no URL normalization, so encoded ids
 * stay encoded). Only node: built-ins and test helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { BIN, cliEnv, tempDir } from './cli.js';

export interface Served {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** sends `signal` and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function startServe(db: string, opts: { env?: Record<string, string | undefined>; args?: string[] } = {}): Promise<Served> {
  const env = cliEnv({ HF_DATASETS_SNAPSHOT_DIR: tempDir('hfds-snap-'), ...opts.env });
  const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0', ...(opts.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl === -1) return;
      const m = /^listening (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(stdout.slice(0, nl));
      if (!m) return reject(new Error(`unexpected first line: ${JSON.stringify(stdout.slice(0, nl))}`));
      resolve({
        url: m[1]!,
        child,
        stderr: () => stderr,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
}

/** GET `path` (raw) from `base`. */
export function get(base: string, path: string, method = 'GET'): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T = any>(base: string, path: string): Promise<T> {
  const a = await get(base, path);
  if (a.status !== 200) throw new Error(`${path}: ${a.status} ${a.body.slice(0, 300)}`);
  return JSON.parse(a.body) as T;
}
