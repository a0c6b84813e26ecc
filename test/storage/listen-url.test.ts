// PUNCHCARD_LISTEN_URL: behind PgBouncer the pool goes through the pooler while the LISTEN connection (which
// also reads the snapshot) goes straight to PostgreSQL, since LISTEN belongs to a session (docs/scaling.md).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { openDatabase } from '../../src/storage/database.js';

const withName = (url: string, name: string) => {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
};

describe.runIf(ENGINES.includes('postgres'))('the LISTEN connection on a URL of its own', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(() => t?.drop());

  const backends = async (name: string) => {
    const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    try {
      return (await c.query<{ query: string }>('SELECT query FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((r) => r.query);
    } finally {
      await c.end();
    }
  };

  it('listens through PUNCHCARD_LISTEN_URL, and only the pool uses DATABASE_URL', async () => {
    const db = await openDatabase({ databaseUrl: withName(t.databaseUrl!, 'pc_pool'), dataDir: t.dataDir, listenUrl: withName(t.databaseUrl!, 'pc_listen') });
    try {
      await db.ping();
      for (let i = 0; i < 50 && db.changeGeneration() === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(db.changeGeneration()).not.toBeNull();
      expect(await db.writeGeneration()).toMatch(/^\d+:\d+:/);
      const listening = await backends('pc_listen');
      expect(listening).toHaveLength(1);
      expect((await backends('pc_pool')).some((q) => /LISTEN/i.test(q))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('caches nothing while the LISTEN URL does not answer, and still serves queries', async () => {
    const db = await openDatabase({ databaseUrl: t.databaseUrl!, dataDir: t.dataDir, listenUrl: 'postgres://postgres@127.0.0.1:1/nowhere' });
    try {
      await db.ping();
      await new Promise((r) => setTimeout(r, 300));
      expect(db.changeGeneration()).toBeNull();
      expect(await db.writeGeneration()).toBeNull();
    } finally {
      await db.close();
    }
  });
});
