/**
 * Viewer statistics (`--viewer-stats`, docs/viewer-statistics.md): one
 * `GET <viewer-endpoint>/size?dataset=<id>` per dataset through the viewer's own client (see
 * `viewerClientFromConfig`), turned into the record's `viewer` block.
 *
 * - 200 → `{available: true, partial, num_rows, estimated_num_rows, …, pending, failed, splits}`
 *   (record/viewer.ts).
 * - An error answer with `X-Error-Code` → `{available: false, reason: <code>}`: the viewer's own
 *   word, not retried, no `errors` entry. The codes it documents: ResponseNotFound (404),
 *   ResponseNotReady (500), ExternalUnauthenticatedError (401), ExternalAuthenticatedError (404),
 *   DatasetInBlockListError / DatasetWithTooManyConfigsError (501), UnexpectedError (500); any other
 *   code is taken the same way.
 * - Anything else (a plain-text 500 without a code is an ordinary server error), after the
 *   client's retries → `{available: false, reason: "HTTP <status>"}` or
 *   the failure's `ETL_*` code (ETL_BAD_BODY, ETL_BODY_TOO_LARGE, ETL_TIMEOUT, ETL_NETWORK,
 *   ETL_UNREACHABLE), plus an `errors` entry with stage `viewer`. The run goes on.
 *
 * Once the viewer could not be reached at all (ETL_UNREACHABLE after every retry), later datasets
 * are not asked again in that client's lifetime (its session): each gets the same reason at once, instead of
 * every dataset waiting out its own retries. Only an abort is thrown.
 */
import { AbortedError, BodyError, HttpError, NetworkError } from '../errors.js';
import { safeUrl, shortUrl, type HubClient } from '../http/client.js';
import { viewerBlockFromSize } from '../record/viewer.js';
import type { RecordError, ViewerBlock } from '../types.js';
import { toRecordError } from './detail.js';

export interface ViewerAnswer {
  viewer: ViewerBlock;
  /** the `errors` entry when the block records a failure (null for an answer, even a negative one) */
  error: RecordError | null;
}

/** `<viewer-endpoint>/size?dataset=<id>` (the id percent-encoded as one query value). */
export function sizeUrl(viewer: HubClient, id: string): string {
  return viewer.url(`/size?${new URLSearchParams({ dataset: id }).toString()}`);
}

/**
 * Asks the dataset viewer for the sizes of `id` and returns the `viewer` block, with the
 * `errors` entry to add when it is a failure. Never throws but {@link AbortedError}.
 */
export async function fetchViewerBlock(viewer: HubClient, id: string, signal?: AbortSignal): Promise<ViewerAnswer> {
  if (viewer.session.unreachable) {
    const message = `the dataset viewer at ${safeUrl(viewer.endpoint)} could not be reached earlier in this run; not asked`;
    return { viewer: { available: false, reason: 'ETL_UNREACHABLE' }, error: { stage: 'viewer', status: null, code: 'ETL_UNREACHABLE', message } };
  }
  const url = sizeUrl(viewer, id);
  try {
    const { data } = await viewer.getJson(url, { signal });
    const block = viewerBlockFromSize(data);
    if (block === null) throw new BodyError(`the /size answer from ${shortUrl(url)} has no "size" object`, safeUrl(url), 'ETL_BAD_BODY');
    return { viewer: block, error: null };
  } catch (err) {
    if (err instanceof AbortedError || signal?.aborted) throw err instanceof AbortedError ? err : new AbortedError('aborted', { cause: err });
    if (err instanceof HttpError && err.errorCode !== null) return { viewer: { available: false, reason: err.errorCode }, error: null };
    if (err instanceof NetworkError && err.code === 'ETL_UNREACHABLE') viewer.session.unreachable = true; // no more requests to it
    const error = toRecordError('viewer', err);
    return { viewer: { available: false, reason: error.status !== null ? `HTTP ${error.status}` : error.code }, error };
  }
}
