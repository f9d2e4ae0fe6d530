/**
 * `createHubClient`: the library's way to get a Hub client with the CLI's defaults. Options not
 * given come from where the CLI takes them (HF_ENDPOINT, HF_TOKEN, the token file, and the
 * defaults of --concurrency, --timeout and --max-retries); every stage of the library takes
 * this handle. `close()` releases its sockets so the process can exit.
 */
import { resolveEndpoint, resolveToken } from './config.js';
import { UsageError } from './errors.js';
import { HubClient } from './http/client.js';
import { userAgent } from './version.js';

export const DEFAULT_VIEWER_ENDPOINT = 'https://datasets-server.huggingface.co';

export interface HubClientOptions {
  /** Hub base URL; default HF_ENDPOINT, then https://huggingface.co */
  endpoint?: string;
  /** access token; default HF_TOKEN, then the token file (as the CLI). `null`: send no token */
  token?: string | null;
  /** requests in flight at once (1–64, default 4) */
  concurrency?: number;
  /** an attempt fails when nothing arrives for this long (ms, 1–3,600,000, default 30,000) */
  timeoutMs?: number;
  /** retries of a failed request (0–100, default 5) */
  maxRetries?: number;
  /** dataset viewer base URL (default https://datasets-server.huggingface.co) */
  viewerEndpoint?: string;
}

/** The handle every stage takes. */
export interface HubClientHandle {
  /** the Hub base URL, without a trailing `/` */
  readonly endpoint: string;
  /** the dataset viewer base URL, without a trailing `/` */
  readonly viewerEndpoint: string;
  /** requests in flight at once */
  readonly concurrency: number;
  /** every HTTP request sent so far, retries and redirects included */
  readonly requests: number;
  /** the HTTP client the stages use (not a stable API) */
  readonly http: HubClient;
  /** the dataset viewer's own HTTP client, made on first use (not a stable API) */
  readonly viewer: HubClient;
  /** Stops every request of this client (and of its viewer client) and frees its sockets. */
  close(): Promise<void>;
}

const KNOWN = new Set(['endpoint', 'token', 'concurrency', 'timeoutMs', 'maxRetries', 'viewerEndpoint']);

function whole(name: string, v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

function httpUrl(name: string, v: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof v === 'string' ? new URL(v) : null;
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`${name} must be an http(s) URL, got ${JSON.stringify(v)}`);
  return (v as string).replace(/\/+$/, '');
}

/**
 * A client for the Hub with the CLI's defaults for every option not given.
 * @throws UsageError (`ETL_USAGE`) when an option is out of range or unknown.
 */
export function createHubClient(options: HubClientOptions = {}, env: NodeJS.ProcessEnv = process.env): HubClientHandle {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new UsageError(`createHubClient has no option ${JSON.stringify(key)}; known: ${[...KNOWN].join(', ')}`);
  }
  const endpoint = resolveEndpoint(options.endpoint, env);
  const viewerEndpoint = httpUrl('viewerEndpoint', options.viewerEndpoint ?? DEFAULT_VIEWER_ENDPOINT);
  const token = options.token === null ? null : resolveToken(options.token, env);
  const concurrency = whole('concurrency', options.concurrency, 1, 64, 4);
  const common = {
    token,
    concurrency,
    timeoutMs: whole('timeoutMs', options.timeoutMs, 1, 3_600_000, 30_000),
    maxRetries: whole('maxRetries', options.maxRetries, 0, 100, 5),
    userAgent: userAgent(),
    backoffBaseMs: Number(env.HF_DATASETS_BACKOFF_MS) || undefined,
  };
  const http = new HubClient({ endpoint, ...common });
  // the viewer: its own origin, slots and rate-limit state; the token goes to the Hub and here only.
  // Its X-Error-Code answers (ResponseNotReady…) are facts, not retried.
  let viewer: HubClient | null = null;
  return {
    endpoint,
    viewerEndpoint,
    concurrency,
    get requests() {
      return http.requests + (viewer?.requests ?? 0);
    },
    http,
    get viewer() {
      viewer ??= new HubClient({ endpoint: viewerEndpoint, ...common, errorCodeIsFinal: true });
      return viewer;
    },
    close: async () => {
      await Promise.all([http.close(), viewer?.close()]);
    },
  };
}
