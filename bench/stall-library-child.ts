/**
 * The library half of bench-stalls' failing case, run as its own process (as a user's script
 * would be): `datasetSource → enrichFileSizes → toNdjson → a discarding Writable`.
 * Args: <endpoint> <limit>. Prints one JSON line: records, failed, seconds.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHubClient, datasetSource, enrichFileSizes } from '../src/index.js';
import type { DatasetRecord } from '../src/types.js';

const [endpoint, limit] = process.argv.slice(2);
const client = createHubClient({ endpoint: endpoint!, token: null });
const started = performance.now();
let records = 0;
let failed = 0;
try {
  await pipeline(
    datasetSource(client, { limit: Number(limit) }),
    enrichFileSizes(client),
    new Writable({
      objectMode: true,
      write(record: DatasetRecord, _enc, cb) {
        records += 1;
        if (record.errors.length > 0) failed += 1;
        cb();
      },
    }),
  );
} finally {
  await client.close();
}
process.stdout.write(JSON.stringify({ records, failed, seconds: (performance.now() - started) / 1000 }) + '\n');
