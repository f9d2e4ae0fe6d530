/**
 * `export`: opens the catalog read-only (another process writing it → exit 1 at once) and writes
 * Parquet to --output, or NDJSON / CSV to --output or stdout. A reader that closes stdout early
 * (`| head`) ends the export quietly with exit 0.
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { copyNdjson, duckdbStdout, exportNdjsonFile, exportParquet, exportStream, viaTempFile } from '../catalog/export.js';
import { openCatalog } from '../catalog/schema.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { plural } from '../progress.js';
import { EXIT_CODES } from './signals.js';

export async function runExportCommand(config: Config, log: Logger): Promise<number> {
  const { db, format, output, includeRemoved } = config.catalog!;
  const catalog = await openCatalog(db, { write: false });
  try {
    if (format === 'parquet' || (format === 'ndjson' && output !== null)) {
      const n = await (format === 'parquet' ? exportParquet : exportNdjsonFile)(catalog.conn, output!, includeRemoved);
      log.info(`exported ${plural(n, 'dataset')} to ${output}`);
      return EXIT_CODES.ok;
    }
    const stdout = output === null && format === 'ndjson' ? duckdbStdout() : null;
    if (stdout !== null) {
      try {
        log.info(`exported ${plural(await copyNdjson(catalog.conn, stdout, includeRemoved), 'dataset')}`);
      } catch (err) {
        if (!/broken pipe/i.test((err as Error).message)) throw err;
        log.info('output closed by the reader');
      }
      return EXIT_CODES.ok;
    }
    if (output === null) {
      const { rows, closed } = await exportStream(catalog.conn, format!, process.stdout, includeRemoved);
      log.info(closed ? `output closed by the reader after ${plural(rows, 'dataset')}` : `exported ${plural(rows, 'dataset')}`);
      return EXIT_CODES.ok;
    }
    const rows = await viaTempFile(output, async (tmp) => {
      const file = createWriteStream(tmp);
      let failure: unknown = null;
      file.on('error', (err) => (failure ??= err));
      try {
        const { rows } = await exportStream(catalog.conn, format!, file, includeRemoved);
        if (failure) throw failure;
        file.end();
        await finished(file);
        return rows;
      } catch (err) {
        file.destroy();
        throw err;
      }
    });
    log.info(`exported ${plural(rows, 'dataset')} to ${output}`);
    return EXIT_CODES.ok;
  } finally {
    catalog.close();
  }
}
