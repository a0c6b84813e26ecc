// Migration 009 lets services and products be archived: rows from before it are in the catalog, an upsert never
// changes the archive state, and setArchived changes it once, in a guarded update.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES } from '../support/engines.js';
import { migrationTest } from '../support/migration-test.js';
import { productRepo, serviceRepo } from '../../src/storage/reference-repos.js';

const page = { size: 50, after: null, offset: 0 };

describe.each(ENGINES)('catalog archive migration on %s', (engine) => {
  const beforeMigration = migrationTest(engine);

  it('keeps services and products from before it in the catalog, and archives and restores them after it', async () => {
    const { db, migrateRest } = await beforeMigration('009_catalog_archive');
    await sql`INSERT INTO companies (company_id, name, created_at, updated_at) VALUES ('cmp_old', 'Old', 1, 1)`.execute(db.kysely);
    await sql`INSERT INTO services (company_id, service_id, name, duration_minutes, price_currency, price_minor, business_ids, created_at, updated_at)
              VALUES ('cmp_old', 'srv_old', 'Bath', 30, 'USD', 3000, '[]', 1, 1)`.execute(db.kysely);
    await sql`INSERT INTO products (company_id, product_id, name, price_currency, price_minor, business_ids, created_at, updated_at)
              VALUES ('cmp_old', 'prd_old', 'Shampoo', 'USD', 1200, '[]', 1, 1)`.execute(db.kysely);

    expect(await migrateRest()).toContain('009_catalog_archive');

    const services = serviceRepo(db.kysely, db);
    const products = productRepo(db.kysely, db);
    expect(await services.get('cmp_old', 'srv_old')).toMatchObject({ name: 'Bath', archiveTime: null, updateTime: 1 });
    expect(await products.get('cmp_old', 'prd_old')).toMatchObject({ name: 'Shampoo', archiveTime: null });

    // Archived once: the second call changes nothing and answers the row as stored.
    expect(await services.setArchived('cmp_old', 'srv_old', true, 100)).toMatchObject({ archiveTime: 100, updateTime: 100 });
    expect(await services.setArchived('cmp_old', 'srv_old', true, 200)).toMatchObject({ archiveTime: 100, updateTime: 100 });
    expect(await services.setArchived('cmp_old', 'srv_missing', true, 200)).toBeUndefined();
    expect(await services.list('cmp_old', page)).toEqual([]);
    expect((await services.list('cmp_old', page, { includeArchived: true })).map((s) => s.id)).toEqual(['srv_old']);
    expect(await services.getMany('cmp_old', ['srv_old'])).toHaveLength(1);

    // An upsert of the archived row, even one saying it is not archived, leaves the archive state as stored.
    const before = (await services.get('cmp_old', 'srv_old'))!;
    expect(await services.upsert({ ...before, name: 'Bath and brush', archiveTime: null, updateTime: 300 })).toMatchObject({ name: 'Bath and brush', archiveTime: 100, updateTime: 300 });

    expect(await services.setArchived('cmp_old', 'srv_old', false, 400)).toMatchObject({ archiveTime: null, updateTime: 400 });
    expect(await services.setArchived('cmp_old', 'srv_old', false, 500)).toMatchObject({ archiveTime: null, updateTime: 400 });
    expect((await services.list('cmp_old', page)).map((s) => s.id)).toEqual(['srv_old']);

    expect(await products.setArchived('cmp_old', 'prd_old', true, 600)).toMatchObject({ archiveTime: 600 });
    expect(await products.list('cmp_old', page, { includeArchived: false })).toEqual([]);
    const fresh = { companyId: 'cmp_old', id: 'prd_new', name: 'Brush', price: { currency: 'USD', minor: 500 }, businessIds: [], archiveTime: null, createTime: 700, updateTime: 700 };
    expect(await products.upsert(fresh)).toEqual(fresh);
    expect((await products.list('cmp_old', page)).map((p) => p.id)).toEqual(['prd_new']);
  });
});
