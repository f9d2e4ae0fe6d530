/**
 * The error registry (src/errors.ts): every code the source raises is declared once, `instanceof`
 * holds across two copies of the module, and each failure maps to its exit code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  BodyError,
  CatalogError,
  ERROR_CODES,
  EtlError,
  exitCodeOf,
  HttpError,
  InvalidItemError,
  NetworkError,
  UsageError,
} from '../src/errors.js';
import * as api from '../src/index.js';
import { ROOT } from './helpers/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the registry of codes', () => {
  it('declares every ETL_* code that appears in the source, and nothing twice', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bETL_[A-Z_]*[A-Z]\b/g)) used.add(m[0]);
    }
    const declared = Object.keys(ERROR_CODES);
    expect([...used].filter((c) => !declared.includes(c))).toEqual([]);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('is exported with every error class by the package entry', () => {
    expect(api.ERROR_CODES).toBe(ERROR_CODES);
    for (const cls of [AbortedError, BodyError, CatalogError, EtlError, HttpError, InvalidItemError, NetworkError, UsageError]) {
      expect(Object.values(api)).toContain(cls);
    }
  });
});

describe('each failure its class and code', () => {
  it('keeps the code strings, names and data fields callers rely on', () => {
    const http = new HttpError({ status: 404, method: 'GET', url: 'https://x/api', errorCode: 'RepoNotFound', detail: 'no such repo' });
    expect([http.code, http.name, http.status, http.errorCode, http.message]).toEqual(['ETL_HTTP_STATUS', 'HttpError', 404, 'RepoNotFound', 'HTTP 404 for GET https://x/api: no such repo']);
    expect(new NetworkError('m', 'u').code).toBe('ETL_NETWORK');
    expect(new NetworkError('m', 'u', 'ETL_UNREACHABLE').code).toBe('ETL_UNREACHABLE');
    expect(new BodyError('m', 'u').code).toBe('ETL_BAD_BODY');
    expect(new AbortedError().code).toBe('ETL_ABORTED');
    expect(new UsageError('m').code).toBe('ETL_USAGE');
    expect(new CatalogError('m').code).toBe('ETL_CATALOG');
    const invalid = new InvalidItemError('no id');
    expect([invalid.code, invalid.name]).toEqual(['ETL_INVALID_ITEM', 'InvalidItemError']);
    const cause = new Error('socket hang up');
    expect(new NetworkError('m', 'u', 'ETL_NETWORK', { cause }).cause).toBe(cause);
  });

  it('tells a body refused for its size (not retried) from one that broke off', () => {
    expect(new BodyError('m', 'u', 'ETL_BODY_TOO_LARGE').tooLarge).toBe(true);
    expect(new BodyError('m', 'u', 'ETL_ITEM_TOO_LARGE').tooLarge).toBe(true);
    expect(new BodyError('m', 'u', 'ETL_TRUNCATED_BODY').tooLarge).toBe(false);
    expect(new BodyError('m', 'u', 'ETL_BAD_BODY').tooLarge).toBe(false);
  });

  it('maps usage errors to exit code 2 and every other failure to 1', () => {
    expect(exitCodeOf(new UsageError('m', 'ETL_SCOPE_MISMATCH'))).toBe(2);
    for (const err of [new CatalogError('m', 'ETL_CATALOG_LOCKED'), new HttpError({ status: 500, method: 'GET', url: 'u' }), new InvalidItemError('m'), new Error('x'), 'text']) {
      expect(exitCodeOf(err)).toBe(1);
    }
  });
});

describe('instanceof', () => {
  it('follows the class chain: a CatalogError is an EtlError and an Error, not a UsageError', () => {
    const err = new CatalogError('m', 'ETL_NOT_A_CATALOG');
    expect(err).toBeInstanceOf(CatalogError);
    expect(err).toBeInstanceOf(EtlError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageError);
    expect(new InvalidItemError('m')).toBeInstanceOf(Error);
    expect(new Error('x')).not.toBeInstanceOf(EtlError);
    expect(null).not.toBeInstanceOf(EtlError);
  });

  it('holds across two copies of the module (a dependency bundling its own copy)', async () => {
    const copy = (await import(/* @vite-ignore */ `../src/errors.js?copy=${Date.now()}`)) as typeof import('../src/errors.js');
    expect(copy.BodyError).not.toBe(BodyError);
    const fromCopy = new copy.BodyError('m', 'u', 'ETL_BAD_BODY');
    expect(fromCopy).toBeInstanceOf(BodyError);
    expect(fromCopy).toBeInstanceOf(EtlError);
    expect(fromCopy).not.toBeInstanceOf(HttpError);
    expect(new HttpError({ status: 500, method: 'GET', url: 'u' })).toBeInstanceOf(copy.HttpError);
  });

  it("works for a library user's own subclass", () => {
    class DiskFull extends EtlError {}
    const err = new DiskFull('disk full', 'ETL_OUTPUT');
    expect(err).toBeInstanceOf(DiskFull);
    expect(err).toBeInstanceOf(EtlError);
    expect(new EtlError('m', 'ETL_FATAL')).not.toBeInstanceOf(DiskFull);
  });
});
