/**
 * The one registry of errors (undici's lib/core/errors.js is the model). Every `ETL_*` code the
 * tool raises is declared once, in `ERROR_CODES`, with what it means; every error it raises on
 * purpose is an `EtlError` subclass carrying one of those codes and keeping its `cause`.
 *
 * Exit codes (the CLI maps them, `exitCodeOf`): UsageError → 2, any other failure → 1.
 *
 * `instanceof` works across two copies of this package in one process (a library user's and a
 * dependency's): each class is branded with a `Symbol.for` key, as undici's errors are.
 */

/** Every code, once, with what it means. The strings are a contract: never rename one. */
export const ERROR_CODES = {
  // usage (exit 2)
  ETL_USAGE: 'an option or argument does not make sense',
  ETL_SCOPE_MISMATCH: "sync: a scope option differs from the catalog's stored scope",
  ETL_NOTHING_TO_RESUME: '--resume: no unfinished run in the output folder',
  ETL_RESUME_MISMATCH: '--resume: a query option differs from the run being resumed',
  ETL_QUERY: 'query: a SQL statement that is refused (it would write, or reach files or the network) or fails',
  // the network and the Hub's answers
  ETL_HTTP_STATUS: 'an HTTP status that is not retried, or still failing when the retries ran out',
  ETL_NETWORK: 'a network failure (reset, dropped) after every retry',
  ETL_UNREACHABLE: 'no connection could be opened after every retry',
  ETL_TIMEOUT: 'no answer within --timeout after every retry',
  ETL_BAD_BODY: 'a body that is not the JSON expected, after every retry',
  ETL_TRUNCATED_BODY: 'a body that ended before its JSON array closed',
  ETL_BODY_TOO_LARGE: 'a body over the size cap (not retried: the same bytes would come again)',
  ETL_ITEM_TOO_LARGE: 'one item of a listing page over the size cap (not retried)',
  ETL_UNSAFE_ID: 'a dataset id that cannot be put in a request path',
  ETL_INVALID_ITEM: 'a listing item or input record without a usable id',
  ETL_UNKNOWN: "a record's errors entry for a failure that carries no code",
  // the run
  ETL_ABORTED: 'the run was stopped (Ctrl-C, SIGTERM, stdout closed)',
  ETL_FATAL: 'the run failed for a reason that carries no code',
  ETL_STATE: 'the resume state of the output folder cannot be read',
  ETL_OUTPUT: 'the output folder cannot be used',
  // the catalog (DuckDB file)
  ETL_CATALOG: 'the catalog cannot be used',
  ETL_CATALOG_LOCKED: 'another process holds the catalog file',
  ETL_CATALOG_OPEN: 'the catalog file cannot be opened',
  ETL_CATALOG_MIGRATE: "migrating the catalog's schema failed",
  ETL_CATALOG_NEWER: 'the catalog has a newer schema than this release understands',
  ETL_NOT_A_CATALOG: 'the file is not a catalog',
  ETL_NO_CATALOG: 'no catalog at the path given',
  ETL_NO_SNAPSHOT: 'serve/query/report: a sync holds a catalog that was never read, so no snapshot of it exists yet',
  ETL_SNAPSHOT: 'serve/query/report: the private snapshot of the catalog cannot be made',
  // the catalog browser
  ETL_LISTEN: 'serve: the address or port cannot be listened on',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of a body refused for its size: retrying would bring the same bytes again. */
const TOO_LARGE: ReadonlySet<string> = new Set<ErrorCode>(['ETL_BODY_TOO_LARGE', 'ETL_ITEM_TOO_LARGE']);

export const EXIT_USAGE = 2;
export const EXIT_FATAL = 1;

const brands = new WeakMap<object, symbol>();

/** Brands a class: `instanceof` then checks the brand, so it holds across copies of the package. */
function branded<T extends abstract new (...args: never[]) => EtlError>(cls: T, name: string): T {
  brands.set(cls, Symbol.for(`hf-dataset-collector.error.${name}`));
  return cls;
}

function brandOf(cls: object): symbol | undefined {
  return brands.get(cls);
}

/** Any error the tool raises on purpose: a stable `code` from ERROR_CODES, and its `cause`. */
export class EtlError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtlError';
    this.code = code;
    // every class of the chain marks the instance with its brand
    for (let c: object | null = new.target; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
      const b = brandOf(c);
      if (b !== undefined) Object.defineProperty(this, b, { value: true });
    }
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const b = brandOf(this);
    if (b === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[b] === true;
  }
}
branded(EtlError, 'EtlError');

