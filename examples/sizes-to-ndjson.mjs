// The datasets of one author, with the size of every file, as NDJSON on stdout.
import { pipeline } from 'node:stream/promises';
import { createHubClient, datasetSource, enrichFileSizes, toNdjson } from 'hf-dataset-collector';

const client = createHubClient(); // HF_ENDPOINT, HF_TOKEN and the token file, as the CLI
try {
  await pipeline(datasetSource(client, { author: 'allenai', limit: null }), enrichFileSizes(client), toNdjson(), process.stdout);
} finally {
  await client.close();
}
