/**
 * The package as a library: imported by its name (package.json `exports`, built into dist/ by
 * pretest), its stages composed with stream.pipeline against the fake Hub.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createHubClient, datasetSource, enrichFileSizes, HttpError, toNdjson, UsageError, viewerStats, writeCatalog,
  type DatasetRecord, type HubClientHandle,
} from 'hf-dataset-collector';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ndjsonLines, outputFiles, readJson, tempDir } from './helpers/cli.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { fakeSizeAnswer, startFakeViewer } from './helpers/fake-viewer.js';
import { viewerBlockFromSize } from '../src/record/viewer.js';

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub({ synthetic: 250, maxPageSize: 50 });
});
afterAll(async () => {
  await hub.close();
});

function client(extra: Parameters<typeof createHubClient>[0] = {}): HubClientHandle {
  const c = createHubClient({ endpoint: hub.url, token: null, maxRetries: 1, ...extra });
  onTestFinished(() => c.close());
  return c;
}

/** A Writable that collects text. */
function textSink(): { sink: Writable; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { sink, text: () => text };
}

describe('datasetSource', () => {
  it('streams the query as NDJSON through pipeline, each id once, across pages', async () => {
    hub.setOptions({ reorderEveryPage: true });
    onTestFinished(() => hub.setOptions({ reorderEveryPage: false }));
    hub.resetCounters();
    const out = textSink();
    await pipeline(datasetSource(client(), { limit: 120 }), toNdjson(), out.sink);
    const records = ndjsonLines<DatasetRecord>(out.text());
    expect(records).toHaveLength(120);
    expect(new Set(records.map((r) => r.id)).size).toBe(120);
    expect(records[0]!.links.dataset_url).toBe(`${hub.url}/datasets/${records[0]!.id}`);
    expect(hub.counters.list).toBeGreaterThanOrEqual(3);
  });

  it('limit: null lists every dataset', async () => {
    let n = 0;
    for await (const record of datasetSource(client(), { limit: null })) {
      expect(typeof (record as DatasetRecord).id).toBe('string');
      n += 1;
    }
    expect(n).toBe(250);
  });

  it('refuses a query the CLI refuses, with a code and the value', () => {
    const c = client();
    const cases: Array<[unknown, RegExp]> = [
      [{ limit: 0 }, /got 0/],
      [{ limit: 1.5 }, /got 1\.5/],
      [{ sort: 'stars' }, /got "stars"/],
      [{ since: 'yesterday', sort: 'lastModified' }, /got "yesterday"/],
      [{ since: '2024-01-01' }, /needs --sort lastModified/],
      [{ filter: 'x' }, /got "x"/],
      [{ colour: 'red' }, /"colour"/],
    ];
    for (const [query, message] of cases) {
      let caught: unknown;
      try {
        datasetSource(c, query as never);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(query)).toBeInstanceOf(UsageError);
      expect((caught as UsageError).code).toBe('ETL_USAGE');
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('leaving a for await early requests no further page and frees the socket', async () => {
    hub.resetCounters();
    const seen: string[] = [];
    for await (const record of datasetSource(client(), { limit: null })) {
      seen.push((record as DatasetRecord).id);
      if (seen.length === 3) break;
    }
    // page 1, and at most the page fetched ahead
    const listed = hub.counters.list;
    expect(listed).toBeLessThanOrEqual(2);
    await hub.until((c) => c.inFlight === 0); // the socket was given back
    expect(hub.counters.list).toBe(listed);
  });

  it('a failing sink destroys the source: no further page is requested', async () => {
    hub.resetCounters();
    const c = client();
    let taken = 0;
    const failing = new Writable({
      objectMode: true,
      write(_record, _enc, cb) {
        taken += 1;
        cb(taken === 60 ? Object.assign(new Error('disk full'), { code: 'TEST_SINK' }) : null);
      },
    });
    await expect(pipeline(datasetSource(c, { limit: null }), failing)).rejects.toMatchObject({ code: 'TEST_SINK' });
    await c.close(); // nothing can be sent after this: the count is final
    // 60 records are on pages 1–2; at most one page more was fetched ahead
    expect(hub.counters.list).toBeLessThanOrEqual(3);
  });

  it('an HTTP failure reaches the pipeline as an error with a code', async () => {
    const c = createHubClient({ endpoint: `${hub.url}/nowhere`, token: null, maxRetries: 0 });
    onTestFinished(() => c.close());
    const err = await pipeline(datasetSource(c, { limit: 5 }), toNdjson(), new PassThrough().resume()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('ETL_HTTP_STATUS');
    expect((err as HttpError).status).toBe(404);
  });
});

describe('destroying the source mid-page', () => {
  it('aborts the page being read, closes its socket and requests nothing more', async () => {
    // a Hub whose first page sends its headers and half a body, then stalls
    const requests: string[] = [];
    let stalled: IncomingMessage | null = null;
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      // the client resets the connection
      req.on('error', () => undefined);
      res.on('error', () => undefined);
      req.socket.on('error', () => undefined);
      stalled = req;
      res.writeHead(200, { 'content-type': 'application/json', link: '</api/datasets?cursor=2>; rel="next"' });
      res.write('[{"id":"a/one"},{"id":"a/tw');
      server.emit('stalled');
    });
    server.on('clientError', () => undefined);
    server.listen(0, '127.0.0.1');
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    await once(server, 'listening');
    const c = createHubClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: null });
    onTestFinished(() => c.close());
    const source = datasetSource(c, { limit: null });
    source.on('error', () => undefined);
    source.resume();
    await once(server, 'stalled');
    // (a reset socket emits 'error' before 'close': events.once would reject on it)
    const socketClosed = new Promise((resolve) => stalled!.socket.on('close', resolve));
    source.destroy();
    await socketClosed;
    if (!source.closed) await new Promise((resolve) => source.on('close', resolve));
    expect(requests).toHaveLength(1);
    expect(source.destroyed).toBe(true);
  });
});

