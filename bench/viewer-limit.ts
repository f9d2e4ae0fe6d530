/**
 * The limit of viewer statistics on a given dataset viewer: a bare undici client that sends the
 * same `/size?dataset=<id>` requests as `--viewer-stats`, CONCURRENCY at a time, and only parses
 * each body. Usage: node dist/bench/viewer-limit.js VIEWER_ENDPOINT IDS_FILE CONCURRENCY
 * Prints one JSON line: {requests, seconds}.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const [endpointArg, idsFile, concArg] = process.argv.slice(2);
if (!endpointArg || !idsFile) {
  process.stderr.write('usage: viewer-limit VIEWER_ENDPOINT IDS_FILE [CONCURRENCY]\n');
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
      const res = await request(`${endpoint}/size?${new URLSearchParams({ dataset: id }).toString()}`, { dispatcher });
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
