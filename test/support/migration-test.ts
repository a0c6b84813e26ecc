// A migration's own test: a database of the engine migrated up to just before it, to write rows as they were,
// then the rest of the migrations; dropped after each test.
import { afterEach, expect } from 'vitest';
import type { Db } from '../../src/storage/database.js';
import { loadMigrations, migrate } from '../../src/storage/migrate.js';
import type { Engine } from '../../src/storage/database.js';
import { createTestDatabase, type TestDatabase } from './engines.js';

export interface BeforeMigration {
  readonly db: Db;
  /** Applies the migration under test and every later one; answers the names applied. */
  migrateRest(): Promise<string[]>;
}

/** Call in a describe block: `const before = migrationTest(engine)`, then `await before('009_catalog_archive')`. */
export function migrationTest(engine: Engine): (migration: string) => Promise<BeforeMigration> {
  let database: TestDatabase | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    await database?.drop();
    db = database = undefined;
  });
  return async (migration) => {
    database = await createTestDatabase(engine);
    const opened = await database.open();
    db = opened;
    const all = loadMigrations();
    const at = all.findIndex((m) => m.name === migration);
    expect(at, `migration ${migration}`).toBeGreaterThan(0);
    await migrate(opened, all.slice(0, at));
    return { db: opened, migrateRest: () => migrate(opened, all) };
  };
}
