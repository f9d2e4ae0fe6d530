/**
 * `report --output FILE.html`: the `/stats` overview and the latest sync's changes as one file,
 * rendered by web/pages.ts from a snapshot of the catalog (so it works while a sync runs), written
 * to a temporary name and renamed.
 */
import { writeFile } from 'node:fs/promises';
import { viaTempFile } from '../catalog/export.js';
import { catalogStats, listChanges } from '../catalog/read.js';
import { openSnapshot, takeSnapshot } from '../catalog/snapshot.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { renderReport } from '../web/pages.js';
import { EXIT_CODES } from './signals.js';

/** The report lists at most this many of the latest sync's events (its total says how many there were). */
export const REPORT_EVENTS = 500;

export async function runReportCommand(config: Config, log: Logger): Promise<number> {
  const { db, output } = config.browse!;
  const info = await takeSnapshot(db);
  if (info.stale) log.warn(`${info.stale}: reporting the snapshot of ${info.takenAt}`);
  const snap = await openSnapshot(info.path);
  let html: string;
  try {
    const conn = await snap.connect();
    const stats = await catalogStats(conn);
    const changes = await listChanges(conn, { kind: null, page: 1, per_page: REPORT_EVENTS, sync_id: stats.last_sync?.sync_id ?? -1 });
    conn.closeSync();
    html = renderReport(stats, changes, { catalogPath: db, dataAsOf: info.takenAt, hubEndpoint: info.hubEndpoint, selfUrl: null });
  } finally {
    snap.instance.closeSync();
  }
  await viaTempFile(output!, (tmp) => writeFile(tmp, html));
  log.info(`report of ${db} (as of ${info.takenAt}) written to ${output}`);
  return EXIT_CODES.ok;
}
