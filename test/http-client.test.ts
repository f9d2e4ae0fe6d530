/**
 * HubClient against small node:http servers on 127.0.0.1 (port 0): the 429 pause and when it
 * starts, retries and their budget, timeouts, dropped and truncated answers, the body cap,
 * concurrency, redirects and the token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, BodyError, HttpError, NetworkError } from '../src/errors.js';
import { HubClient, type HttpClientOptions } from '../src/http/client.js';
import { RateLimiter } from '../src/http/rate-limiter.js';
import { sleep as realSleep } from '../src/util/sleep.js';
import { FixedWindowQuota, rateLimitHeaders } from './helpers/fake-hub-faults.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;

interface TestServer {
  url: string;
  /** arrival time of every request, in order */
  arrivals: Array<{ at: number; url: string; authorization: string | undefined }>;
  /** requests whose answer is not yet completely written (counted until 'finish' or until the socket is destroyed) */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

const servers: Array<TestServer> = [];
const clients: HubClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const t: TestServer = { url: '', arrivals: [], inFlight: 0, maxInFlight: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const n = t.arrivals.length;
    t.arrivals.push({ at: Date.now(), url: req.url ?? '', authorization: req.headers.authorization });
    t.inFlight += 1;
    t.maxInFlight = Math.max(t.maxInFlight, t.inFlight);
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        t.inFlight -= 1;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    const destroy = req.socket.destroy.bind(req.socket);
    // a handler that drops the connection is done sending at that very moment
    req.socket.destroy = ((err?: Error) => {
      finish();
      return destroy(err);
    }) as typeof req.socket.destroy;
    Promise.resolve(handler(req, res, n)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  servers.push(t);
  return t;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

const logs: Array<{ level: string; msg: string }> = [];

function client(url: string, opts: Partial<HttpClientOptions> = {}): HubClient {
  const c = new HubClient({
    endpoint: url,
    token: null,
    timeoutMs: 5000,
    maxRetries: 3,
    concurrency: 4,
    userAgent: 'test',
    backoffBaseMs: 5,
    log: (level, msg) => logs.push({ level, msg }),
    ...opts,
  });
  clients.push(c);
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A real limiter (real sleeps) that records each wait it schedules, in order, into `events`. */
function recordingLimiter(events: string[], concurrency = 4): RateLimiter {
  return new RateLimiter({
    paceBelow: Math.max(4, concurrency * 2),
    sleep: (ms, signal) => {
      events.push(`wait ${ms}`);
      return realSleep(ms, signal);
    },
  });
}

describe('429: the pause of every request', () => {
  it('starts at the status line: a request issued while the 429 body is still coming waits for Retry-After', async () => {
    let release!: () => void;
    const bodyHeld = new Promise<void>((resolve) => (release = resolve));
    let bodyHeldWhenBArrived: boolean | null = null;
    let held = true;
    const events: string[] = [];
    const s = await serve(async (req, res, n) => {
      if (n === 0) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.flushHeaders();
        await bodyHeld; // the body comes only once /api/b has arrived (or after 10 s)
        held = false;
        res.end('{"error":"slow down"}');
        return;
      }
      if (req.url === '/api/b') {
        bodyHeldWhenBArrived = held;
        events.push('arrive /api/b');
        release();
      }
      json(res, 200, { ok: n });
    });
    let paused!: () => void;
    const pausedSeen = new Promise<void>((resolve) => (paused = resolve));
    const c = client(s.url, {
      concurrency: 4,
      limiter: recordingLimiter(events),
      log: (level, msg) => {
        logs.push({ level, msg });
        if (msg.startsWith('rate limited (HTTP 429)')) paused(); // the 429's status line has reached the client; its body has not
      },
    });
    const first = c.getJson(`${s.url}/api/a`);
    await pausedSeen;
    const second = c.getJson(`${s.url}/api/b`);
    const timer = setTimeout(release, 10_000);
    await expect(second).resolves.toMatchObject({ data: { ok: expect.any(Number) } });
    await expect(first).resolves.toMatchObject({ data: { ok: expect.any(Number) } });
    clearTimeout(timer);
    release();
    // /api/b waited out Retry-After (a wait of at least 1 s was scheduled before it was sent) ...
    const b = events.indexOf('arrive /api/b');
    expect(events.slice(0, b).some((e) => Number(e.slice(5)) >= 1000)).toBe(true);
    // ... and not the 429's body, which was still held back when /api/b arrived
    expect(bodyHeldWhenBArrived).toBe(true);
    expect(s.arrivals.filter((a) => a.url === '/api/a')).toHaveLength(2);
  });

  it('holds back requests already queued for a slot', async () => {
    const events: string[] = [];
    const s = await serve(async (req, res, n) => {
      events.push(`arrive ${req.url}`);
      if (n === 0) return json(res, 429, { error: 'rate limited' }, { 'retry-after': '1' });
      await sleep(20);
      json(res, 200, { n });
    });
    const c = client(s.url, { concurrency: 1, limiter: recordingLimiter(events, 1) });
    await Promise.all(['/api/1', '/api/2', '/api/3'].map((p) => c.getJson(s.url + p)));
    // the 429 came first; a wait of Retry-After (at least 1 s) was scheduled before any other request was sent
    expect(events[0]).toBe('arrive /api/1');
    const firstWait = events.findIndex((e) => e.startsWith('wait ') && Number(e.slice(5)) >= 1000);
    expect(firstWait).toBe(1);
    expect(events.filter((e) => e.startsWith('arrive '))).toHaveLength(4);
  });

  it('reads Retry-After as an HTTP date', async () => {
    let until = 0;
    const s = await serve((_req, res, n) => {
      if (n === 0) {
        until = Math.ceil((Date.now() + 1000) / 1000) * 1000;
        return json(res, 429, { error: 'rate limited' }, { 'retry-after': new Date(until).toUTCString() });
      }
      json(res, 200, { n });
    });
    const c = client(s.url);
    await c.getJson(`${s.url}/api/x`);
    expect(s.arrivals[1]!.at).toBeGreaterThanOrEqual(until);
  });

  it('does not use up a retry: ten 429s in a row with --max-retries 0', async () => {
    const s = await serve((_req, res, n) => {
      if (n < 10) return json(res, 429, { error: 'rate limited' }, { 'retry-after': '0' });
      json(res, 200, { n });
    });
    const c = client(s.url, { maxRetries: 0 });
    await expect(c.getJson(`${s.url}/api/x`)).resolves.toMatchObject({ data: { n: 10 } });
    expect(c.requests).toBe(11);
  });

  it('stops waiting when the signal aborts', async () => {
    const s = await serve((_req, res) => json(res, 429, { error: 'rate limited' }, { 'retry-after': '3600' }));
    const c = client(s.url);
    const controller = new AbortController();
    const p = c.getJson(`${s.url}/api/x`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    // Retry-After is an hour: ending at all (within the test's timeout) means the wait was given up
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    expect(s.arrivals.length).toBe(1);
  });

  it('ends the requests waiting out a pause when the client is closed', async () => {
    const s = await serve((_req, res) => json(res, 429, { error: 'rate limited' }, { 'retry-after': '3600' }));
    const c = client(s.url);
    const p = c.getJson(`${s.url}/api/x`).catch((e: unknown) => e);
    while (s.arrivals.length === 0) await sleep(5);
    await sleep(50);
    await c.close();
    // Retry-After is an hour: ending at all (within the test's timeout) means the wait was given up
    expect(await p).toBeInstanceOf(AbortedError);
    expect(s.arrivals.length).toBe(1);
  });

  it('logs a wait of more than 10 s as a warning (virtual clock)', async () => {
    let now = Date.now();
    const limiter = new RateLimiter({ now: () => now, sleep: async (ms) => void (now += ms), random: () => 0 });
    const s = await serve((_req, res, n) => (n === 0 ? json(res, 429, { error: 'rate limited' }, { 'retry-after': '42' }) : json(res, 200, { n })));
    logs.length = 0;
    const c = client(s.url, { limiter });
    await c.getJson(`${s.url}/api/x`);
    expect(logs).toContainEqual({ level: 'warn', msg: expect.stringMatching(/429.*waits 43 s/) });
    const short = await serve((_req, res, n) => (n === 0 ? json(res, 429, { error: 'rate limited' }, { 'retry-after': '2' }) : json(res, 200, { n })));
    logs.length = 0;
    await client(short.url, { limiter: new RateLimiter({ now: () => now, sleep: async (ms) => void (now += ms), random: () => 0 }) }).getJson(`${short.url}/api/x`);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(logs).toContainEqual({ level: 'debug', msg: expect.stringMatching(/429.*waits 2\.\d s/) });
  });
});

describe('retries', () => {
  it('retries 5xx with backoff and gives up with an HttpError after --max-retries', async () => {
    const s = await serve((_req, res, n) => (n < 2 ? json(res, 503, { error: 'Service Unavailable' }) : json(res, 200, { n })));
    await expect(client(s.url).getJson(`${s.url}/api/x`)).resolves.toMatchObject({ data: { n: 2 } });

    const down = await serve((_req, res) => json(res, 500, { error: 'boom' }, { 'x-request-id': 'req-1' }));
    const c = client(down.url, { maxRetries: 2 });
    const err = await c.getJson(`${down.url}/api/y`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 500, requestId: 'req-1', message: expect.stringContaining('boom') });
    expect(down.arrivals).toHaveLength(3);
  });

  it('does not retry a 404 and keeps the Hub error code', async () => {
    const s = await serve((_req, res) => json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' }));
    const err = await client(s.url).getJson(`${s.url}/api/x`).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, errorCode: 'RepoNotFound' });
    expect(s.arrivals).toHaveLength(1);
  });

  it('retries connections dropped before the answer, and returns the answer that came', async () => {
    const s = await serve((req, res, n) => (n < 2 ? req.socket.destroy() : json(res, 200, { n })));
    await expect(client(s.url).getJson(`${s.url}/api/x`)).resolves.toMatchObject({ data: { n: 2 } });
  });

  it('retries a truncated body and an unparsable body, sharing one retry budget', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('[{"id":', () => res.destroy());
        return;
      }
      if (n === 1) {
        res.writeHead(503);
        return res.end();
      }
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"id": <html>502 Bad Gateway</html>');
      }
      json(res, 200, { n });
    });
    await expect(client(s.url, { maxRetries: 3 }).getJson(`${s.url}/api/x`)).resolves.toMatchObject({ data: { n: 3 } });

    const bad = await serve((_req, res) => {
      res.writeHead(200);
      res.end('not json');
    });
    const err = await client(bad.url, { maxRetries: 2 }).getJson(`${bad.url}/api/y`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyError);
    expect(err).toMatchObject({ code: 'ETL_BAD_BODY', message: expect.stringContaining('not valid JSON (after 3 attempts)') });
    expect(bad.arrivals).toHaveLength(3);
  });

  it('times out a request without headers, and one whose body stalls, and retries both', async () => {
    const s = await serve(async (_req, res, n) => {
      if (n === 0) return; // never answers
      if (n === 1) {
        res.writeHead(200, { 'content-length': '50' });
        res.write('{"id":'); // then nothing
        return;
      }
      json(res, 200, { n });
    });
    const c = client(s.url, { timeoutMs: 300 });
    await expect(c.getJson(`${s.url}/api/x`)).resolves.toMatchObject({ data: { n: 2 } });
    // both timed-out attempts were given up and asked again: three requests, two retries
    expect(s.arrivals).toHaveLength(3);
    expect(c.retries.total).toBe(2);

    const silent = await serve(() => undefined);
    const err = await client(silent.url, { timeoutMs: 200, maxRetries: 0 }).getJson(`${silent.url}/api/y`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'ETL_TIMEOUT', message: expect.stringContaining('timed out (nothing received for 200 ms) (after 1 attempt)') });
    expect(silent.arrivals).toHaveLength(1);
  });

  it('says the endpoint is unreachable when no connection can be opened', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const c = client(url, { maxRetries: 2 });
    const err = await c.getJson(`${url}/api/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'ETL_UNREACHABLE', message: expect.stringMatching(/cannot reach .* connection refused \(after 3 attempts\)/) });
    expect(c.requests).toBe(3);
  });
});

describe('body size cap', () => {
  it('refuses a body over the cap at once (declared or streamed), without retrying', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(10_000) });
        res.end('x'.repeat(10_000));
        return;
      }
      res.writeHead(200); // chunked, no length
      const chunk = 'x'.repeat(1000);
      for (let i = 0; i < 20; i++) res.write(chunk);
      res.end();
    });
    const c = client(s.url, { maxBodyBytes: 5000 });
    for (const path of ['/declared', '/streamed']) {
      const err = await c.getJson(s.url + path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BodyError);
      expect(err).toMatchObject({ code: 'ETL_BODY_TOO_LARGE', message: expect.stringContaining('larger than') });
    }
    expect(s.arrivals).toHaveLength(2);
  });
});

describe('concurrency', () => {
  it('never has more than --concurrency requests in flight, whatever the answers', async () => {
    const s = await serve(async (req, res, n) => {
      await sleep(Math.random() * 30);
      if (n % 7 === 3) return req.socket.destroy();
      if (n % 7 === 5) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"a":', () => res.destroy());
        return;
      }
      if (n % 7 === 6) return json(res, 503, { error: 'busy' });
      json(res, 200, { n });
    });
    const c = client(s.url, { concurrency: 5, maxRetries: 20 });
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => c.getJson(`${s.url}/api/${i}`)));
    expect(results).toHaveLength(80);
    expect(s.maxInFlight).toBeLessThanOrEqual(5);
    expect(s.maxInFlight).toBe(5);
  });

  it('paces requests to the RateLimit budget: no request over the quota after the first answer', async () => {
    const quota = new FixedWindowQuota(10, 1);
    let over = 0;
    const s = await serve(async (_req, res) => {
      const q = quota.arrive(Date.now());
      if (q.over) over += 1;
      await sleep(5 + Math.random() * 20);
      json(res, q.over ? 429 : 200, {}, { ...rateLimitHeaders(q.remaining, q.resetSec, q.limit, q.windowSec), ...(q.over ? { 'retry-after': String(q.resetSec) } : {}) });
    });
    const c = client(s.url, { concurrency: 8 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => c.getJson(`${s.url}/api/${i}`)));
    expect(over).toBe(0);
    expect(c.budget()).toMatchObject({ quota: 10 });
  });
});

describe('redirects and the token', () => {
  it('sends the token to the endpoint only, never to the host a redirect points to', async () => {
    const TOKEN = 'hf_clientTestTokenDoNotLeak';
    const other = await serve((_req, res) => json(res, 200, { from: 'other' }));
    const endpoint = await serve((req, res) => {
      if (req.url === '/api/move') {
        res.writeHead(302, { location: `${other.url}/api/elsewhere` });
        return res.end();
      }
      json(res, 200, { from: 'endpoint' });
    });
    const c = client(endpoint.url, { token: TOKEN });
    await expect(c.getJson(`${endpoint.url}/api/here`)).resolves.toMatchObject({ data: { from: 'endpoint' } });
    await expect(c.getJson(`${endpoint.url}/api/move`)).resolves.toMatchObject({ data: { from: 'other' }, url: `${other.url}/api/elsewhere` });
    await c.getJson(`${other.url}/api/direct`);
    expect(endpoint.arrivals.map((a) => a.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(other.arrivals.map((a) => a.authorization)).toEqual([undefined, undefined]);
  });

  it('keeps the token out of error messages, even when the server echoes it', async () => {
    const TOKEN = 'hf_echoedSecretToken';
    const s = await serve((req, res) => json(res, 403, { error: `token ${String(req.headers.authorization)} may not read this` }, { 'x-error-message': `bad ${String(req.headers.authorization)}` }));
    const err = (await client(s.url, { token: TOKEN }).getJson(`${s.url}/api/x`).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain(TOKEN);
  });
});
