/**
 * The catalog's schema version: a new file gets the latest schema, an older one is migrated in
 * place (data kept), a newer one or a foreign one is refused without a byte changed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogError, MIGRATIONS, SCHEMA_VERSION, openCatalog, schemaVersion, type Migration } from '../src/catalog/schema.js';
import { tempDir } from './helpers/cli.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const NEXT: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, statements: ['ALTER TABLE datasets ADD COLUMN note VARCHAR', "UPDATE datasets SET note = 'migrated'"] }];

describe('catalog schema', () => {
  it('creates, migrates an older file in place and refuses a newer one untouched', async () => {
    dir = tempDir('hfds-schema-');
    const db = join(dir, 'c.duckdb');
    const c = await openCatalog(db, { write: true });
    expect(await schemaVersion(c.conn)).toBe(SCHEMA_VERSION);
    await c.conn.run("INSERT INTO datasets (id, sha) VALUES ('a/b', 'abc')");
    c.close();

    // a later release (one more migration) opens this file: migrated, rows kept
    const later = await openCatalog(db, { write: true, migrations: NEXT });
    expect(await schemaVersion(later.conn)).toBe(SCHEMA_VERSION + 1);
    const rows = (await later.conn.runAndReadAll('SELECT id, sha, note FROM datasets')).getRowObjectsJS();
    expect(rows).toEqual([{ id: 'a/b', sha: 'abc', note: 'migrated' }]);
    later.close();

    // this release opens the newer file: refused, not a byte changed
    const bytes = readFileSync(db);
    for (const write of [true, false]) {
      const err = await openCatalog(db, { write }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CatalogError);
      expect((err as CatalogError).code).toBe('ETL_CATALOG_NEWER');
      expect(readFileSync(db).equals(bytes)).toBe(true);
    }
  });

  it('read-only opening of a missing file creates nothing', async () => {
    dir = tempDir('hfds-schema-');
    const err = await openCatalog(join(dir, 'none.duckdb'), { write: false }).then(() => null, (e: unknown) => e);
    expect((err as CatalogError).code).toBe('ETL_NO_CATALOG');
  });
});
