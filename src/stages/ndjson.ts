import { Transform } from 'node:stream';
import type { DatasetRecord } from '../types.js';

/** A Transform from records (object mode) to NDJSON text: one record a line. */
export function toNdjson(): Transform {
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform(record: DatasetRecord, _encoding, callback) {
      callback(null, JSON.stringify(record) + '\n');
    },
  });
}
