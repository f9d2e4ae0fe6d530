/** normalizeConfig: every check, with its message, and the token/endpoint resolution order. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeConfig, normalizeOutDir, resolveToken } from '../src/config.js';
import { UsageError } from '../src/errors.js';
import { tempDir } from './helpers/cli.js';

const env = { HF_HOME: tempDir('cfg-') };

describe('normalizeOutDir', () => {
  it('gives one spelling per folder', () => {
    for (const d of ['./out', 'out/', 'out//', './out/', 'out/.']) expect(normalizeOutDir(d)).toBe('out');
    expect(normalizeOutDir('/tmp/x/')).toBe('/tmp/x');
    expect(normalizeOutDir('/')).toBe('/');
    expect(normalizeOutDir('./')).toBe('.');
  });
});

describe('normalizeConfig', () => {
  it('has the documented defaults', () => {
    const c = normalizeConfig('collect', {}, env);
    expect(c.query).toEqual({ search: null, author: null, filter: [], sort: 'downloads', since: null, limit: 100, file_sizes: false, viewer_stats: false });
    expect(c).toMatchObject({ outDir: 'hf_datasets_output', individual: true, ndjson: false, concurrency: 4, timeoutMs: 30_000, maxRetries: 5, endpoint: 'https://huggingface.co', token: null, logLevel: 'info' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ limit: '-5' }, /--limit must be a whole number/],
    [{ limit: '1.5' }, /--limit/],
    [{ limit: 'ten' }, /--limit/],
    [{ limit: '3', all: true }, /--limit and --all/],
    [{ sort: 'bogus' }, /--sort must be one of/],
    [{ since: '2024-01-01' }, /--since needs --sort lastModified or --sort createdAt/],
    [{ since: 'yesterday', sort: 'createdAt' }, /--since must be an ISO date/],
    [{ since: '2024-13-45', sort: 'createdAt' }, /--since must be an ISO date/],
    [{ concurrency: '0' }, /--concurrency/],
    [{ timeout: '-1' }, /--timeout/],
    [{ endpoint: 'ftp://x' }, /--endpoint must be an http/],
    [{ endpoint: 'not a url' }, /--endpoint/],
    [{ resume: true, ndjson: true }, /--resume needs --out/],
    [{ logLevel: 'loud' }, /--log-level/],
    [{ author: ['a', 'b'] }, /--author may be given once/],
  ])('%j is refused', (args, message) => {
    expect(() => normalizeConfig('collect', args as never, env)).toThrow(UsageError);
    expect(() => normalizeConfig('collect', args as never, env)).toThrow(message);
  });

  it('search TERM sets the search and refuses --search', () => {
    expect(normalizeConfig('search', { term: 'squad' }, env).query.search).toBe('squad');
    expect(() => normalizeConfig('search', { term: 'a', search: 'b' }, env)).toThrow(/cannot be combined/);
  });

  it('--all, --since, --ndjson without --out, quiet', () => {
    const c = normalizeConfig('collect', { all: true, sort: 'createdAt', since: '2024-01-31', ndjson: true, quiet: true }, env);
    expect(c.query.limit).toBeNull();
    expect(c.query.since).toBe('2024-01-31T00:00:00.000Z');
    expect(c.outDir).toBeNull();
    expect(c.logLevel).toBe('warn');
    expect(normalizeConfig('collect', { ndjson: true, out: 'x' }, env).outDir).toBe('x');
  });

  it('remembers which query options were given (for --resume)', () => {
    const c = normalizeConfig('collect', { sort: 'likes', filter: ['a', 'b'] }, env);
    expect([...c.explicitQuery].sort()).toEqual(['filter', 'sort']);
  });

  it('a bad HF_ENDPOINT is named as such', () => {
    expect(() => normalizeConfig('collect', {}, { ...env, HF_ENDPOINT: 'nope' })).toThrow(/^HF_ENDPOINT must be an http\(s\) URL, got "nope"$/);
  });

  it('endpoint from HF_ENDPOINT, trailing slash stripped', () => {
    expect(normalizeConfig('collect', {}, { ...env, HF_ENDPOINT: 'http://127.0.0.1:9/' }).endpoint).toBe('http://127.0.0.1:9');
    expect(normalizeConfig('collect', { endpoint: 'https://hf-mirror.com/' }, { ...env, HF_ENDPOINT: 'http://x' }).endpoint).toBe('https://hf-mirror.com');
  });
});

describe('resolveToken', () => {
  it('--token, then HF_TOKEN, then the token file; HF_HUB_DISABLE_IMPLICIT_TOKEN ignores the file', () => {
    const home = tempDir('tok-');
    writeFileSync(join(home, 'token'), 'hf_file\n');
    expect(resolveToken('hf_flag', { HF_HOME: home, HF_TOKEN: 'hf_env' })).toBe('hf_flag');
    expect(resolveToken(undefined, { HF_HOME: home, HF_TOKEN: 'hf_env' })).toBe('hf_env');
    expect(resolveToken(undefined, { HF_HOME: home })).toBe('hf_file');
    expect(resolveToken(undefined, { HF_HOME: home, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' })).toBeNull();
    const path = join(home, 'other');
    writeFileSync(path, 'hf_path');
    expect(resolveToken(undefined, { HF_HOME: home, HF_TOKEN_PATH: path })).toBe('hf_path');
    expect(resolveToken(undefined, { HF_HOME: join(home, 'missing') })).toBeNull();
  });
});
