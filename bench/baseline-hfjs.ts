/**
 * Baselines with the official JS client (@huggingface/hub), run as a child process against the
 * fake Hub, each writing one JSON file:
 *   list    — `listDatasets` asking for the same fields `collect` lists (additionalFields passes
 *             names such as `siblings` through to `expand`), as a user of the client would;
 *   catalog — the catalog with file lists the way its users must build it: `listDatasets`, then
 *             `datasetInfo` (with `siblings`) for every dataset, CONCURRENCY at a time.
 * Usage: node dist/bench/baseline-hfjs.js list|catalog ENDPOINT OUTFILE [CONCURRENCY]
 * Prints one JSON line: {records, requests, seconds}.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { datasetInfo, listDatasets } from '@huggingface/hub';
import { LIST_EXPAND } from '../src/hub/list.js';

/** Fields listDatasets always expands (its DATASET_EXPAND_KEYS). */
const ALWAYS = new Set(['private', 'downloads', 'gated', 'likes', 'lastModified']);
/** Its typed additionalFields (DATASET_EXPANDABLE_KEYS minus the above; `siblings` is commented out there). */
const TYPED_EXTRA = ['author', 'cardData', 'citation', 'createdAt', 'disabled', 'description', 'downloadsAllTime', 'paperswithcode_id', 'sha', 'tags'];

const [mode, endpoint, outFile, conc] = process.argv.slice(2);
if ((mode !== 'list' && mode !== 'catalog') || !endpoint || !outFile) {
  process.stderr.write('usage: baseline-hfjs list|catalog ENDPOINT OUTFILE [CONCURRENCY]\n');
  process.exit(2);
}
const concurrency = Number(conc ?? 8);
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
if (mode === 'list') {
  const additionalFields = LIST_EXPAND.filter((f) => !ALWAYS.has(f)) as never[];
  for await (const d of listDatasets({ hubUrl: endpoint, fetch: countingFetch, sort: 'downloads', additionalFields })) await emit(d);
} else {
  const inFlight = new Set<Promise<void>>();
  for await (const d of listDatasets({ hubUrl: endpoint, fetch: countingFetch, sort: 'downloads', additionalFields: TYPED_EXTRA as never[] })) {
    // The fake Hub answers 404 to datasetInfo's default revision "HEAD" (the real Hub accepts it), so ask for "main".
    const task = datasetInfo({ name: d.name, hubUrl: endpoint, fetch: countingFetch, revision: 'main', additionalFields: ['siblings'] as never[] })
      .then((info) => emit({ ...d, ...info }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}
out.end(records === 0 ? '[]\n' : '\n]\n');
await once(out, 'finish');
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ records, requests, seconds }) + '\n');