/** Thrown when the command line, a library option or the resume state does not make sense. Exit code 2. */
export class UsageError extends EtlError {
  constructor(message: string, code: 'ETL_USAGE' | 'ETL_SCOPE_MISMATCH' | 'ETL_NOTHING_TO_RESUME' | 'ETL_RESUME_MISMATCH' | 'ETL_QUERY' = 'ETL_USAGE', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'UsageError';
  }
}
branded(UsageError, 'UsageError');

/** Thrown when the Hub answers with a status we do not retry (or retries ran out). `ETL_HTTP_STATUS`. */
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
branded(HttpError, 'HttpError');

export type NetworkErrorCode = 'ETL_NETWORK' | 'ETL_UNREACHABLE' | 'ETL_TIMEOUT';

/** Thrown when the network fails (reset, refused, timeout) after every retry. */
export class NetworkError extends EtlError {
  readonly url: string;
  constructor(message: string, url: string, code: NetworkErrorCode = 'ETL_NETWORK', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'NetworkError';
    this.url = url;
  }
}
branded(NetworkError, 'NetworkError');

export type BodyErrorCode = 'ETL_BAD_BODY' | 'ETL_TRUNCATED_BODY' | 'ETL_BODY_TOO_LARGE' | 'ETL_ITEM_TOO_LARGE';

/** Thrown when a body is not the JSON we expect (truncated, malformed, wrong shape, too large). */
export class BodyError extends EtlError {
  readonly url: string;
  constructor(message: string, url: string, code: BodyErrorCode = 'ETL_BAD_BODY', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'BodyError';
    this.url = url;
  }

  /** A body refused for its size (`ETL_BODY_TOO_LARGE`, `ETL_ITEM_TOO_LARGE`): the same bytes would come again. */
  get tooLarge(): boolean {
    return TOO_LARGE.has(this.code);
  }
}
branded(BodyError, 'BodyError');

/** Thrown when the run is stopped (Ctrl-C, SIGTERM, stdout closed). `ETL_ABORTED`. */
export class AbortedError extends EtlError {
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super(message, 'ETL_ABORTED', options);
    this.name = 'AbortedError';
  }
}
branded(AbortedError, 'AbortedError');

export type CatalogErrorCode = 'ETL_CATALOG' | 'ETL_CATALOG_LOCKED' | 'ETL_CATALOG_OPEN' | 'ETL_CATALOG_MIGRATE' | 'ETL_CATALOG_NEWER' | 'ETL_NOT_A_CATALOG' | 'ETL_NO_CATALOG' | 'ETL_NO_SNAPSHOT' | 'ETL_SNAPSHOT';

/** A catalog that cannot be used: not a catalog, a newer schema, or held by another process. Exit 1. */
export class CatalogError extends EtlError {
  constructor(message: string, code: CatalogErrorCode = 'ETL_CATALOG', options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'CatalogError';
  }
}
branded(CatalogError, 'CatalogError');

/** An item that cannot become a record (not an object, or no usable `id`). `ETL_INVALID_ITEM`. */
export class InvalidItemError extends EtlError {
  declare readonly code: 'ETL_INVALID_ITEM';
  constructor(message: string) {
    super(message, 'ETL_INVALID_ITEM');
    this.name = 'InvalidItemError';
  }
}
branded(InvalidItemError, 'InvalidItemError');

/** The process exit code for a failure: 2 for a usage error, 1 for anything else. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FATAL;
}

/** The code of a failure: its own when it is an EtlError, else `fallback`. */
export function codeOf(err: unknown, fallback: ErrorCode): ErrorCode {
  return err instanceof EtlError ? err.code : fallback;
}

/** A short, token-free one-line description of any error, for stderr and `errors[].message`. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
