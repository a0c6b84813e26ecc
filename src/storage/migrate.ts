// Applies the numbered SQL files in migrations/ in order, once each, recorded in schema_migrations.
// Safe when several processes start together: PostgreSQL takes an advisory lock, SQLite BEGIN IMMEDIATE.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db, Queryable } from './database.js';
import { fillDerivedColumns } from './derived-backfill.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

function migrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('migrations/ folder not found');
    dir = parent;
  }
}

/** Splits a migration file into statements: our files keep semicolons only at the ends of statements. */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.replace(/\.sql$/, ''),
      statements: splitStatements(fs.readFileSync(path.join(dir, file), 'utf8')),
    }));
}

const CREATE_TABLE = sql`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

async function applied(q: Queryable): Promise<Set<number>> {
  const rows = await q.selectFrom('schema_migrations').select('version').execute();
  return new Set(rows.map((r) => Number(r.version)));
}

async function applyOne(q: Queryable, m: Migration, now: number): Promise<void> {
  for (const statement of m.statements) await sql.raw(statement).execute(q);
  await q.insertInto('schema_migrations').values({ version: m.version, name: m.name, applied_at: now }).execute();
}

/** The derived package columns exist from migration 003 on; fill them for older rows once they do. */
async function fillDerivedAfter(db: Db, migrations: readonly Migration[]): Promise<void> {
  if (migrations.some((m) => m.version === 3)) await fillDerivedColumns(db);
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  const done: string[] = [];
  if (db.engine === 'postgres') {
    await db.kysely.connection().execute(async (conn) => {
      await sql`SELECT pg_advisory_lock(7346290001)`.execute(conn);
      try {
        await CREATE_TABLE.execute(conn);
        const have = await applied(conn);
        for (const m of migrations.filter((x) => !have.has(x.version))) {
          await conn.transaction().execute((trx) => applyOne(trx, m, Date.now()));
          done.push(m.name);
        }
      } finally {
        await sql`SELECT pg_advisory_unlock(7346290001)`.execute(conn);
      }
    });
    await fillDerivedAfter(db, migrations);
    return done;
  }
  await CREATE_TABLE.execute(db.kysely);
  for (const m of migrations) {
    const ran = await db.transaction(async (trx) => {
      if ((await applied(trx)).has(m.version)) return false;
      await applyOne(trx, m, Date.now());
      return true;
    });
    if (ran) done.push(m.name);
  }
  await fillDerivedAfter(db, migrations);
  return done;
}
