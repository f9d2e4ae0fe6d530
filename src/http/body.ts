/**
 * Reading a body under the size cap: one body may not pass `MAX_BODY_BYTES` (by its declared
 * length, or as soon as the bytes pass it), BodyError `ETL_BODY_TOO_LARGE`.
 */
import { BodyError } from '../errors.js';
import { firstHeader, type HubResponse } from './transport.js';
import { safeUrl, shortUrl } from './urls.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The chunks of a body as they arrive, refusing a body over `max` bytes. A listing page passes
 * `Infinity`: it is parsed item by item and caps each item instead.
 */
export async function* bodyChunks(res: HubResponse, max: number): AsyncGenerator<Buffer> {
  const declared = Number(firstHeader(res.headers['content-length']) ?? NaN);
  if (declared > max) {
    res.body.destroy();
    throw tooLarge(res.url, max);
  }
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.body.destroy();
      throw tooLarge(res.url, max);
    }
    yield chunk as Buffer;
  }
}

/** A whole body as UTF-8, refusing a body over `max` bytes. */
export async function readText(res: HubResponse, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(res, max)) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(url: string, max: number): BodyError {
  return new BodyError(`the answer from ${shortUrl(url)} is larger than ${Math.round(max / 1024 / 1024)} MB; refused`, safeUrl(url), 'ETL_BODY_TOO_LARGE');
}
