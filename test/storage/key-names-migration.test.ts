// Migration 004 gives keys a name: keys issued before it keep working, with no name.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES } from '../support/engines.js';
import { migrationTest } from '../support/migration-test.js';
import { apiKeyRepo } from '../../src/storage/reference-repos.js';

describe.each(ENGINES)('key names migration on %s', (engine) => {
  const beforeMigration = migrationTest(engine);

  it('gives keys issued before it the empty name, and stores names after it', async () => {
    const { db, migrateRest } = await beforeMigration('004_key_names');
    await sql`INSERT INTO companies (company_id, name, created_at, updated_at) VALUES ('cmp_old', 'Old', 1, 1)`.execute(db.kysely);
    await sql`INSERT INTO api_keys (company_id, key_id, key_hash, prefix, role, business_ids, created_at)
              VALUES ('cmp_old', 'key_old', 'hash_old', 'pck.cmp_old.abcdef…', 'ADMIN', '[]', 1)`.execute(db.kysely);

    expect(await migrateRest()).toContain('004_key_names');

    const keys = apiKeyRepo(db.kysely, db);
    expect(await keys.findByHash('cmp_old', 'hash_old')).toMatchObject({ id: 'key_old', name: '', role: 'ADMIN' });
    await keys.insert({ companyId: 'cmp_old', id: 'key_new', hash: 'hash_new', prefix: 'p', name: 'Front desk', role: 'STAFF', businessIds: [], createTime: 2, revokeTime: null });
    expect((await keys.getMany('cmp_old', ['key_new', 'key_old', 'key_missing'])).map((k) => [k.id, k.name]).sort()).toEqual([
      ['key_new', 'Front desk'],
      ['key_old', ''],
    ]);
    expect(await keys.getMany('cmp_old', [])).toEqual([]);
  });
});
