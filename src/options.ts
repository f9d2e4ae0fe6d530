/**
 * The network options, normalized once for the CLI (`normalizeConfig`) and the library
 * (`createHubClient`) alike (csv-parse's normalize_options.js is the model): defaults, ranges,
 * URLs, the token's sources and the backoff variable are decided here and nowhere else. Errors
 * are UsageError ("<name> must be …, got <value>") naming the option as its caller spelled it:
 * `--max-retries` on the command line, `maxRetries` in the library.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_VIEWER_ENDPOINT = 'https://datasets-server.huggingface.co';

/** `createHubClient`'s options: every field optional, the CLI's default when not given. */
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

/** The network options once normalized: what every HTTP client of a run is made from. */
export interface NetworkOptions {
  endpoint: string;
  viewerEndpoint: string;
  token: string | null;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  /** the retry backoff base (ms); undefined: the client's default (1 s). Env HF_DATASETS_BACKOFF_MS (advanced / tests) */
  backoffBaseMs: number | undefined;
}

type Field = 'endpoint' | 'viewerEndpoint' | 'token' | 'concurrency' | 'timeout' | 'maxRetries';

/** How each option is named in messages, by who gave it. */
const NAMES: Record<'cli' | 'library', Record<Field, string>> = {
  cli: { endpoint: '--endpoint', viewerEndpoint: '--viewer-endpoint', token: '--token', concurrency: '--concurrency', timeout: '--timeout', maxRetries: '--max-retries' },
  library: { endpoint: 'endpoint', viewerEndpoint: 'viewerEndpoint', token: 'token', concurrency: 'concurrency', timeout: 'timeoutMs', maxRetries: 'maxRetries' },
};

/** The ranges, in the unit the caller gives (the CLI's --timeout is in seconds, the library's timeoutMs in ms). */
export const RANGES = {
  concurrency: { min: 1, max: 64, default: 4 },
  maxRetries: { min: 0, max: 100, default: 5 },
  timeoutSeconds: { min: 1, max: 3600, default: 30 },
  timeoutMs: { min: 1, max: 3_600_000, default: 30_000 },
} as const;

/** A value for a message: strings quoted, anything else as String gives it. */
export function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * A whole number in [min, max]. `text: true` (the command line) also takes its decimal digits as
 * a string; the library takes numbers only.
 * @throws UsageError `<name> must be a whole number from <min> to <max>, got <v>`
 */
export function wholeNumber(name: string, v: unknown, range: { min: number; max: number }, text: boolean): number {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : '') : text && typeof v === 'string' ? v.trim() : '';
  if (!/^\d+$/.test(s) || Number(s) < range.min || Number(s) > range.max) {
    throw new UsageError(`${name} must be a whole number from ${range.min} to ${range.max}, got ${show(v)}`);
  }
  return Number(s);
}

/**
 * An http(s) base URL, without trailing `/`.
 * @throws UsageError `<name> must be an http(s) URL, got <v>`
 */
export function httpUrl(name: string, v: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof v === 'string' ? new URL(v) : null;
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`${name} must be an http(s) URL, got ${show(v)}`);
  return (v as string).replace(/\/+$/, '');
}

/**
 * A command-line value given once and not empty; null when not given.
 * @throws UsageError when given twice, without a value, or empty
 */
export function singleText(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) throw new UsageError(`${name} may be given once, got ${v.length} values`);
  if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`${name} needs a value`);
  const s = String(v);
  if (s.trim() === '') throw new UsageError(`${name} needs a non-empty value`);
  return s;
}

/** The Hub base URL: the option, then HF_ENDPOINT, then the default (a bad HF_ENDPOINT is named as such). */
function endpointOf(name: string, given: string | null, env: NodeJS.ProcessEnv): string {
  return httpUrl(given === null && env.HF_ENDPOINT ? 'HF_ENDPOINT' : name, given ?? env.HF_ENDPOINT ?? DEFAULT_ENDPOINT);
}

