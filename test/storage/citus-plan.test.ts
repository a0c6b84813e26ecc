// migrations/citus/: the statements a Citus deployment runs after the numbered migrations. Citus cannot be
// installed here, so the file is held to the plan (storage/tenancy.ts: every tenant table distributed by
// company_id exactly once, co-located, after the tables its foreign keys name; the platform's tables as
// reference tables), run on plain PostgreSQL (where it must change nothing), and run against stand-ins for
// Citus's two functions that refuse what Citus refuses (a foreign key to a table not yet distributed, a
// co-location with a table not yet distributed, a table distributed twice).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.js';
import { openTestStore, type TestStore } from '../support/engines.js';
import { REFERENCE_TABLES, TENANT_COLUMN, TENANT_TABLES } from '../../src/storage/tenancy.js';

const file = fileURLToPath(new URL('../../migrations/citus/001_distribute.sql', import.meta.url));
const text = fs.readFileSync(file, 'utf8');
const code = text.replace(/--.*$/gm, '');

describe('migrations/citus/001_distribute.sql', () => {
  it('distributes every tenant table by company_id exactly once, co-located, in the plan’s order', () => {
    const calls = [...code.matchAll(/create_distributed_table\('(\w+)', '(\w+)', colocate_with => '(\w+)'\)/g)].map((m) => ({ table: m[1], column: m[2], colocate: m[3] }));
    expect(calls.map((c) => c.table)).toEqual([...TENANT_TABLES]);
    expect(new Set(calls.map((c) => c.column))).toEqual(new Set([TENANT_COLUMN]));
    expect(calls.map((c) => c.colocate)).toEqual(['none', ...TENANT_TABLES.slice(1).map(() => TENANT_TABLES[0])]);
    // Nothing else is distributed, and each call is guarded by its own table's name.
    expect(code.match(/create_distributed_table\(/g)).toHaveLength(TENANT_TABLES.length);
    for (const t of TENANT_TABLES) expect(code).toContain(`WHERE NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = '${t}'::regclass)`);
  });

  it('makes the platform’s tables reference tables, before any tenant table', () => {
    const refs = [...code.matchAll(/create_reference_table\('(\w+)'\)/g)].map((m) => m[1]);
    expect(refs).toEqual([...REFERENCE_TABLES]);
    expect(code.lastIndexOf('create_reference_table(')).toBeLessThan(code.indexOf('create_distributed_table('));
  });
});

/** The file with its extension check answered yes (the one line that asks it). */
function asIfCitus(): string {
  const guard = "IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN";
  expect(text.split(guard)).toHaveLength(2);
  return text.replace(guard, 'IF false THEN');
}

/** Stand-ins for Citus's functions in the test's own schema (pg_dist_partition resolves to it: pg_catalog has none here). */
async function installStandIns(q: Kysely<Database>): Promise<void> {
  await sql`CREATE TABLE pg_dist_partition (logicalrelid regclass PRIMARY KEY, partmethod "char" NOT NULL, colocated_with regclass)`.execute(q);
  await sql.raw(`CREATE FUNCTION create_reference_table(t regclass) RETURNS void LANGUAGE plpgsql AS $f$
    BEGIN
      IF EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t) THEN RAISE EXCEPTION 'table % is already distributed', t; END IF;
      IF EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = t AND c.contype = 'f' AND NOT EXISTS (
          SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c.confrelid AND p.partmethod = 'n'))
        THEN RAISE EXCEPTION 'reference table % has a foreign key to a table that is not a reference table', t; END IF;
      INSERT INTO pg_dist_partition VALUES (t, 'n', NULL);
    END $f$`).execute(q);
  await sql.raw(`CREATE FUNCTION create_distributed_table(t regclass, col text, colocate_with text) RETURNS void LANGUAGE plpgsql AS $f$
    DECLARE missing text;
    BEGIN
      IF EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t) THEN RAISE EXCEPTION 'table % is already distributed', t; END IF;
      IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = t AND attname = col AND NOT attisdropped) THEN RAISE EXCEPTION 'column % of % does not exist', col, t; END IF;
      IF colocate_with <> 'none' AND NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = colocate_with::regclass AND partmethod = 'h')
        THEN RAISE EXCEPTION 'cannot colocate % with %, which is not distributed', t, colocate_with; END IF;
      -- A foreign key must reach a reference table or a co-located distributed one, through the distribution column.
      SELECT c.confrelid::regclass::text INTO missing FROM pg_constraint c
        WHERE c.conrelid = t AND c.contype = 'f' AND c.confrelid <> t
          AND (NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c.confrelid)
            OR NOT (SELECT attnum FROM pg_attribute WHERE attrelid = t AND attname = col) = ANY (c.conkey))
        LIMIT 1;
      IF missing IS NOT NULL THEN RAISE EXCEPTION 'cannot create foreign key from % to %: not distributed first, or not through %', t, missing, col; END IF;
      INSERT INTO pg_dist_partition VALUES (t, 'h', CASE WHEN colocate_with = 'none' THEN NULL ELSE colocate_with::regclass END);
    END $f$`).execute(q);
}

describe.runIf(process.env.TEST_DATABASE_URL)('migrations/citus on PostgreSQL', () => {
  let ts: TestStore | undefined;
  afterEach(async () => {
    await ts?.close();
    ts = undefined;
  });

  const catalog = async (t: TestStore) =>
    (
      await sql<{ relname: string; relkind: string }>`SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() ORDER BY c.relname`.execute(t.db.kysely)
    ).rows;

  it('is a no-op where the citus extension is not installed, however often it runs', async () => {
    ts = await openTestStore('postgres');
    const before = await catalog(ts);
    await sql.raw(text).execute(ts.db.kysely);
    await sql.raw(text).execute(ts.db.kysely);
    expect(await catalog(ts)).toEqual(before);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'citus'`.execute(ts.db.kysely)).rows[0]!.n).toBe(0);
  });

  it('distributes in an order Citus accepts, and a second run changes nothing', async () => {
    ts = await openTestStore('postgres');
    const q = ts.db.kysely;
    await installStandIns(q);
    await sql.raw(asIfCitus()).execute(q);
    const distributed = async () =>
      (await sql<{ t: string; m: string }>`SELECT logicalrelid::text AS t, partmethod::text AS m FROM pg_dist_partition ORDER BY 1`.execute(q)).rows;
    const after = await distributed();
    expect(after).toEqual(
      [...TENANT_TABLES.map((t) => ({ t, m: 'h' })), ...REFERENCE_TABLES.map((t) => ({ t, m: 'n' }))].sort((a, b) => a.t.localeCompare(b.t)),
    );
    await sql.raw(asIfCitus()).execute(q);
    expect(await distributed()).toEqual(after);
  });

  it('is refused, as Citus would, when a table comes before the table its foreign key names', async () => {
    ts = await openTestStore('postgres');
    const q = ts.db.kysely;
    await installStandIns(q);
    const lines = asIfCitus().split('\n');
    const packages = lines.findIndex((l) => l.includes("create_distributed_table('packages'"));
    const items = lines.findIndex((l) => l.includes("create_distributed_table('package_items'"));
    [lines[packages], lines[items]] = [lines[items]!, lines[packages]!];
    await expect(sql.raw(lines.join('\n')).execute(q)).rejects.toThrow(/cannot create foreign key from package_items to packages/);
  });
});
