// The 50 most liked datasets written as run files into the folder given (the files `collect`
// writes), then the first three names of a second listing, leaving it early.
import { pipeline } from 'node:stream/promises';
import { createHubClient, datasetSource, writeRunFiles } from 'hf-dataset-collector';

const client = createHubClient({ concurrency: 8 });
try {
  const query = { sort: 'likes', limit: 50 };
  await pipeline(datasetSource(client, query), writeRunFiles({ outDir: process.argv[2] ?? './run-files', client, query }));

  let n = 0;
  for await (const record of datasetSource(client, { sort: 'trendingScore', limit: null })) {
    console.log(record.id, record.statistics.likes);
    if (++n === 3) break; // stops the listing: no further page is requested
  }
} finally {
  await client.close();
}
