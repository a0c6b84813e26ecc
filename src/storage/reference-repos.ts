// Companies, keys and the five reference tables. Upserts keep the first creation time.
import type { ApiKeyRepo, CatalogEntryRepo, CatalogFilter, CompanyRepo, CustomerFilter, ReferenceRepo } from '../application/ports.js';
import type { PageRequest } from '../application/paging.js';
import { alreadyExists } from '../domain/errors.js';
import { sql } from 'kysely';
import { rowByKey } from './row-shapes.js';
import type { Db, Queryable } from './database.js';
import { CHANGE_NOTICE_PAYLOAD, CHANGED_CHANNEL, isUniqueViolation } from './database.js';
import * as m from './reference-mappers.js';
import type { Database } from './schema.js';

/**
 * Tells every process that keys or reference data changed, so their caches drop what they hold: PostgreSQL by
 * NOTIFY (sent when the change commits), SQLite by the commit itself (data_version); this process directly.
 */
async function announceChange(q: Queryable, db: Db): Promise<void> {
  db.noteChange();
  if (db.engine === 'postgres') await sql`SELECT pg_notify(${CHANGED_CHANNEL}, ${sql.raw(CHANGE_NOTICE_PAYLOAD)})`.execute(q);
}

export function companyRepo(q: Queryable): CompanyRepo {
  return {
    async insert(company) {
      try {
        await q.insertInto('companies').values(m.companyToRow(company)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists('company', company.id);
        throw error;
      }
    },
    async get(id) {
      const row = await q.selectFrom('companies').selectAll().where('company_id', '=', id).executeTakeFirst();
      return row && m.companyRowToCompany(row);
    },
    async count() {
      const row = await q.selectFrom('companies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async listIds(after, limit) {
      let query = q.selectFrom('companies').select('company_id');
      if (after !== null) query = query.where('company_id', '>', after);
      return (await query.orderBy('company_id').limit(limit).execute()).map((r) => r.company_id);
    },
  };
}

export function apiKeyRepo(q: Queryable, db: Db): ApiKeyRepo {
  return {
    async insert(key) {
      await q.insertInto('api_keys').values(m.apiKeyToRow(key)).execute();
    },
    async findByHash(companyId, hash) {
      const row = await q
        .selectFrom('api_keys')
        .selectAll()
        .where('company_id', '=', companyId)
        .where('key_hash', '=', hash)
        .executeTakeFirst();
      return row && m.apiKeyRowToKey(row);
    },
    async list(companyId, page) {
      let query = q.selectFrom('api_keys').selectAll().where('company_id', '=', companyId);
      if (page.after) query = query.where('key_id', '>', page.after);
      const rows = await query.orderBy('key_id').limit(page.size + 1).offset(page.offset).execute();
      return rows.map(m.apiKeyRowToKey);
    },
    async getMany(companyId, ids) {
      if (ids.length === 0) return [];
      const rows = await q.selectFrom('api_keys').selectAll().where('company_id', '=', companyId).where('key_id', 'in', [...ids]).execute();
      return rows.map(m.apiKeyRowToKey);
    },
    async revoke(companyId, id, at) {
      const existing = await q
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('company_id', '=', companyId)
        .where('key_id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(existing.numUpdatedRows) === 1) {
        await announceChange(q, db);
        return true;
      }
      const row = await q
        .selectFrom('api_keys')
        .select('key_id')
        .where('company_id', '=', companyId)
        .where('key_id', '=', id)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

type RefTable = 'businesses' | 'customers' | 'staff' | 'services' | 'products';

interface RefSpec<T, R> {
  readonly table: RefTable;
  readonly idColumn: string;
  readonly toRow: (entity: T) => R;
  readonly fromRow: (row: R) => T;
  /** Columns an upsert of an existing row leaves as stored. */
  readonly keptOnUpdate?: readonly string[];
}

// One implementation for the five tables; Kysely cannot type a table chosen at run time, so this file is the
// one place that widens the types.
function referenceRepo<T, R extends { created_at: number }, F = undefined>(
  q: Queryable,
  db: Db,
  spec: RefSpec<T, R>,
  applyFilter?: (query: any, filter: F | undefined) => any,
): ReferenceRepo<T, F> {
  const untyped = q as unknown as import('kysely').Kysely<any>;
  const { table, idColumn } = spec;
  return {
    async upsert(entity) {
      const row = spec.toRow(entity) as Record<string, unknown>;
      const { company_id: _c, created_at: _t, [idColumn]: _i, ...changes } = row;
      for (const column of spec.keptOnUpdate ?? []) delete changes[column];
      const stored = await untyped
        .insertInto(table)
        .values(row)
        .onConflict((oc: any) => oc.columns(['company_id', idColumn]).doUpdateSet(changes))
        .returningAll()
        .executeTakeFirstOrThrow();
      await announceChange(q, db);
      return spec.fromRow(stored as R);
    },
    async get(companyId, id) {
      const row = await rowByKey(q, db, table, { company_id: companyId, [idColumn]: id } as never);
      return row ? spec.fromRow(row as unknown as R) : undefined;
    },
    async getMany(companyId, ids) {
      if (ids.length === 0) return [];
      const rows = await untyped.selectFrom(table).selectAll().where('company_id', '=', companyId).where(idColumn, 'in', [...ids]).execute();
      return rows.map((r: unknown) => spec.fromRow(r as R));
    },
    async list(companyId: string, page: PageRequest, filter?: F) {
      let query = untyped.selectFrom(table).selectAll().where('company_id', '=', companyId);
      if (applyFilter) query = applyFilter(query, filter);
      if (page.after) query = query.where(idColumn, '>', page.after);
      const rows = await query.orderBy(idColumn).limit(page.size + 1).offset(page.offset).execute();
      return rows.map((r: unknown) => spec.fromRow(r as R));
    },
  };
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const businessRepo = (q: Queryable, db: Db) =>
  referenceRepo(q, db, { table: 'businesses', idColumn: 'business_id', toRow: m.businessToRow, fromRow: m.businessRowToBusiness });

export const customerRepo = (q: Queryable, db: Db) =>
  referenceRepo<ReturnType<typeof m.customerRowToCustomer>, Database['customers'], CustomerFilter>(
    q,
    db,
    { table: 'customers', idColumn: 'customer_id', toRow: m.customerToRow, fromRow: m.customerRowToCustomer },
    (query, filter) =>
      // ESCAPE names the backslash on both engines (SQLite's LIKE has no escape character otherwise).
      filter?.query ? query.where(sql<boolean>`search_text like ${`%${escapeLike(filter.query)}%`} escape '\\'`) : query,
  );

export const staffRepo = (q: Queryable, db: Db) =>
  referenceRepo(q, db, { table: 'staff', idColumn: 'staff_id', toRow: m.staffToRow, fromRow: m.staffRowToStaff });

/** Services and products: the archive time is changed by setArchived alone, never by an upsert. */
function catalogEntryRepo<T, R extends { created_at: number; updated_at: number; archived_at: number | null }>(
  q: Queryable,
  db: Db,
  spec: RefSpec<T, R> & { readonly table: 'services' | 'products' },
): CatalogEntryRepo<T> {
  const base = referenceRepo<T, R, CatalogFilter>(q, db, { ...spec, keptOnUpdate: ['archived_at'] }, (query, filter) =>
    filter?.includeArchived ? query : query.where('archived_at', 'is', null),
  );
  const untyped = q as unknown as import('kysely').Kysely<any>;
  return {
    ...base,
    async setArchived(companyId, id, archived, at) {
      const changed = await untyped
        .updateTable(spec.table)
        .set({ archived_at: archived ? at : null, updated_at: at })
        .where('company_id', '=', companyId)
        .where(spec.idColumn, '=', id)
        .where('archived_at', archived ? 'is' : 'is not', null)
        .returningAll()
        .executeTakeFirst();
      if (!changed) return base.get(companyId, id);
      await announceChange(q, db);
      return spec.fromRow(changed as R);
    },
  };
}

export const serviceRepo = (q: Queryable, db: Db) =>
  catalogEntryRepo(q, db, { table: 'services', idColumn: 'service_id', toRow: m.serviceToRow, fromRow: m.serviceRowToService });

export const productRepo = (q: Queryable, db: Db) =>
  catalogEntryRepo(q, db, { table: 'products', idColumn: 'product_id', toRow: m.productToRow, fromRow: m.productRowToProduct });
