// Every storage test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL. Each store gets a
// database of its own: a temporary SQLite file, or a fresh PostgreSQL schema on the test server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Engine } from '../../src/storage/database.js';
import { openDatabase, type Db } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { createStore } from '../../src/storage/store.js';
import type { Store } from '../../src/application/ports.js';

export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  readonly engine: Engine;
  /** DATABASE_URL for a server process on the same database, or null for SQLite (use dataDir). */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  open(options?: { poolSize?: number }): Promise<Db>;
  drop(): Promise<void>;
}

/** A new empty database of the given engine. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-test-'));
  if (engine === 'sqlite') {
    return {
      engine,
      databaseUrl: null,
      dataDir,
      open: () => openDatabase({ databaseUrl: null, dataDir }),
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const databaseUrl = url.toString();
  return {
    engine,
    databaseUrl,
    dataDir,
    open: (options) => openDatabase({ databaseUrl, dataDir, poolSize: options?.poolSize }),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestStore {
  readonly store: Store;
  readonly db: Db;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

/** A migrated store on a new database; close() also drops the database. */
export async function openTestStore(engine: Engine): Promise<TestStore> {
  const database = await createTestDatabase(engine);
  const db = await database.open();
  await migrate(db);
  const store = createStore(db);
  return {
    store,
    db,
    database,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
