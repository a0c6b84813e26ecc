import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, ENGINES, type TestDatabase } from '../support/engines.js';
import { loadMigrations, migrate, splitStatements } from '../../src/storage/migrate.js';
import type { Db } from '../../src/storage/database.js';

const source = (file: string) => fileURLToPath(new URL(`../../src/${file}`, import.meta.url));

/** Starts n processes that each open the database and migrate it at the same instant; returns what each applied. */
async function raceMigrations(database: TestDatabase, n: number): Promise<string[][]> {
  const startAt = Date.now() + 2000; // after every process has loaded its modules
  const script = `
    const { openDatabase } = await import(${JSON.stringify(source('storage/database.ts'))});
    const { migrate } = await import(${JSON.stringify(source('storage/migrate.ts'))});
    const db = await openDatabase(${JSON.stringify({ databaseUrl: database.databaseUrl, dataDir: database.dataDir })});
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ${startAt} - Date.now())));
    try { console.log(JSON.stringify(await migrate(db))); } finally { await db.close(); }
  `;
  const run = promisify(execFile);
  const outputs = await Promise.all(
    Array.from({ length: n }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 })),
  );
  return outputs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as string[]);
}

describe.each(ENGINES)('migrations on %s', (engine) => {
  let database: TestDatabase | undefined;
  const open: Db[] = [];

  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    await database?.drop();
    database = undefined;
  });

  async function connect(): Promise<Db> {
    const db = await database!.open();
    open.push(db);
    return db;
  }

  const recorded = async (db: Db) =>
    (await db.kysely.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute()).map((r) => ({
      version: Number(r.version),
      name: r.name,
    }));

  it('applies every migration on an empty database and nothing the second time', async () => {
    database = await createTestDatabase(engine);
    const db = await connect();
    const all = loadMigrations();
    expect(all.length).toBeGreaterThan(0);

    expect(await migrate(db)).toEqual(all.map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    expect(await recorded(db)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
    // The schema is usable: the first migration's tables exist.
    expect(await db.kysely.selectFrom('companies').selectAll().execute()).toEqual([]);
  });

  it('lets two processes racing to migrate the same database both succeed, applying each migration once', async () => {
    database = await createTestDatabase(engine);
    const all = loadMigrations();

    const [doneA, doneB] = await raceMigrations(database, 2);

    expect([...doneA!, ...doneB!].sort()).toEqual(all.map((m) => m.name).sort());
    const db = await connect();
    expect(await recorded(db)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
    expect(await migrate(db)).toEqual([]);
  });

  it('lets four processes race, still applying each migration once', async () => {
    database = await createTestDatabase(engine);
    const all = loadMigrations();

    const results = await raceMigrations(database, 4);

    expect(results.flat().sort()).toEqual(all.map((m) => m.name).sort());
    expect((await recorded(await connect())).length).toBe(all.length);
  });

  // better-sqlite3 waits for a lock synchronously, so two SQLite connections in one process would block each
  // other's event loop; PostgreSQL's driver is asynchronous and can race within one process too.
  it.runIf(engine === 'postgres')('lets two pools of one process race, applying each migration once', async () => {
    database = await createTestDatabase(engine);
    const [a, b] = [await connect(), await connect()];
    const all = loadMigrations();

    const [doneA, doneB] = await Promise.all([migrate(a), migrate(b)]);

    expect([...doneA, ...doneB].sort()).toEqual(all.map((m) => m.name).sort());
    expect(await recorded(a)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
  });

  it('applies only the migrations it has not seen', async () => {
    database = await createTestDatabase(engine);
    const db = await connect();
    const all = loadMigrations();
    expect(await migrate(db, all.slice(0, 1))).toEqual([all[0]!.name]);
    expect(await migrate(db, all)).toEqual(all.slice(1).map((m) => m.name));
  });
});

describe('splitStatements', () => {
  it('splits on the semicolons that end statements', () => {
    expect(splitStatements('CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n')).toEqual(['CREATE TABLE a (x INT)', 'CREATE TABLE b (y INT)']);
  });

  it('keeps a statement that spans lines whole', () => {
    const text = 'CREATE TABLE a (\n  x INT,\n  y TEXT\n);\nCREATE INDEX a_x ON a (x);';
    expect(splitStatements(text)).toEqual(['CREATE TABLE a (\n  x INT,\n  y TEXT\n)', 'CREATE INDEX a_x ON a (x)']);
  });

  it('ignores comments, whole lines and line ends, even when they hold semicolons', () => {
    const text = [
      '-- Header comment; with a semicolon',
      '-- and another line;',
      'CREATE TABLE a ( -- trailing comment; here',
      '  x INT -- the x;',
      ');',
      '',
      '-- only a comment between statements;',
      'CREATE TABLE b (y INT); -- after the end',
      '-- footer',
    ].join('\n');
    const statements = splitStatements(text);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^CREATE TABLE a \(\s+x INT\s+\)$/);
    expect(statements[1]).toBe('CREATE TABLE b (y INT)');
    expect(statements.join('\n')).not.toContain('--');
  });

  it('gives nothing for a file of comments and blank lines', () => {
    expect(splitStatements('-- nothing here;\n\n   \n-- still nothing\n')).toEqual([]);
  });

  it('reads every shipped migration into statements without comments', () => {
    for (const m of loadMigrations()) {
      expect(m.statements.length, m.name).toBeGreaterThan(0);
      for (const s of m.statements) {
        expect(s, m.name).not.toMatch(/--/);
        expect(s.endsWith(';'), m.name).toBe(false);
      }
    }
  });
});
