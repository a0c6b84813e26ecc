// heardChanges: the change generation counting every change committed before the call, in any process, so a
// key revoked through one process is never taken from another's cache afterwards. On PostgreSQL the notice of a
// commit may not have reached the other process yet when its next request comes (changeGeneration can lag);
// heardChanges waits for a round trip on the LISTEN connection, before whose answer the server sends it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { CHANGE_NOTICE_PAYLOAD, CHANGED_CHANNEL, type Db } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';

describe.each(ENGINES)('heardChanges on %s', (engine) => {
  let t: TestDatabase;
  let a: Db;
  let b: Db;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await t.open();
    await migrate(a);
    await sql`INSERT INTO companies (company_id, name, created_at, updated_at) VALUES ('cmp_heard', 'Heard', 0, 0)`.execute(a.kysely);
    b = await t.open();
    // The LISTEN connection is up once the generation is known.
    for (let i = 0; i < 100 && (b.changeGeneration() === null || a.changeGeneration() === null); i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await t?.drop();
  });

  /** A change of the kind a revocation is: committed with its notice (PostgreSQL) or its data_version (SQLite). */
  let n = 0;
  const change = () =>
    a.transaction(async (q) => {
      await sql`UPDATE companies SET updated_at = ${++n} WHERE company_id = 'cmp_heard'`.execute(q);
      if (engine === 'postgres') await sql`SELECT pg_notify(${CHANGED_CHANNEL}, ${sql.raw(CHANGE_NOTICE_PAYLOAD)})`.execute(q);
    });

  it('counts, on the very next call in another process, every change committed before it', async () => {
    for (let round = 0; round < 50; round++) {
      const before = await b.heardChanges();
      expect(before).not.toBeNull();
      await change();
      // SQLite's data_version reading serves 100 µs; a client's next request comes later than that.
      if (engine === 'sqlite') await new Promise((r) => setTimeout(r, 1));
      expect(await b.heardChanges(), `round ${round}`).not.toBe(before);
    }
  });

  it.runIf(engine === 'postgres')('counts a notice naming its own schema or none, and not one naming another schema', async () => {
    // Channels are the database's: without this, every test's (or deployment's) changes would empty the caches of all.
    const notify = (payload: string) => a.transaction(async (q) => void (await sql`SELECT pg_notify(${CHANGED_CHANNEL}, ${payload})`.execute(q)));
    const own = (await sql<{ schema: string }>`SELECT ${sql.raw(CHANGE_NOTICE_PAYLOAD)} AS schema`.execute(a.kysely)).rows[0]!.schema;
    expect(own).toMatch(/^t_/);
    const before = await b.heardChanges();
    await notify('t_another_schema');
    expect(await b.heardChanges()).toBe(before);
    await notify(own);
    const afterOwn = await b.heardChanges();
    expect(afterOwn).not.toBe(before);
    await notify('');
    expect(await b.heardChanges()).not.toBe(afterOwn);
  });
});