/** The token from the option, HF_TOKEN, then the token file (unless HF_HUB_DISABLE_IMPLICIT_TOKEN). */
function tokenOf(given: string | null, env: NodeJS.ProcessEnv): string | null {
  if (given) return given.trim();
  if (env.HF_TOKEN && env.HF_TOKEN.trim()) return env.HF_TOKEN.trim();
  const disabled = (env.HF_HUB_DISABLE_IMPLICIT_TOKEN ?? '').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(disabled)) return null;
  const path = env.HF_TOKEN_PATH || join(env.HF_HOME || join(homedir(), '.cache', 'huggingface'), 'token');
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token || null;
  } catch {
    return null;
  }
}

function backoffOf(env: NodeJS.ProcessEnv): number | undefined {
  return Number(env.HF_DATASETS_BACKOFF_MS) || undefined;
}

/** The token from `--token`, HF_TOKEN, then the token file (unless HF_HUB_DISABLE_IMPLICIT_TOKEN). */
export function resolveToken(v: unknown, env: NodeJS.ProcessEnv): string | null {
  return tokenOf(singleText(NAMES.cli.token, v), env);
}

/** The command line's network flags, as yargs hands them over (unvalidated). */
export interface RawNetworkArgs {
  endpoint?: unknown;
  viewerEndpoint?: unknown;
  token?: unknown;
  concurrency?: unknown;
  /** seconds */
  timeout?: unknown;
  maxRetries?: unknown;
}

/** The command line's network flags, normalized; errors name the flag. */
export function networkOptionsFromArgs(args: RawNetworkArgs, env: NodeJS.ProcessEnv): NetworkOptions {
  const n = NAMES.cli;
  return {
    concurrency: args.concurrency === undefined ? RANGES.concurrency.default : wholeNumber(n.concurrency, args.concurrency, RANGES.concurrency, true),
    timeoutMs: (args.timeout === undefined ? RANGES.timeoutSeconds.default : wholeNumber(n.timeout, args.timeout, RANGES.timeoutSeconds, true)) * 1000,
    maxRetries: args.maxRetries === undefined ? RANGES.maxRetries.default : wholeNumber(n.maxRetries, args.maxRetries, RANGES.maxRetries, true),
    endpoint: endpointOf(n.endpoint, singleText(n.endpoint, args.endpoint), env),
    viewerEndpoint: httpUrl(n.viewerEndpoint, singleText(n.viewerEndpoint, args.viewerEndpoint) ?? DEFAULT_VIEWER_ENDPOINT),
    token: resolveToken(args.token, env),
    backoffBaseMs: backoffOf(env),
  };
}

const KNOWN: ReadonlySet<string> = new Set<keyof HubClientOptions>(['endpoint', 'token', 'concurrency', 'timeoutMs', 'maxRetries', 'viewerEndpoint']);

/** `createHubClient`'s options, normalized; errors name the option field. */
export function networkOptionsFromLibrary(options: HubClientOptions, env: NodeJS.ProcessEnv): NetworkOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new UsageError(`createHubClient has no option ${JSON.stringify(key)}; known: ${[...KNOWN].join(', ')}`);
  }
  const n = NAMES.library;
  const text = (name: string, v: unknown): string | null => {
    if (v === undefined) return null;
    if (typeof v !== 'string') throw new UsageError(`${name} must be a string, got ${show(v)}`);
    if (v.trim() === '') throw new UsageError(`${name} needs a non-empty value`);
    return v;
  };
  const whole = (name: string, v: unknown, range: { min: number; max: number; default: number }): number =>
    v === undefined ? range.default : wholeNumber(name, v, range, false);
  return {
    endpoint: endpointOf(n.endpoint, text(n.endpoint, options.endpoint), env),
    viewerEndpoint: httpUrl(n.viewerEndpoint, options.viewerEndpoint ?? DEFAULT_VIEWER_ENDPOINT),
    token: options.token === null ? null : tokenOf(text(n.token, options.token), env),
    concurrency: whole(n.concurrency, options.concurrency, RANGES.concurrency),
    timeoutMs: whole(n.timeout, options.timeoutMs, RANGES.timeoutMs),
    maxRetries: whole(n.maxRetries, options.maxRetries, RANGES.maxRetries),
    backoffBaseMs: backoffOf(env),
  };
}
