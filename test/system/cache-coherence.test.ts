// What one process changes, every other process sees on its next requests, although each caches the keys and
// reference records it has read: a revoked key is refused, an updated customer reads as updated. The answer
// cache of the polled package reads (MoeGo's lists, Zenoti's guest packages) is stricter: a redemption through
// one process shows in the other's very next answer, and what time alone changes (a hold lapsing, a package
// starting) shows in the first answer after that instant, with no sweep having written anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';
import { SERVER_MASTER_KEY, client, startServer, type ServerProcess } from '../support/server-process.js';

describe.each(ENGINES)('caches across processes on %s', (engine) => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    // No sweep during these tests: what time changes must show without anything being written.
    const extra = { PUNCHCARD_SWEEP_INTERVAL_MS: '3600000' };
    servers.push(await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, extra }));
    servers.push(await startServer({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, extra }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  });

  it("refuses a revoked key on the other process's next request", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const master = client(a.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: 'cmp_rev', name: 'Rev' });
    const issued = (await master('POST', '/v1/companies/cmp_rev/apiKeys', { role: 'STAFF' })).json;
    const onB = client(b.url, issued.key);
    for (let i = 0; i < 3; i++) expect((await onB('GET', '/v1/me')).status).toBe(200); // now cached on B
    expect((await master('DELETE', `/v1/companies/cmp_rev/apiKeys/${issued.id}`)).status).toBe(200);
    const revokedAt = Date.now();
    let status = (await onB('GET', '/v1/me')).status;
    // PostgreSQL tells the other processes by NOTIFY, which arrives within milliseconds of the commit.
    while (status === 200 && Date.now() - revokedAt < 100) status = (await onB('GET', '/v1/me')).status;
    expect(status).toBe(401);
    expect((await client(a.url, issued.key)('GET', '/v1/me')).status).toBe(401);
  });

  it('shows a customer updated through one process on the next read through another', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const master = client(a.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: 'cmp_ref', name: 'Ref' });
    const key = (await master('POST', '/v1/companies/cmp_ref/apiKeys', { role: 'ADMIN' })).json.key as string;
    const onA = client(a.url, key);
    const onB = client(b.url, key);
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'Byron' });
    for (let i = 0; i < 3; i++) expect((await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName).toBe('Byron');
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'Lovelace' });
    const changedAt = Date.now();
    let seen = (await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName;
    while (seen !== 'Lovelace' && Date.now() - changedAt < 100) seen = (await onB('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName;
    expect(seen).toBe('Lovelace');
    // and through the process that wrote it, at once
    await onA('PUT', '/v1/companies/cmp_ref/customers/cus_1', { firstName: 'Ada', lastName: 'King' });
    expect((await onA('GET', '/v1/companies/cmp_ref/customers/cus_1')).json.lastName).toBe('King');
  });

  /** A company with a business, a customer, a service and a five-visit template, made through `a`. */
  async function company(a: ServerProcess, id: string) {
    const master = client(a.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id, name: id });
    const issued = (await master('POST', `/v1/companies/${id}/apiKeys`, { role: 'ADMIN' })).json;
    const key = issued.key as string;
    const c = `/v1/companies/${id}`;
    const onA = client(a.url, key);
    await onA('PUT', `${c}/businesses/bus_1`, { name: 'Downtown', timeZone: 'America/New_York', currencyCode: 'USD' });
    await onA('PUT', `${c}/customers/cus_1`, { firstName: 'Ada', lastName: 'Byron' });
    await onA('PUT', `${c}/services/srv_1`, { name: 'Groom', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } });
    const template = { id: 'tpl_5', name: 'Five', price: { currencyCode: 'USD', units: 150 }, items: [{ serviceIds: ['srv_1'], quantity: 5 }], validity: { days: 365 } };
    expect((await onA('POST', `${c}/packageTemplates`, template)).status).toBe(201);
    const sell = async (body: Record<string, unknown> = {}) => {
      const sold = await onA('POST', `${c}/packages:sell`, { templateId: 'tpl_5', customerId: 'cus_1', businessId: 'bus_1', ...body });
      expect(sold.status).toBe(200);
      return sold.json.packageInfo.id as string;
    };
    return { key, c, onA, sell };
  }

  /** The three polled reads of the customer's packages, through one process: what each says of one package. */
  function reads(server: ServerProcess, key: string, companyId: string, packageIds: string[]) {
    const call = client(server.url, key);
    return async (packageId: string) => {
      const list = await call('POST', '/v1/packages:list', { companyId, customerIds: ['cus_1'], pagination: { pageSize: 20, pageToken: '1' } });
      const details = await call('POST', '/v1/packages/details:list', { companyId, packageIds, pagination: { pageSize: 20, pageToken: '1' } });
      const zenoti = await call('GET', '/v1/guests/cus_1/packages?center_id=bus_1', undefined, { authorization: `apikey ${key}` });
      for (const r of [list, details, zenoti]) expect(r.status).toBe(200);
      const info = list.json.packages.find((p: any) => p.id === packageId);
      const detail = details.json.packageDetails.find((d: any) => d.packageInfo.id === packageId);
      const guest = zenoti.json.packages.find((g: any) => g.user_package_id === packageId);
      return {
        left: [info.totalRemainingQuantity, detail.packageInfo.totalRemainingQuantity, guest.services[0].balance],
        applied: [info.applied, detail.packageInfo.applied],
        zenoti: { state: guest.user_package_state, status: guest.status, redeemable: guest.redeemable },
      };
    };
  }

  it("shows a redemption through one process in the other's very next answer to every polled read", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { key, c, onA, sell } = await company(a, 'cmp_ans');
    const ids = [await sell(), await sell()];
    const onB = reads(b, key, 'cmp_ans', ids);
    const onAReads = reads(a, key, 'cmp_ans', ids);
    for (let i = 0; i < 3; i++) expect((await onB(ids[0]!)).left).toEqual([5, 5, 5]); // now kept on B
    for (let n = 4; n >= 3; n--) {
      const redeemed = await onA('POST', `${c}/packages/${ids[0]}:redeem`, { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' });
      expect(redeemed.status).toBe(200);
      expect((await onB(ids[0]!)).left).toEqual([n, n, n]); // the very next request, no retry
      expect((await onAReads(ids[0]!)).left).toEqual([n, n, n]);
      expect((await onB(ids[1]!)).left).toEqual([5, 5, 5]);
    }
  });

  it('shows a hold lapsing and a package starting in the first answer after that instant, with nothing written', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { key, c, onA, sell } = await company(a, 'cmp_time');
    const startAt = Date.now() + 3_000;
    const later = await sell({ startTime: new Date(startAt).toISOString() });
    const held = await sell();
    const lapseAt = Date.now() + 2_000;
    const hold = await onA('POST', `${c}/packages/${held}:redeem`, { serviceId: 'srv_1', quantity: 2, businessId: 'bus_1', hold: true, holdExpireTime: new Date(lapseAt).toISOString() });
    expect(hold.status).toBe(200);
    const ids = [later, held];
    for (const server of [a, b]) {
      const read = reads(server, key, 'cmp_time', ids);
      for (let i = 0; i < 3; i++) {
        expect(await read(held)).toMatchObject({ left: [3, 3, 3], applied: [true, true], zenoti: { state: 2 } });
        expect((await read(later)).zenoti).toEqual({ state: 1, status: 7, redeemable: false });
      }
    }
    // Poll both processes across the two instants: every answer after an instant shows it (a kept answer would not).
    const readA = reads(a, key, 'cmp_time', ids);
    const readB = reads(b, key, 'cmp_time', ids);
    while (Date.now() < startAt + 500) {
      for (const read of [readA, readB]) {
        const before = Date.now();
        const [h, l] = [await read(held), await read(later)];
        if (before >= lapseAt) expect(h).toMatchObject({ left: [5, 5, 5], applied: [false, false], zenoti: { state: 1 } });
        if (before >= startAt) expect(l.zenoti).toEqual({ state: 1, status: 1, redeemable: true });
        if (Date.now() < lapseAt) expect(h.left).toEqual([3, 3, 3]);
        if (Date.now() < startAt) expect(l.zenoti.status).toBe(7);
      }
    }
    // Nothing was written meanwhile: no HOLD_EXPIRED in the history (the sweep is off), yet every read showed it.
    const events = await onA('GET', `${c}/packages/${held}/events`);
    expect(events.json.events.map((e: any) => e.type)).toEqual(['SOLD', 'HELD']);
  });
});
