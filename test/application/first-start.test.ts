import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { FixedClock } from '../../src/domain/clock.js';
import type { Deps } from '../../src/application/context.js';
import { DEMO_COMPANY_ID, firstStart } from '../../src/application/first-start.js';
import { authenticate, hashKey } from '../../src/application/keys.js';
import { buildHttpApp } from '../../src/transport/http/app.js';

describe.each(ENGINES)('first start on %s', (engine) => {
  let ts: TestStore | undefined;
  afterEach(async () => {
    await ts?.close();
    ts = undefined;
  });

  async function depsOn(masterKey: string | null): Promise<Deps> {
    ts = await openTestStore(engine);
    return { store: ts.store, clock: new FixedClock(Date.parse('2026-03-10T15:00:00Z')), masterKey };
  }

  // A key belongs to an existing company (a foreign key), and the only company a first start makes is the demo one.
  const keyRows = () => ts!.db.kysely.selectFrom('api_keys').selectAll().where('company_id', '=', DEMO_COMPANY_ID).execute();

  it('creates the demo company and an ADMIN key that authenticates, when there is no master key and no data', async () => {
    const deps = await depsOn(null);

    const demo = await firstStart(deps);

    expect(demo).not.toBeNull();
    expect(demo!.companyId).toBe(DEMO_COMPANY_ID);
    expect(DEMO_COMPANY_ID).toBe('cmp_demo');
    expect(await deps.store.read.companies.get('cmp_demo')).toMatchObject({ id: 'cmp_demo', createTime: deps.clock.now() });
    const principal = await authenticate(deps, demo!.key);
    expect(principal).toMatchObject({ kind: 'key', companyId: 'cmp_demo', role: 'ADMIN', businessIds: [] });
  });

  it('keeps the key only as its hash', async () => {
    const deps = await depsOn(null);
    const demo = await firstStart(deps);
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toBe(hashKey(demo!.key));
    expect(JSON.stringify(rows)).not.toContain(demo!.key.split('.')[2]);
  });

  it('gives a key that signs in over HTTP', async () => {
    const deps = await depsOn(null);
    const demo = await firstStart(deps);
    const app = await buildHttpApp({ deps });
    try {
      const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${demo!.key}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ companyId: 'cmp_demo', role: 'ADMIN' });
      const put = await app.inject({
        method: 'PUT',
        url: '/v1/companies/cmp_demo/businesses/bus_main',
        headers: { authorization: `Bearer ${demo!.key}` },
        payload: { name: 'Main', timeZone: 'UTC', currencyCode: 'USD' },
      });
      expect(put.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('creates nothing the second time', async () => {
    const deps = await depsOn(null);
    expect(await firstStart(deps)).not.toBeNull();

    expect(await firstStart(deps)).toBeNull();

    expect(await deps.store.read.companies.count()).toBe(1);
    expect(await keyRows()).toHaveLength(1);
  });

  it('creates one demo company and one key when two starts race', async () => {
    const deps = await depsOn(null);

    const results = await Promise.all([firstStart(deps), firstStart(deps), firstStart(deps)]);

    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await deps.store.read.companies.count()).toBe(1);
    expect(await keyRows()).toHaveLength(1);
  });

  it('creates nothing when a master key is set', async () => {
    const deps = await depsOn('a-master-key-of-enough-length');

    expect(await firstStart(deps)).toBeNull();

    expect(await deps.store.read.companies.count()).toBe(0);
    expect(await keyRows()).toHaveLength(0);
  });

  it('creates nothing when the database already has a company', async () => {
    const deps = await depsOn(null);
    await deps.store.transaction((repos) => repos.companies.insert({ id: 'cmp_existing', name: 'Existing', createTime: 1, updateTime: 1 }));

    expect(await firstStart(deps)).toBeNull();

    expect(await deps.store.read.companies.get('cmp_demo')).toBeUndefined();
    expect(await keyRows()).toHaveLength(0);
  });
});
