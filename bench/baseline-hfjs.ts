/**
 * Baselines with the official JS client (@huggingface/hub), run as a child process against the
 * fake Hub, each writing one JSON file:
 *   list    — `listDatasets` asking for the same fields `collect` lists (additionalFields passes
 *             names such as `siblings` through to `expand`), as a user of the client would;
 *   catalog — the catalog with file lists as well as hf.js can build it: `listDatasets` with the
 *             typed fields plus `siblings` (the file lists come with the listing; no call per dataset).
 * hf.js asks for 500 datasets a page (its `listDatasets` caps `limit` at 500); `collect` asks for 1,000.
 * Usage: node dist/bench/baseline-hfjs.js list|catalog ENDPOINT OUTFILE
 * Prints one JSON line: {records, requests, seconds}.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { listDatasets } from '@huggingface/hub';
import { LIST_EXPAND } from '../src/hub/list.js';

/** Fields listDatasets always expands (its DATASET_EXPAND_KEYS). */
const ALWAYS = new Set(['private', 'downloads', 'gated', 'likes', 'lastModified']);
/** Its typed additionalFields (DATASET_EXPANDABLE_KEYS minus the above; `siblings` is commented out there). */
const TYPED_EXTRA = ['author', 'cardData', 'citation', 'createdAt', 'disabled', 'description', 'downloadsAllTime', 'paperswithcode_id', 'sha', 'tags'];

const [mode, endpoint, outFile] = process.argv.slice(2);
if ((mode !== 'list' && mode !== 'catalog') || !endpoint || !outFile) {
  process.stderr.write('usage: baseline-hfjs list|catalog ENDPOINT OUTFILE\n');
  process.exit(2);
}
let requests = 0;
const countingFetch: typeof fetch = (input, init) => {
  requests += 1;
  return fetch(input, init);
};

const out = createWriteStream(outFile);
let records = 0;
async function emit(entry: unknown): Promise<void> {
  const ok = out.write((records === 0 ? '[\n' : ',\n') + JSON.stringify(entry));
  records += 1;
  if (!ok) await once(out, 'drain');
}

const started = performance.now();
const additionalFields = (mode === 'list' ? LIST_EXPAND.filter((f) => !ALWAYS.has(f)) : [...TYPED_EXTRA, 'siblings']) as never[];
for await (const d of listDatasets({ hubUrl: endpoint, fetch: countingFetch, sort: 'downloads', additionalFields })) await emit(d);
out.end(records === 0 ? '[]\n' : '\n]\n');
await once(out, 'finish');
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ records, requests, seconds }) + '\n');
