/**
 * Per-run state lives in each client's session (src/http/session.ts), not in module-level maps:
 * what one run learns (refused expand values, an unreachable viewer) stays with its own clients.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { HubClient } from '../src/http/client.js';
import { dropRefusedExpand, stripRefused } from '../src/hub/expand-drift.js';
import { fetchViewerBlock } from '../src/hub/viewer.js';

const clients: HubClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(endpoint = 'http://127.0.0.1:9'): HubClient {
  const c = new HubClient({ endpoint, token: null, timeoutMs: 2000, maxRetries: 0, concurrency: 1, userAgent: 'test' });
  clients.push(c);
  return c;
}

const refusal = new HttpError({ status: 400, method: 'GET', url: 'u', detail: '"expand" must be one of [author, downloads]' });
const path = '/api/datasets?limit=10&expand[]=author&expand[]=xetEnabled&expand[]=downloads';

describe('the session of a client', () => {
  it('keeps the expand values the Hub refused for that client only', () => {
    const a = client();
    const b = client();
    expect(dropRefusedExpand(a, refusal, path)).toBe(true);
    expect([...a.session.refusedExpand]).toEqual(['xetEnabled']);
    expect(stripRefused(a, path)).toBe('/api/datasets?limit=10&expand[]=author&expand[]=downloads');
    expect(b.session.refusedExpand.size).toBe(0);
    expect(stripRefused(b, path)).toBe(path);
  });

  it('marks a viewer unreachable for that client only, which then sends no more requests', async () => {
    // a port nothing listens on: connections are refused
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const a = client(`http://127.0.0.1:${closed}`);
    const first = await fetchViewerBlock(a, 'org/one');
    expect(first.viewer).toEqual({ available: false, reason: 'ETL_UNREACHABLE' });
    expect(a.session.unreachable).toBe(true);
    const sent = a.requests;
    const second = await fetchViewerBlock(a, 'org/two');
    expect(second.error?.message).toMatch(/could not be reached earlier in this run; not asked/);
    expect(a.requests).toBe(sent);
    const b = client(`http://127.0.0.1:${closed}`);
    expect(b.session.unreachable).toBe(false);
  });
});
