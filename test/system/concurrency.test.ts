// 200 redemptions at once of a 10-unit package: exactly 10 succeed, on every engine, in one process and
// (PostgreSQL) across three server processes, where a key revoked through one is refused by the other two on
// their very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { SERVER_MASTER_KEY, client, seedCompany, startServer, type ServerProcess } from '../support/server-process.js';
import { verifyLedger } from '../../src/application/verify.js';
import { createStore } from '../../src/storage/store.js';

const redeemBody = { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' };

function tally(statuses: { status: number; reason?: string }[]) {
  const ok = statuses.filter((s) => s.status === 200).length;
  const refused = statuses.filter((s) => s.status === 400 && (s.reason === 'INSUFFICIENT_BALANCE' || s.reason === 'PACKAGE_FULLY_REDEEMED')).length;
  return { ok, refused, other: statuses.length - ok - refused };
}

describe.each(ENGINES)('concurrent redemptions on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine, { now: Date.now() });
  });
  afterAll(() => t.close());

  it('lets exactly 10 of 200 concurrent redemptions of a 10-unit package through', async () => {
    const c = await t.newCompany();
    await c.call('PUT', '/businesses/bus_1', { name: 'Main', timeZone: 'UTC', currencyCode: 'USD' });
    await c.call('PUT', '/customers/cus_1', { firstName: 'Ada', lastName: 'L' });
    await c.call('PUT', '/services/srv_1', { name: 'Groom', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } });
    await c.call('POST', '/packageTemplates', { id: 'tpl_1', name: 'Ten', price: { currencyCode: 'USD', units: 300 }, items: [{ serviceIds: ['srv_1'], quantity: 10 }], validity: { days: 30 } });
    const sold = await c.call('POST', '/packages:sell', { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' });
    const id = sold.json.packageInfo.id;
    const batches: number[] = [];
    const stop = t.deps.store.onWriteBatch((b) => batches.push(b.commands));
    const results = await Promise.all(
      Array.from({ length: 200 }, () => c.call('POST', `/packages/${id}:redeem`, redeemBody)),
    ).finally(stop);
    const counts = tally(results.map((r) => ({ status: r.status, reason: r.json?.details?.[0]?.reason })));
    expect(counts).toEqual({ ok: 10, refused: 190, other: 0 });
    // Group commit was at work: the refusals and the successes shared transactions.
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    const after = await c.call('GET', `/packages/${id}`);
    expect(after.json.packageInfo.totalRemainingQuantity).toBe(0);
    expect(after.json.lifecycle).toBe('FULLY_REDEEMED');
    const events = await c.call('GET', `/packages/${id}/events?pageSize=500`);
    expect(events.json.events.filter((e: { type: string }) => e.type === 'REDEEMED')).toHaveLength(10);
    expect((await verifyLedger(t.deps, c.id)).drifts).toEqual([]);
  });
});

describe.runIf(ENGINES.includes('postgres'))('three server processes on one postgres database', () => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    for (let i = 0; i < 3; i++) servers.push(await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  });

  it('lets exactly 10 of 200 redemptions spread over three processes through', async () => {
    const { key, call, base } = await seedCompany(servers[0]!.url, 'cmp_race', 10);
    const sold = await call('POST', `${base}/packages:sell`, { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' });
    const id = sold.json.packageInfo.id;
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, n) => {
        const r = await fetch(`${servers[n % servers.length]!.url}${base}/packages/${id}:redeem`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(redeemBody),
        });
        const json = (await r.json()) as { details?: { reason?: string }[] };
        return { status: r.status, reason: json.details?.[0]?.reason };
      }),
    );
    expect(tally(results)).toEqual({ ok: 10, refused: 190, other: 0 });
    const store = createStore(await db.open());
    try {
      const report = await verifyLedger({ store, clock: { now: () => Date.now() }, masterKey: null }, 'cmp_race');
      expect(report.drifts).toEqual([]);
      expect(report.events).toBe(11);
    } finally {
      await store.close();
    }
  });

  it('refuses a key revoked through one process on the very next request to each of the other two', async () => {
    const master = client(servers[0]!.url, SERVER_MASTER_KEY);
    expect((await master('POST', '/v1/companies', { id: 'cmp_revoke', name: 'Revoke' })).status).toBe(201);
    // Each process in turn revokes a key that all three have just accepted (and so hold in their caches).
    for (let round = 0; round < 6; round++) {
      const issued = (await master('POST', '/v1/companies/cmp_revoke/apiKeys', { role: 'STAFF' })).json as { id: string; key: string };
      for (const s of servers) for (let i = 0; i < 2; i++) expect((await client(s.url, issued.key)('GET', '/v1/me')).status).toBe(200);
      const revoker = servers[round % servers.length]!;
      expect((await client(revoker.url, SERVER_MASTER_KEY)('DELETE', `/v1/companies/cmp_revoke/apiKeys/${issued.id}`)).status).toBe(200);
      const next = await Promise.all(servers.map((s) => client(s.url, issued.key)('GET', '/v1/me').then((r) => r.status)));
      expect(next, `round ${round}, revoked through process ${round % servers.length}`).toEqual([401, 401, 401]);
    }
  });
});
