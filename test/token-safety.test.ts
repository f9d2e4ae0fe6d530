/**
 * The token goes to the configured endpoint's origin only, and never shows up in any output
 * file, on stdout or on stderr (debug logs included), even when a server echoes it back.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

const TOKEN = `hf_${randomBytes(16).toString('hex')}`;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function fakeHub(opts: Parameters<typeof startFakeHub>[0] = {}): Promise<FakeHub> {
  const hub = await startFakeHub(opts);
  closers.push(() => hub.close());
  return hub;
}

/** A server on another port; every request is logged with its Authorization header. */
async function server(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Array<{ url: string; authorization: string | undefined }> }> {
  const seen: Array<{ url: string; authorization: string | undefined }> = [];
  const s: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

/** Every file under `dir`, hidden ones included. */
function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...allFiles(path));
    else out.push(path);
  }
  return out;
}

/** Greps every output file, stdout and stderr for the token (and its Bearer form); returns where it was found. */
function leaks(out: string | null, r: CliResult): string[] {
  const found: string[] = [];
  const needles = [TOKEN, TOKEN.slice(3)];
  if (out) for (const f of allFiles(out)) if (needles.some((n) => readFileSync(f, 'latin1').includes(n))) found.push(f);
  if (needles.some((n) => r.stdout.includes(n))) found.push('stdout');
  if (needles.some((n) => r.stderr.includes(n))) found.push('stderr');
  return found;
}

describe('token safety', () => {
  it('sends --token to the endpoint and to nothing it redirects to', async () => {
    const hub = await fakeHub({ token: TOKEN });
    // the endpoint redirects every request to the fake Hub on another port (a mirror handing off to a CDN, say)
    const front = await server((req, res) => {
      res.writeHead(307, { location: `${hub.url}${req.url}` });
      res.end();
    });
    const out = tempDir('token-');
    const r = await runCli(['collect', '--all', '--file-sizes', '--endpoint', front.url, '--out', out, '--token', TOKEN, '--log-level', 'debug'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(front.seen.length).toBeGreaterThan(10);
    expect(front.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(hub.counters.total).toBeGreaterThan(front.seen.length - 1);
    expect(hub.counters.authorized).toBe(0);
    expect(hub.requests.every((q) => q.authorization === undefined)).toBe(true);
    expect(leaks(out, r)).toEqual([]);
  });

  it('sends HF_TOKEN to the endpoint, and keeps it out of every file and log', async () => {
    const hub = await fakeHub({ token: TOKEN });
    const out = tempDir('token-');
    const r = await runCli(['collect', '--all', '--file-sizes', '--endpoint', hub.url, '--out', out, '--log-level', 'debug'], {
      env: { HF_TOKEN: TOKEN },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(hub.counters.authorized).toBe(hub.counters.total);
    expect(hub.requests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // the token was used: the private dataset is listed and detailed
    expect(readdirSync(join(out, 'individual_datasets'))).toContain('acme-corp__internal-logs.json');
    expect(leaks(out, r)).toEqual([]);
  });

  it('keeps the token out of errors entries and messages when a server echoes it back', async () => {
    const hub = await fakeHub();
    const echo = (req: IncomingMessage, res: ServerResponse): void => {
      const auth = String(req.headers.authorization);
      const body = JSON.stringify({ error: `Invalid credentials: ${auth}` });
      res.writeHead(403, { 'content-type': 'application/json', 'x-error-message': `token ${auth} refused`, 'x-error-code': 'GatedRepo' });
      res.end(body);
    };
    // the endpoint lists through the fake Hub but answers every detail with an error that quotes the token
    const front = await server((req, res) => {
      if ((req.url ?? '').startsWith('/api/datasets?')) {
        res.writeHead(307, { location: `${hub.url}${req.url}` });
        return res.end();
      }
      echo(req, res);
    });
    const out = tempDir('token-');
    const r = await runCli(['collect', '--limit', '5', '--file-sizes', '--endpoint', front.url, '--out', out, '--token', TOKEN, '--log-level', 'debug'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(front.seen.length).toBeGreaterThan(5);
    expect(front.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const aggregate = allFiles(out).find((f) => f.includes('all_datasets_metadata_'))!;
    const datasets = JSON.parse(readFileSync(aggregate, 'utf8')).datasets;
    expect(datasets).toHaveLength(5);
    // (a repo with more than 1,000 files fails at its tree pages instead of the detail)
    for (const d of datasets) expect(d.errors).toEqual([{ stage: expect.stringMatching(/^(detail|tree)$/), status: 403, code: 'GatedRepo', message: expect.stringContaining('[redacted]') }]);
    expect(leaks(out, r)).toEqual([]);

    const e = await runCli(['enrich', '--endpoint', front.url, '--token', TOKEN, '--log-level', 'debug'], { input: 'a/b\nc/d\n', timeoutMs: 30_000 });
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain('[redacted]');
    expect(leaks(null, e)).toEqual([]);
  });

  it('keeps a refused token out of the fatal error line', async () => {
    const hub = await fakeHub({ token: 'hf_theRightOne' });
    const out = tempDir('token-');
    const r = await runCli(['collect', '--endpoint', hub.url, '--out', out, '--log-level', 'debug'], { env: { HF_TOKEN: TOKEN }, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HTTP 401 .*the token was refused/);
    expect(leaks(out, r)).toEqual([]);
  });
});
