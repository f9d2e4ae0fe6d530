import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { userAgent } from '../version.js';
import { HubClient } from './client.js';

/** A client for one origin with the Config's network options; log lines get `prefix`. */
function configuredClient(config: Config, log: Logger, endpoint: string, prefix: string, errorCodeIsFinal: boolean): HubClient {
  return new HubClient({
    endpoint,
    token: config.token,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    concurrency: config.concurrency,
    userAgent: userAgent(),
    // advanced / tests: the retry backoff base in ms (default 1000)
    backoffBaseMs: Number(process.env.HF_DATASETS_BACKOFF_MS) || undefined,
    errorCodeIsFinal,
    log: (level, msg, fields) => log[level](fields ?? {}, prefix + msg),
  });
}

/** The HubClient for a validated Config, logging through `log`. */
export function clientFromConfig(config: Config, log: Logger): HubClient {
  return configuredClient(config, log, config.endpoint, '', false);
}

/**
 * The client for the dataset viewer (`--viewer-endpoint`): a client of its own, so its requests
 * have their own `--concurrency` slots and their own rate-limit state (a 429 from the viewer
 * pauses viewer requests only, never the Hub listing, and the other way round). The token goes
 * to the viewer's origin (gated datasets need it) and, as for the Hub, nowhere else. The viewer's
 * `X-Error-Code` answers are facts and are not retried.
 */
export function viewerClientFromConfig(config: Config, log: Logger): HubClient {
  return configuredClient(config, log, config.viewerEndpoint, 'dataset viewer: ', true);
}
