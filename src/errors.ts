/**
 * Every error the tool raises on purpose carries a stable `code` (`ETL_*`) and keeps its `cause`.
 * The CLI maps them to exit codes: UsageError → 2, anything else fatal → 1.
 */
export class EtlError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtlError';
    this.code = code;
  }
}

/** Thrown when the command line or the resume state does not make sense. Exit code 2. */
export class UsageError extends EtlError {
  constructor(message: string, code = 'ETL_USAGE', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'UsageError';
  }
}

/** Thrown when the Hub answers with a status we do not retry (or retries ran out). */
export class HttpError extends EtlError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly requestId: string | null;
  readonly errorCode: string | null;
  /** the Hub's own message (`{"error": …}` or `X-Error-Message`), whole; the `message` holds at most 300 characters of it */
  readonly detail: string | null;
  constructor(
    init: { status: number; method: string; url: string; requestId?: string | null; errorCode?: string | null; detail?: string | null },
    options?: { cause?: unknown },
  ) {
    const detail = init.detail ? `: ${init.detail.replace(/\s+/g, ' ').slice(0, 300)}` : '';
    super(`HTTP ${init.status} for ${init.method} ${init.url}${detail}`, 'ETL_HTTP_STATUS', options);
    this.name = 'HttpError';
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.requestId = init.requestId ?? null;
    this.errorCode = init.errorCode ?? null;
    this.detail = init.detail ?? null;
  }
}

/** Thrown when the network fails (reset, refused, timeout) after every retry. */
export class NetworkError extends EtlError {
  readonly url: string;
  constructor(message: string, url: string, code = 'ETL_NETWORK', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'NetworkError';
    this.url = url;
  }
}

/** Thrown when a body is not the JSON we expect (truncated, malformed, wrong shape, too large). */
export class BodyError extends EtlError {
  readonly url: string;
  constructor(message: string, url: string, code = 'ETL_BAD_BODY', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'BodyError';
    this.url = url;
  }
}

/** Thrown when the run is stopped (Ctrl-C, SIGTERM, stdout closed). */
export class AbortedError extends EtlError {
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super(message, 'ETL_ABORTED', options);
    this.name = 'AbortedError';
  }
}

/** A short, token-free one-line description of any error, for stderr and `errors[].message`. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
