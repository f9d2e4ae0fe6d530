/**
 * `serve`: takes a snapshot of the catalog (see catalog/snapshot.ts), listens, prints
 * `listening http://HOST:PORT/` as the first stdout line, and answers until SIGINT / SIGTERM (exit 0).
 * A missing file or one that is not a catalog: exit 1 before listening. The snapshot is refreshed
 * in the background (env HF_DATASETS_REFRESH_MS, default 15 s) when the catalog changed.
 */
import type { Config } from '../config.js';
import { EtlError } from '../errors.js';
import type { Logger } from '../log.js';
import { createCatalogServer } from '../web/server.js';
import { CatalogSource, DEFAULT_REFRESH_MS } from '../web/source.js';
import { EXIT_CODES } from './signals.js';

/** The refresh interval from HF_DATASETS_REFRESH_MS (ms, at least 100), else the default. */
export function refreshInterval(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.HF_DATASETS_REFRESH_MS);
  return Number.isFinite(v) && v >= 100 ? v : DEFAULT_REFRESH_MS;
}

export async function runServeCommand(config: Config, log: Logger): Promise<number> {
  const { db, host, port } = config.browse!;
  const source = await CatalogSource.open(db, { log, refreshMs: refreshInterval() });
  const info = source.info;
  if (info) log.info(`reading ${db} as of ${info.takenAt}${info.lockMs !== null ? ` (catalog locked ${info.lockMs.toFixed(0)} ms for the copy, browse table built in ${info.buildMs!.toFixed(0)} ms)` : ' (snapshot unchanged since)'}`);
  const server = createCatalogServer({ source, log });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await source.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0 for any free port)` : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `no such address on this machine: ${host}` : (err as Error).message;
    throw new EtlError(`cannot listen on ${host}:${port}: ${why}`, 'ETL_LISTEN', { cause: err });
  }
  process.stdout.write(`listening ${server.baseUrl()}/\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info(`${signal} received: stopping`);
  server.close();
  server.closeAllConnections();
  await source.close();
  return EXIT_CODES.ok;
}
