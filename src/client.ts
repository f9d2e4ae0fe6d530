/**
 * `createHubClient`: the library's way to get a Hub client with the CLI's defaults. Options not
 * given come from where the CLI takes them (HF_ENDPOINT, HF_TOKEN, the token file, and the
 * defaults of --concurrency, --timeout and --max-retries); every stage of the library takes
 * this handle. `close()` releases its sockets so the process can exit.
 */
import { HubClient } from './http/client.js';
import { hubHttpClient, viewerHttpClient } from './http/from-config.js';
import { networkOptionsFromLibrary, type HubClientOptions } from './options.js';

export { DEFAULT_VIEWER_ENDPOINT, type HubClientOptions } from './options.js';

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

/**
 * A client for the Hub with the CLI's defaults for every option not given.
 * @throws UsageError (`ETL_USAGE`) when an option is out of range or unknown, naming the option.
 */
export function createHubClient(options: HubClientOptions = {}, env: NodeJS.ProcessEnv = process.env): HubClientHandle {
  const net = networkOptionsFromLibrary(options, env);
  const http = hubHttpClient(net);
  // the viewer: its own origin, slots and rate-limit state; the token goes to the Hub and here only
  let viewer: HubClient | null = null;
  return {
    endpoint: net.endpoint,
    viewerEndpoint: net.viewerEndpoint,
    concurrency: net.concurrency,
    get requests() {
      return http.requests + (viewer?.requests ?? 0);
    },
    http,
    get viewer() {
      viewer ??= viewerHttpClient(net);
      return viewer;
    },
    close: async () => {
      await Promise.all([http.close(), viewer?.close()]);
    },
  };
}
