/**
 * The network options, normalized once (src/options.ts) for the CLI and `createHubClient`: the same
 * defaults and ranges, errors that name the option as its caller spelled it, and one retry policy
 * per origin (src/http/retry-policy.ts).
 */
import { describe, expect, it } from 'vitest';
import { createHubClient } from '../src/client.js';
import { normalizeConfig } from '../src/config.js';
import { UsageError } from '../src/errors.js';
import { hubRetryPolicy, RETRY_STATUSES, viewerRetryPolicy } from '../src/http/retry-policy.js';
import { networkOptionsFromArgs, networkOptionsFromLibrary } from '../src/options.js';
import { tempDir } from './helpers/cli.js';

const env = { HF_HOME: tempDir('opts-'), HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' };

describe('one normalization for the CLI and the library', () => {
  it('gives the same defaults to both', () => {
    const cli = networkOptionsFromArgs({}, env);
    const lib = networkOptionsFromLibrary({}, env);
    expect(lib).toEqual(cli);
    expect(cli).toEqual({ endpoint: 'https://huggingface.co', viewerEndpoint: 'https://datasets-server.huggingface.co', token: null, concurrency: 4, timeoutMs: 30_000, maxRetries: 5, backoffBaseMs: undefined });
  });

  it('reads HF_ENDPOINT, HF_TOKEN and HF_DATASETS_BACKOFF_MS the same way for both', () => {
    const e = { ...env, HF_ENDPOINT: 'http://mirror.local/', HF_TOKEN: ' hf_x ', HF_DATASETS_BACKOFF_MS: '20' };
    for (const o of [networkOptionsFromArgs({}, e), networkOptionsFromLibrary({}, e)]) {
      expect(o).toMatchObject({ endpoint: 'http://mirror.local', token: 'hf_x', backoffBaseMs: 20 });
    }
    expect(normalizeConfig('collect', {}, e)).toMatchObject({ endpoint: 'http://mirror.local', token: 'hf_x', backoffBaseMs: 20 });
  });

  it('takes the CLI timeout in seconds and the library timeout in ms', () => {
    expect(networkOptionsFromArgs({ timeout: '7' }, env).timeoutMs).toBe(7000);
    expect(networkOptionsFromLibrary({ timeoutMs: 7 }, env).timeoutMs).toBe(7);
  });
});

describe('errors name the option as the caller spelled it', () => {
  it.each([
    [{ concurrency: '0' }, '--concurrency must be a whole number from 1 to 64, got "0"'],
    [{ maxRetries: '101' }, '--max-retries must be a whole number from 0 to 100, got "101"'],
    [{ timeout: 'x' }, '--timeout must be a whole number from 1 to 3600, got "x"'],
    [{ endpoint: 'ftp://x' }, '--endpoint must be an http(s) URL, got "ftp://x"'],
    [{ viewerEndpoint: 'nope' }, '--viewer-endpoint must be an http(s) URL, got "nope"'],
  ])('command line %j: %s', (args, message) => {
    expect(() => networkOptionsFromArgs(args, env)).toThrow(new UsageError(message));
  });

  it.each([
    [{ concurrency: 65 }, 'concurrency must be a whole number from 1 to 64, got 65'],
    [{ concurrency: '4' }, 'concurrency must be a whole number from 1 to 64, got "4"'],
    [{ maxRetries: 1.5 }, 'maxRetries must be a whole number from 0 to 100, got 1.5'],
    [{ timeoutMs: 0 }, 'timeoutMs must be a whole number from 1 to 3600000, got 0'],
    [{ endpoint: 'ftp://x' }, 'endpoint must be an http(s) URL, got "ftp://x"'],
    [{ endpoint: '' }, 'endpoint needs a non-empty value'],
    [{ token: '' }, 'token needs a non-empty value'],
    [{ viewerEndpoint: 'nope' }, 'viewerEndpoint must be an http(s) URL, got "nope"'],
    [{ verbose: true }, 'createHubClient has no option "verbose"; known: endpoint, token, concurrency, timeoutMs, maxRetries, viewerEndpoint'],
  ])('createHubClient(%j): %s', (options, message) => {
    const err = (() => {
      try {
        createHubClient(options as never, env);
        return null;
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toBe(message);
    expect(err!.message).not.toMatch(/--/);
  });

  it('names HF_ENDPOINT when the bad URL came from it', () => {
    expect(() => networkOptionsFromLibrary({}, { ...env, HF_ENDPOINT: 'nope' })).toThrow('HF_ENDPOINT must be an http(s) URL, got "nope"');
  });
});

describe('one retry policy per origin', () => {
  const answer = (status: number, code?: string) => ({ status, headers: code === undefined ? {} : { 'x-error-code': code } });

  it('the Hub asks 408 and 5xx again whatever the answer says', () => {
    const p = hubRetryPolicy({ limit: 3 });
    expect(p.limit).toBe(3);
    expect([...p.statusCodes].sort()).toEqual([408, 500, 502, 503, 504]);
    expect(p.shouldRetry(answer(500, 'SomeHubCode'))).toBe(true);
  });

  it("the viewer takes an X-Error-Code answer as its final word (ResponseNotReady), and asks a bare 500 again", () => {
    const p = viewerRetryPolicy({ limit: 3 });
    expect(p.statusCodes).toBe(RETRY_STATUSES);
    expect(p.shouldRetry(answer(500, 'ResponseNotReady'))).toBe(false);
    expect(p.shouldRetry(answer(500))).toBe(true);
  });

  it('waits a full-jitter backoff doubling from the base up to the cap', () => {
    const p = hubRetryPolicy({ limit: 5, backoffBaseMs: 100, random: () => 1 });
    expect([1, 2, 3, 4, 5].map((a) => p.delay(a))).toEqual([100, 200, 400, 800, 800]);
    expect(hubRetryPolicy({ limit: 5, backoffBaseMs: 100, random: () => 0 }).delay(3)).toBe(0);
  });

  it('createHubClient gives the Hub and the viewer their own policies, from the same options', async () => {
    const c = createHubClient({ maxRetries: 2, endpoint: 'http://127.0.0.1:9', viewerEndpoint: 'http://127.0.0.1:9' }, env);
    try {
      expect(c.http.retry.limit).toBe(2);
      expect(c.viewer.retry.limit).toBe(2);
      expect(c.http.retry.shouldRetry(answer(500, 'ResponseNotReady'))).toBe(true);
      expect(c.viewer.retry.shouldRetry(answer(500, 'ResponseNotReady'))).toBe(false);
    } finally {
      await c.close();
    }
  });
});
