// A PostgreSQL schema of the bench's own, dropped after: a million rows never land in someone's database, and
// no earlier run's rows (pending webhook messages, filler packages) get in the way of this one.
import crypto from 'node:crypto';
import pg from 'pg';

async function run(baseUrl, statement) {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** Creates the schema; answers a URL whose connections use it, and how to drop it. */
export async function benchSchema(baseUrl, prefix = 'bench') {
  const schema = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  await run(baseUrl, `CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => run(baseUrl, `DROP SCHEMA ${schema} CASCADE`) };
}