describe('enrichFileSizes and writeCatalog', () => {
  it('adds file sizes in listing order with a bounded window', async () => {
    hub.resetCounters();
    const c = client({ concurrency: 2 });
    const plain = await datasetSource(c, { limit: 30 }).toArray();
    const out = textSink();
    await pipeline(datasetSource(c, { limit: 30 }), enrichFileSizes(c), toNdjson(), out.sink);
    const enriched = ndjsonLines<DatasetRecord>(out.text());
    expect(enriched.map((r) => r.id)).toEqual(plain.map((r: DatasetRecord) => r.id));
    expect(hub.counters.detail + hub.counters.tree).toBe(30);
    expect(hub.counters.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('works with one request at a time across several pages', async () => {
    const c = client({ concurrency: 1 });
    const records = await datasetSource(c, { limit: null }).compose(enrichFileSizes(c)).toArray();
    expect(records).toHaveLength(250);
  });

  it('writes the files collect writes, complete on finish', async () => {
    const dir = tempDir();
    const c = client();
    const query = { author: undefined, limit: 40 };
    await pipeline(datasetSource(c, query), writeCatalog({ outDir: dir, client: c, query }));
    const files = outputFiles(dir);
    expect(files.aggregate).toHaveLength(1);
    expect(files.links).toHaveLength(1);
    expect(files.individual).toHaveLength(40);
    const agg = readJson(files.aggregate[0]!);
    expect(agg.collection_info).toMatchObject({ tool: 'hf-dataset-collector', endpoint: hub.url });
    expect(agg.collection_info.query).toEqual({ search: null, author: null, filter: [], sort: 'downloads', since: null, limit: 40, file_sizes: false, viewer_stats: false });
    expect(agg.summary).toMatchObject({ total_datasets: 40, failed: 0, complete: true });
    expect(agg.summary.requests).toBe(c.requests);
    expect(readJson(files.links[0]!).datasets).toHaveLength(40);
  });

  it('tees one source into NDJSON and the catalog; a destroyed catalog closes incomplete', async () => {
    const dir = tempDir();
    const c = client();
    const source = datasetSource(c, { limit: 100 });
    const catalog = writeCatalog({ outDir: dir, client: c, individual: false });
    const out = textSink();
    const ndjson = toNdjson();
    const tee = new Writable({
      objectMode: true,
      write(record: DatasetRecord, _enc, cb) {
        let waits = 2;
        const done = (err?: Error | null): void => {
          if (err) return cb(err);
          if (--waits === 0) cb();
        };
        catalog.write(record, done);
        ndjson.write(record, done);
      },
      final(cb) {
        catalog.end(cb);
      },
    });
    const ndjsonDone = pipeline(ndjson, out.sink);
    let n = 0;
    const stop = new Writable({
      objectMode: true,
      write(record, _enc, cb) {
        n += 1;
        tee.write(record, (err) => cb(err ?? (n === 25 ? Object.assign(new Error('stop here'), { code: 'TEST_STOP' }) : null)));
      },
    });
    await expect(pipeline(source, stop)).rejects.toMatchObject({ code: 'TEST_STOP' });
    catalog.destroy();
    await once(catalog, 'close');
    ndjson.end();
    await ndjsonDone;
    expect(ndjsonLines(out.text())).toHaveLength(25);
    const agg = readJson(outputFiles(dir).aggregate[0]!);
    expect(agg.summary).toMatchObject({ total_datasets: 25, complete: false });
    expect(agg.datasets).toHaveLength(25);
    expect(outputFiles(dir).individual).toHaveLength(0);
  });

  it('refuses bad options with a code', () => {
    expect(() => createHubClient({ concurrency: 0 })).toThrow(/concurrency must be a whole number from 1 to 64, got 0/);
    expect(() => createHubClient({ endpoint: 'ftp://x' })).toThrow(UsageError);
    expect(() => createHubClient({ viewerEndpoint: 'nope' })).toThrow('viewerEndpoint must be an http(s) URL, got "nope"');
    expect(createHubClient({ endpoint: 'http://127.0.0.1:1/', token: null }).endpoint).toBe('http://127.0.0.1:1');
    expect(() => writeCatalog({ outDir: '' })).toThrow(/outDir/);
  });
});

describe('viewerStats', () => {
  it('composes datasetSource → viewerStats → toNdjson; the token goes to the Hub and the viewer', async () => {
    const token = 'hf_library_viewer_token_0123456789';
    const tokenHub = await startFakeHub({ synthetic: 60, maxPageSize: 25, token });
    const viewer = await startFakeViewer();
    onTestFinished(async () => {
      await tokenHub.close();
      await viewer.close();
    });
    const c = createHubClient({ endpoint: tokenHub.url, viewerEndpoint: viewer.url, token, concurrency: 3, maxRetries: 1 });
    const out = textSink();
    await pipeline(datasetSource(c, { limit: 40 }), viewerStats(c, { concurrency: 4 }), toNdjson(), out.sink);
    const records = ndjsonLines<DatasetRecord>(out.text());
    const plain = await datasetSource(c, { limit: 40 }).toArray();
    expect(records.map((r) => r.id)).toEqual(plain.map((r: DatasetRecord) => r.id));
    for (const r of records) {
      expect(r.viewer).toEqual(viewerBlockFromSize(fakeSizeAnswer(r.id)));
      expect(r.errors).toEqual([]);
    }
    expect(viewer.requests).toHaveLength(40);
    expect(new Set(viewer.requests.map((q) => q.authorization))).toEqual(new Set([`Bearer ${token}`]));
    expect(c.requests).toBeGreaterThanOrEqual(40 + 2 * 2);
    await c.close();
    expect(() => viewerStats(c, { concurrency: 0 })).toThrow(/concurrency must be a whole number/);
  });
});
