// A TypeScript consumer, compiled with --strict against the package's declarations
// (npm run check:consumer). It only has to type-check.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createHubClient, datasetSource, enrichFileSizes, EtlError, HttpError, toNdjson, viewerStats, writeCatalog, writeRunFiles,
  type DatasetRecord, type HubClientHandle, type Query,
} from 'hf-dataset-collector';

const client: HubClientHandle = createHubClient({ endpoint: 'http://127.0.0.1:1', token: null, concurrency: 2, timeoutMs: 5000, maxRetries: 1 });
const query: Query = { author: 'allenai', filter: ['modality:text'], sort: 'createdAt', since: '2024-01-01', limit: null };

async function largest(): Promise<DatasetRecord | null> {
  let best: DatasetRecord | null = null;
  for await (const chunk of datasetSource(client, query).compose(enrichFileSizes(client, { window: 64 }))) {
    const record = chunk as DatasetRecord;
    const size: number | null = record.statistics.total_size_bytes;
    if (size !== null && (best === null || size > (best.statistics.total_size_bytes ?? 0))) best = record;
  }
  return best;
}

async function main(): Promise<void> {
  try {
    await pipeline(datasetSource(client, { limit: 10 }), toNdjson(), new Writable({ write: (_c, _e, cb) => cb() }));
    await pipeline(datasetSource(client, { limit: 10 }), viewerStats(client, { concurrency: 2 }), toNdjson(), process.stdout);
    await pipeline(datasetSource(client, query), writeRunFiles({ outDir: 'out', client, query, individual: false }));
    // the deprecated alias keeps its signature
    await pipeline(datasetSource(client, { limit: 1 }), writeCatalog({ outDir: 'out2', client, individual: false }));
    console.log((await largest())?.id);
  } catch (err) {
    if (err instanceof HttpError) console.error(err.status, err.url, err.requestId);
    else if (err instanceof EtlError) console.error(err.code, err.message);
    else throw err;
  } finally {
    await client.close();
  }
}

void main;
