/**
 * The limit of per-dataset calls on a given server: a bare undici client that sends the same
 * requests as the CLI, CONCURRENCY at a time, and only parses each body. Against a fake it shows
 * what the fake's own per-request work allows, next to the ideal N × latency / CONCURRENCY.
 * - `detail`: `/api/datasets/{id}?blobs=true` on the Hub, as `enrich` / `--file-sizes` send.
 * - `viewer`: `/size?dataset=<id>` on the dataset viewer, as `--viewer-stats` sends.
 * Usage: node dist/bench/bare-limit.js detail|viewer ENDPOINT IDS_FILE [CONCURRENCY]
 * Prints one JSON line: {requests, seconds}.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const PATHS: Record<string, (id: string) => string> = {
  detail: (id) => `/api/datasets/${id.split('/').map(encodeURIComponent).join('/')}?blobs=true`,
  viewer: (id) => `/size?${new URLSearchParams({ dataset: id }).toString()}`,
};

const [kind, endpointArg, idsFile, concArg] = process.argv.slice(2);
const path = PATHS[kind ?? ''];
if (!path || !endpointArg || !idsFile) {
  process.stderr.write('usage: bare-limit detail|viewer ENDPOINT IDS_FILE [CONCURRENCY]\n');
  process.exit(2);
}
const endpoint = endpointArg.replace(/\/+$/, '');
const concurrency = Number(concArg ?? 8);
const ids = readFileSync(idsFile, 'utf8').split('\n').filter(Boolean);
const dispatcher = new Agent({ connections: concurrency });
const started = performance.now();
let next = 0;
let requests = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const res = await request(endpoint + path(id), { dispatcher });
      requests += 1;
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} for ${id}`);
      JSON.parse(text);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await dispatcher.close();
process.stdout.write(JSON.stringify({ requests, seconds }) + '\n');
