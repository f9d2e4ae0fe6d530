/**
 * The limit of per-dataset calls on a given Hub: a bare client that sends the same detail
 * requests as `enrich` / `--file-sizes` (`/api/datasets/{id}?blobs=true`), CONCURRENCY at a
 * time, and only parses each body. Against the fake Hub it shows what the fake's own
 * per-request work allows, next to the ideal N × latency / CONCURRENCY.
 * Usage: node dist/bench/detail-limit.js ENDPOINT IDS_FILE CONCURRENCY
 * Prints one JSON line: {requests, seconds}.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const [endpointArg, idsFile, concArg] = process.argv.slice(2);
if (!endpointArg || !idsFile) {
  process.stderr.write('usage: detail-limit ENDPOINT IDS_FILE [CONCURRENCY]\n');
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
      const res = await request(`${endpoint}/api/datasets/${id.split('/').map(encodeURIComponent).join('/')}?blobs=true`, { dispatcher });
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
