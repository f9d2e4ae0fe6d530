/**
 * The HTTP clients of a run, made from normalized network options (src/options.ts) in one place
 * for the CLI's Config and the library's `createHubClient` alike: one client per origin, each with
 * its own slots, rate-limit state and retry policy.
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { NetworkOptions } from '../options.js';
import { userAgent } from '../version.js';
import { HubClient } from './client.js';
import { hubRetryPolicy, viewerRetryPolicy } from './retry-policy.js';
import type { LogFn } from './transport.js';

type Network = Omit<NetworkOptions, 'backoffBaseMs'> & { backoffBaseMs?: number | undefined };

function common(net: Network, log: LogFn | undefined) {
  return { token: net.token, timeoutMs: net.timeoutMs, concurrency: net.concurrency, userAgent: userAgent(), log };
}

/** The Hub's client: 408 and 5xx retried with backoff, up to `maxRetries`. */
export function hubHttpClient(net: Network, log?: LogFn): HubClient {
  return new HubClient({ endpoint: net.endpoint, ...common(net, log), retry: hubRetryPolicy({ limit: net.maxRetries, backoffBaseMs: net.backoffBaseMs }) });
}

/**
 * The dataset viewer's client: a client of its own, so its requests have their own
 * `--concurrency` slots and their own rate-limit state (a 429 from the viewer pauses viewer
 * requests only, never the Hub listing, and the other way round). The token goes to the viewer's
 * origin (gated datasets need it) and, as for the Hub, nowhere else. Its `X-Error-Code` answers
 * are facts and are not retried (viewerRetryPolicy).
 */
export function viewerHttpClient(net: Network, log?: LogFn): HubClient {
  return new HubClient({ endpoint: net.viewerEndpoint, ...common(net, log), retry: viewerRetryPolicy({ limit: net.maxRetries, backoffBaseMs: net.backoffBaseMs }) });
}

function logTo(log: Logger, prefix: string): LogFn {
  return (level, msg, fields) => log[level](fields ?? {}, prefix + msg);
}

/** The HubClient for a validated Config, logging through `log`. */
export function clientFromConfig(config: Config, log: Logger): HubClient {
  return hubHttpClient(config, logTo(log, ''));
}

/** The dataset viewer's client for a validated Config (see viewerHttpClient). */
export function viewerClientFromConfig(config: Config, log: Logger): HubClient {
  return viewerHttpClient(config, logTo(log, 'dataset viewer: '));
}
