import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { userAgent } from '../version.js';
import { HubClient } from './client.js';

/** The HubClient for a validated Config, logging through `log`. */
export function clientFromConfig(config: Config, log: Logger): HubClient {
  return new HubClient({
    endpoint: config.endpoint,
    token: config.token,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    concurrency: config.concurrency,
    userAgent: userAgent(),
    // advanced / tests: the retry backoff base in ms (default 1000)
    backoffBaseMs: Number(process.env.HF_DATASETS_BACKOFF_MS) || undefined,
    log: (level, msg, fields) => log[level](fields ?? {}, msg),
  });
}
