// Every key and index of a tenant table leads with company_id, read from the database's own catalog after all
// migrations: what Citus needs to distribute the tables by company (a unique key or foreign key without the
// distribution column cannot be enforced across shards) and what keeps one company's rows together in every
// index. A table the plan (storage/tenancy.ts) does not name fails too, so a new table is classified when made.
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import type { Db } from '../../src/storage/database.js';
import { REFERENCE_TABLES, TENANT_COLUMN, TENANT_TABLES } from '../../src/storage/tenancy.js';

/** One key or index as the catalog has it: its columns in order (an expression is null). */
interface CatalogKey {
  readonly table: string;
  readonly kind: 'primary key' | 'unique key' | 'foreign key' | 'unique index' | 'index';
  readonly name: string;
  readonly columns: readonly (string | null)[];
  /** A foreign key's table and columns. */
  readonly references?: { readonly table: string; readonly columns: readonly string[] };
}

interface Catalog {
  /** Every table, with whether it has a company_id column. */
  readonly tables: readonly { readonly name: string; readonly tenant: boolean }[];
  readonly keys: readonly CatalogKey[];
}

async function postgresCatalog(db: Db): Promise<Catalog> {
  const tables = await sql<{ name: string; tenant: boolean }>`
    SELECT t.relname AS name,
           EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = ${TENANT_COLUMN} AND NOT a.attisdropped) AS tenant
    FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p')
    ORDER BY t.relname`.execute(db.kysely);
  const constraints = await sql<{ table: string; name: string; type: string; columns: string[]; ref_table: string | null; ref_columns: string[] }>`
    SELECT t.relname AS table, c.conname AS name, c.contype AS type,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos) AS columns,
           r.relname AS ref_table,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos) AS ref_columns
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class r ON r.oid = c.confrelid
    WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')
    ORDER BY t.relname, c.conname`.execute(db.kysely);
  // Indexes that back a primary or unique constraint are checked as the constraint; the others as indexes.
  const indexes = await sql<{ table: string; name: string; unique: boolean; columns: (string | null)[] }>`
    SELECT t.relname AS table, ic.relname AS name, i.indisunique AS unique,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                 WHERE k.pos <= i.indnkeyatts ORDER BY k.pos) AS columns
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))
    ORDER BY t.relname, ic.relname`.execute(db.kysely);
  const kinds: Record<string, CatalogKey['kind']> = { p: 'primary key', u: 'unique key', f: 'foreign key' };
  return {
    tables: tables.rows,
    keys: [
      ...constraints.rows.map((c): CatalogKey => ({
        table: c.table,
        kind: kinds[c.type]!,
        name: c.name,
        columns: c.columns,
        ...(c.type === 'f' ? { references: { table: c.ref_table!, columns: c.ref_columns } } : {}),
      })),
      ...indexes.rows.map((i): CatalogKey => ({ table: i.table, kind: i.unique ? 'unique index' : 'index', name: i.name, columns: i.columns })),
    ],
  };
}

async function sqliteCatalog(db: Db): Promise<Catalog> {
  const names = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(db.kysely);
  const tables: { name: string; tenant: boolean }[] = [];
  const keys: CatalogKey[] = [];
  for (const { name: table } of names.rows) {
    const columns = await sql<{ name: string; pk: number }>`SELECT name, pk FROM pragma_table_info(${table})`.execute(db.kysely);
    tables.push({ name: table, tenant: columns.rows.some((c) => c.name === TENANT_COLUMN) });
    const pk = columns.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    if (pk.length > 0) keys.push({ table, kind: 'primary key', name: `${table}_pkey`, columns: pk.map((c) => c.name) });
    const indexes = await sql<{ name: string; unique: number; origin: string }>`SELECT name, "unique", origin FROM pragma_index_list(${table})`.execute(db.kysely);
    for (const index of indexes.rows.filter((i) => i.origin !== 'pk')) {
      const info = await sql<{ name: string | null }>`SELECT name FROM pragma_index_info(${index.name}) ORDER BY seqno`.execute(db.kysely);
      const kind = index.origin === 'u' ? 'unique key' : index.unique ? 'unique index' : 'index';
      keys.push({ table, kind, name: index.name, columns: info.rows.map((c) => c.name) });
    }
    const fks = await sql<{ id: number; seq: number; table: string; from: string; to: string | null }>`
      SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(${table}) ORDER BY id, seq`.execute(db.kysely);
    for (const id of new Set(fks.rows.map((f) => f.id))) {
      const parts = fks.rows.filter((f) => f.id === id);
      keys.push({
        table,
        kind: 'foreign key',
        name: `${table}_fk${id}`,
        columns: parts.map((p) => p.from),
        // A foreign key naming no columns points at the referenced table's primary key.
        references: { table: parts[0]!.table, columns: parts.map((p) => p.to ?? TENANT_COLUMN) },
      });
    }
  }
  return { tables, keys };
}

