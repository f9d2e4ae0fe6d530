/**
 * The limit of any listing client: it does nothing but follow `Link: rel="next"` for the same
 * query as `collect --all` (the same page size and expand[] fields), asking for the next page
 * the moment a page's headers name it, and only drains the bodies (in the background).
 * Usage: node dist/bench/link-limit.js ENDPOINT
 * Prints one JSON line: {pages, bytes, seconds}.
 */
import { Agent, request } from 'undici';
import { firstPagePath, parseNextLink } from '../src/hub/list.js';
import type { QueryOptions } from '../src/types.js';

const endpoint = (process.argv[2] ?? '').replace(/\/+$/, '');
if (!endpoint) {
  process.stderr.write('usage: link-limit ENDPOINT\n');
  process.exit(2);
}
const query: QueryOptions = { search: null, author: null, filter: [], sort: 'downloads', since: null, limit: null, file_sizes: false, viewer_stats: false };
const dispatcher = new Agent({ connections: 4 });
const started = performance.now();
let url: string | null = endpoint + firstPagePath(query);
let pages = 0;
let bytes = 0;
const drains: Array<Promise<void>> = [];
while (url) {
  const res = await request(url, { method: 'GET', dispatcher, headers: { accept: 'application/json' } });
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} from ${url}`);
  pages += 1;
  const next = parseNextLink(res.headers.link);
  drains.push(
    (async () => {
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    })(),
  );
  url = next === null ? null : new URL(next, url).toString();
}
await Promise.all(drains);
const seconds = (performance.now() - started) / 1000;
await dispatcher.close();
process.stdout.write(JSON.stringify({ pages, bytes, seconds }) + '\n');