/** What keeps the schema from being distributed by company, one line each, naming the table and the key. */
function distributionProblems(catalog: Catalog): string[] {
  const problems: string[] = [];
  const tenant = new Set<string>(TENANT_TABLES);
  const reference = new Set<string>(REFERENCE_TABLES);
  for (const t of catalog.tables) {
    if (!tenant.has(t.name) && !reference.has(t.name)) problems.push(`${t.name}: a table storage/tenancy.ts does not name (tenant or reference?)`);
    if (tenant.has(t.name) && !t.tenant) problems.push(`${t.name}: a tenant table without ${TENANT_COLUMN}`);
    if (reference.has(t.name) && t.tenant && t.name !== 'companies') problems.push(`${t.name}: a reference table with ${TENANT_COLUMN} (a tenant table?)`);
  }
  const leads = (columns: readonly (string | null)[]) => columns[0] === TENANT_COLUMN;
  for (const key of catalog.keys) {
    const what = `${key.table}: ${key.kind} ${key.name} (${key.columns.map((c) => c ?? '<expression>').join(', ')})`;
    if (tenant.has(key.table) && !leads(key.columns)) problems.push(`${what} does not lead with ${TENANT_COLUMN}`);
    if (key.kind !== 'foreign key' || !key.references) continue;
    const target = key.references;
    if (tenant.has(key.table)) {
      if (!leads(target.columns)) problems.push(`${what} references ${target.table} (${target.columns.join(', ')}), which does not lead with ${TENANT_COLUMN}`);
      // Co-located rows: the local company_id must be matched with the referenced company_id.
      const at = key.columns.indexOf(TENANT_COLUMN);
      if (at >= 0 && target.columns[at] !== TENANT_COLUMN) problems.push(`${what} matches ${TENANT_COLUMN} with ${target.table}.${target.columns[at]}`);
      if (!tenant.has(target.table) && target.table !== 'companies') problems.push(`${what} references ${target.table}, neither a tenant table nor companies`);
    } else if (tenant.has(target.table)) {
      problems.push(`${what} references the tenant table ${target.table} from a reference table (Citus cannot)`);
    }
  }
  return problems;
}

describe.each(ENGINES)('tenant keys on %s', (engine) => {
  let opened: TestStore | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  const catalogOf = (db: Db) => (engine === 'postgres' ? postgresCatalog(db) : sqliteCatalog(db));

  it('has every primary key, unique key, foreign key and index of a tenant table lead with company_id', async () => {
    opened = await openTestStore(engine);
    const catalog = await catalogOf(opened.db);
    expect(distributionProblems(catalog)).toEqual([]);
    // The catalog was really read: every table of the plan, each with its keys.
    expect(catalog.tables.map((t) => t.name).sort()).toEqual([...TENANT_TABLES, ...REFERENCE_TABLES].sort());
    for (const table of TENANT_TABLES) expect(catalog.keys.some((k) => k.table === table && k.kind === 'primary key'), table).toBe(true);
    expect(catalog.keys.filter((k) => k.kind === 'foreign key').length).toBeGreaterThanOrEqual(12);
    expect(catalog.keys.filter((k) => k.kind === 'index').length).toBeGreaterThanOrEqual(10);
  });

  it('names the table and the index or key that does not lead with company_id', async () => {
    opened = await openTestStore(engine);
    await sql`CREATE INDEX packages_by_customer_only ON packages (customer_id)`.execute(opened.db.kysely);
    await sql`CREATE UNIQUE INDEX redemptions_by_appointment ON redemptions (appointment_id, company_id)`.execute(opened.db.kysely);
    await sql`CREATE TABLE loose (company_id TEXT NOT NULL, note_id TEXT NOT NULL, package_id TEXT NOT NULL, PRIMARY KEY (note_id))`.execute(opened.db.kysely);
    const problems = distributionProblems(await catalogOf(opened.db));
    expect(problems).toContainEqual('packages: index packages_by_customer_only (customer_id) does not lead with company_id');
    expect(problems).toContainEqual('redemptions: unique index redemptions_by_appointment (appointment_id, company_id) does not lead with company_id');
    expect(problems).toContainEqual('loose: a table storage/tenancy.ts does not name (tenant or reference?)');
  });

  it('names a foreign key whose either side does not lead with company_id', () => {
    const catalog: Catalog = {
      tables: [
        { name: 'packages', tenant: true },
        { name: 'package_items', tenant: true },
      ],
      keys: [
        { table: 'package_items', kind: 'foreign key', name: 'by_package', columns: ['package_id', 'company_id'], references: { table: 'packages', columns: ['package_id', 'company_id'] } },
        { table: 'packages', kind: 'foreign key', name: 'to_customer', columns: ['company_id', 'customer_id'], references: { table: 'customers', columns: ['customer_id', 'company_id'] } },
      ],
    };
    expect(distributionProblems(catalog)).toEqual([
      'package_items: foreign key by_package (package_id, company_id) does not lead with company_id',
      'package_items: foreign key by_package (package_id, company_id) references packages (package_id, company_id), which does not lead with company_id',
      'packages: foreign key to_customer (company_id, customer_id) references customers (customer_id, company_id), which does not lead with company_id',
      'packages: foreign key to_customer (company_id, customer_id) matches company_id with customers.customer_id',
    ]);
  });
});
