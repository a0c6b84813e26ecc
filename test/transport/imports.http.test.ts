// The import on each engine: a dry run that writes nothing, the atomic refusal naming every bad line, idempotent
// and conflicting re-runs, and a package that reads the same on every surface afterwards and redeems like any
// other; then an export of one company imported into another.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { ENGINES } from '../support/engines.js';
import { verifyLedger } from '../../src/application/verify.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { cents, makeFactory, type Factory, type Json } from '../support/factories.js';

const HEADER =
  'source_id,customer_id,business_id,package_name,service_id,product_id,total,used,unit_price,item_value,price,currency,paid_amount,purchase_date,start_date,expiration_date,staff_id,invoice_no,customer_first_name,customer_last_name,customer_email';

describe.each(ENGINES)('imports on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse('2026-03-10T15:00:00Z')));

  const post = (f: Factory, body: string, query = '', auth = f.c.auth) =>
    t.app.inject({ method: 'POST', url: `/v1/companies/${f.c.id}/packages:import${query}`, headers: { ...auth, 'content-type': 'text/csv' }, payload: body });
  const csvOf = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
  const violations = (json: Json) =>
    (json.details.find((d: Json) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest')?.fieldViolations ?? []) as { field: string; description: string }[];
  const customerPackages = async (f: Factory, customerId: string) => (await f.call('GET', `/customers/${customerId}/packages`)).json.packages as Json[];

  async function setUp(f: Factory) {
    const bath = await f.service({ name: 'Bath', price: '20.00' });
    const shampoo = await f.product({ name: 'Shampoo', price: '10.00' });
    const staff = 'stf_' + f.c.id.slice(-6);
    await f.call('PUT', `/staff/${staff}`, { firstName: 'Sam', lastName: 'Shears' });
    return { bath, shampoo, staff };
  }

  it('imports packages with their history, read the same on every surface, and redeems them like any other', async () => {
    const f = await makeFactory(t, { timeZone: 'America/Los_Angeles' });
    const { bath, shampoo, staff } = await setUp(f);
    const file = csvOf(
      // 10 groomings (6 used) and 2 shampoos, bought a year ago: 200.00 paid, groomings valued 180.00.
      `old-1,${f.customerId},${f.businessId},Ten groomings,${f.serviceId},,10,6,,180.00,200.00,USD,,2025-04-01,,2026-12-31,${staff},INV-9,,,`,
      `old-1,${f.customerId},${f.businessId},Ten groomings,,${shampoo},2,0,,20.00,200.00,USD,,2025-04-01,,2026-12-31,${staff},INV-9,,,`,
      // A new customer, named on the way; any of two services; never expires; partly paid.
      `old-2,cus_new_${f.c.id.slice(-6)},${f.businessId},Bath or groom,${bath} ${f.serviceId},,4,1,,,100.00,USD,50.00,2026-01-05T10:00:00Z,,never,,,Grace,Hopper,grace@example.com`,
    );
    const dry = await post(f, file, '?dryRun=true');
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toEqual({ dryRun: true, packages: 2, items: 3, created: 2, unchanged: 0, customersCreated: 1 });
    expect(await customerPackages(f, f.customerId)).toHaveLength(0);
    expect((await f.call('GET', `/customers/cus_new_${f.c.id.slice(-6)}`)).status).toBe(404);

    const done = await post(f, file);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ dryRun: false, packages: 2, items: 3, created: 2, unchanged: 0, customersCreated: 1 });

    const [pkg] = await customerPackages(f, f.customerId);
    expect(pkg).toMatchObject({ imported: true, sourceId: 'old-1', lifecycle: 'ACTIVE', paidAmount: { units: 200 } });
    expect(pkg.packageInfo).toMatchObject({ expirationDate: '2026-12-31', purchaseTime: '2025-04-01T07:00:00Z', startTime: '2025-04-01T07:00:00Z', used: true, totalRemainingQuantity: 4 });
    expect(pkg.packageServices[0]).toMatchObject({ totalQuantity: 10, remainingQuantity: 4, usedQuantity: 6, remainingValue: { units: 72 } });
    expect(pkg.packageProducts[0]).toMatchObject({ totalQuantity: 2, remainingQuantity: 2, remainingValue: { units: 20 } });
    expect(cents(pkg.remainingValue)).toBe(9200);
    expect(pkg.invoice).toMatchObject({ no: 'INV-9' });
    const id = pkg.packageInfo.id;

    const [event, ...rest] = await f.events(id);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'IMPORTED', sequence: 1, time: '2026-03-10T15:00:00Z', valueChange: { units: 92 } });
    expect(event.details).toMatchObject({
      sourceId: 'old-1',
      purchaseTime: '2025-04-01T07:00:00Z',
      startTime: '2025-04-01T07:00:00Z',
      expirationDate: '2026-12-31',
      price: { units: 200 },
      items: [expect.objectContaining({ total: 10, used: 6, value: { currencyCode: 'USD', units: 180, nanos: 0 } }), expect.objectContaining({ total: 2, used: 0 })],
    });

    // The new customer, created with the names given; the partly paid package's value is what was paid.
    const newId = `cus_new_${f.c.id.slice(-6)}`;
    expect((await f.call('GET', `/customers/${newId}`)).json).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
    const [second] = await customerPackages(f, newId);
    expect(second).toMatchObject({ imported: true, sourceId: 'old-2', paidAmount: { units: 50 }, packageInfo: { expirationDate: '9999-01-01' } });
    expect(second.packageServices[0].services.map((s: Json) => s.serviceId)).toEqual([bath, f.serviceId]);
    expect(cents(second.remainingValue)).toBe(3750); // 3 of 4 units left of 50.00

    // MoeGo and Zenoti read the same package.
    const moego = await t.app.inject({ method: 'POST', url: '/v1/packages/details:list', headers: f.c.auth, payload: { companyId: f.c.id, packageIds: [id] } });
    expect(moego.statusCode, moego.body).toBe(200);
    const detail = moego.json().packageDetails[0];
    expect(detail.packageInfo).toMatchObject({ used: true, totalRemainingQuantity: 4, expirationDate: '2026-12-31' });
    const zenoti = await t.app.inject({ method: 'GET', url: `/v1/guests/${f.customerId}/packages?center_id=${f.businessId}`, headers: f.c.auth });
    expect(zenoti.statusCode, zenoti.body).toBe(200);
    const service = zenoti.json().packages[0].services.find((s: Json) => s.total === 10);
    expect(service).toMatchObject({ total: 10, used: 6, balance: 4, balance_amount: 72 });

    // It redeems like any other; a visit dated before the import is refused.
    const r = await f.redeemOk(id, { quantity: 2 });
    expect(r.package.packageServices[0]).toMatchObject({ remainingQuantity: 2, usedQuantity: 8 });
    const early = await f.redeem(id, { redeemTime: '2026-03-01T10:00:00Z' });
    expect(early.status).toBe(400);

    // The liability report takes the value brought in, in its own column.
    const report = await f.call('GET', `/reports/liability?asOf=2026-03-10`);
    const line = report.json.businesses.find((b: Json) => b.businessId === f.businessId);
    expect(cents(line.imported)).toBe(9200 + 3750);
    expect(cents(line.closing)).toBe(9200 + 3750 - 3600);

    // verify finds no drift.
    const verified = await verifyLedger(t.deps, f.c.id);
    expect(verified.packages).toBe(2);
    expect(verified.drifts).toEqual([]);
  });

  it('brings a package that had expired already with nothing into the liability report, and no drift', async () => {
    const f = await makeFactory(t);
    const r = await post(f, csvOf(`gone-1,${f.customerId},${f.businessId},Old,${f.serviceId},,5,1,,,150.00,USD,,2025-01-01,,2025-12-31,,,,,`));
    expect(r.json()).toMatchObject({ created: 1 });
    const [pkg] = await customerPackages(f, f.customerId);
    expect(pkg).toMatchObject({ lifecycle: 'EXPIRED', remainingValue: { units: 0 }, imported: true });
    expect(pkg.packageServices[0]).toMatchObject({ remainingQuantity: 4, usedQuantity: 1 });
    const line = (await f.call('GET', '/reports/liability')).json.businesses.find((b: Json) => b.businessId === f.businessId);
    for (const column of ['imported', 'expired', 'closing']) expect(cents(line[column]), column).toBe(0);
    expect((await verifyLedger(t.deps, f.c.id)).drifts).toEqual([]);
    expect((await f.redeem(pkg.packageInfo.id)).json.details[0].reason).toBe('PACKAGE_EXPIRED');
  });

  it('refuses a file with bad rows as a whole, naming every bad line, and writes nothing', async () => {
    const f = await makeFactory(t);
    const { shampoo } = await setUp(f);
    const file = csvOf(
      `ok-1,${f.customerId},${f.businessId},Fine,${f.serviceId},,5,1,,,150.00,USD,,2026-01-01,,2027-01-01,,,,,`,
      `bad-1,${f.customerId},${f.businessId},Used too many,${f.serviceId},,5,7,,,150.00,USD,,2026-01-01,,2027-01-01,,,,,`,
      `bad-2,cus_nobody,bus_nowhere,No refs,srv_none,,5,0,,,abc,EUR,,2026-13-01,,someday,stf_none,,,,`,
      `bad-3,${f.customerId},${f.businessId},Both,${f.serviceId},${shampoo},5,0,,,150.00,USD,,2030-01-01,,2031-01-01,,,,,`,
      `bad-4,${f.customerId},${f.businessId},Values,${f.serviceId},,5,0,,100.00,150.00,USD,,2026-01-01,,2027-01-01,,,,,`,
      `bad-5,${f.customerId},${f.businessId},Split,${f.serviceId},,5,0,,,150.00,USD,,2026-01-01,,2027-01-01,,,,,`,
      `bad-5,${f.customerId},${f.businessId},Split,${f.serviceId},,5,0,,,160.00,USD,,2026-01-01,,2027-01-01,,,,,`,
      `,${f.customerId},${f.businessId},No source,${f.serviceId},,5,0,,,150.00,USD,,2026-01-01,,2027-01-01,,,,,`,
    );
    for (const query of ['', '?dryRun=true']) {
      const r = await post(f, file, query);
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe(3);
      const fields = violations(r.json()).map((v) => v.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'line 3: used',
          'line 4: customer_id',
          'line 4: business_id',
          'line 4: service_id',
          'line 5: product_id',
          'line 5: purchase_date',
          'line 6: item_value',
          'line 8: price',
          'line 9: source_id',
        ]),
      );
      expect(fields.some((x) => x.startsWith('line 2'))).toBe(false);
      // Sorted by line, as a person reads the file.
      const lines = fields.map((x) => Number(/^line (\d+)/.exec(x)![1]));
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
    }
    expect(await customerPackages(f, f.customerId)).toHaveLength(0);
  });

  it('is idempotent by source_id: the same values are unchanged, other values are a bad row', async () => {
    const f = await makeFactory(t);
    const row = `idem-1,${f.customerId},${f.businessId},Five,${f.serviceId},,5,2,,,150.00,USD,,2026-01-01,,2027-01-01,,,,,`;
    // An endpoint that listens hears of the import once, in the import's transaction.
    const endpoint = (await f.call('POST', '/webhookEndpoints', { url: 'http://127.0.0.1:9/hook', eventTypes: ['package.imported'] })).json;
    expect((await post(f, csvOf(row))).json()).toMatchObject({ created: 1, unchanged: 0 });
    const messages = (await f.call('GET', `/webhookEndpoints/${endpoint.id}/messages`)).json.messages as Json[];
    expect(messages.map((m) => m.type)).toEqual(['package.imported']);
    const [pkg] = await customerPackages(f, f.customerId);
    await f.redeemOk(pkg.packageInfo.id); // what happened since does not matter
    expect((await post(f, csvOf(row))).json()).toMatchObject({ packages: 1, created: 0, unchanged: 1 });
    expect(await customerPackages(f, f.customerId)).toHaveLength(1);
    expect((await f.call('GET', `/webhookEndpoints/${endpoint.id}/messages`)).json.messages).toHaveLength(1);
    const changed = await post(f, csvOf(row.replace(',5,2,', ',5,3,')));
    expect(changed.statusCode).toBe(400);
    expect(violations(changed.json())).toEqual([{ field: 'line 2: source_id', description: expect.stringContaining('imported before') }]);
  });

  it('imports a thousand packages at once, and they read back in the lists', async () => {
    const f = await makeFactory(t);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      source_id: `bulk-${i}`, customer_id: f.customerId, business_id: f.businessId, package_name: 'Bulk', service_id: f.serviceId,
      total: 3, used: i % 3, price: '90.00', currency: 'USD', purchase_date: '2026-02-01', expiration_date: '2026-12-01',
    }));
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${f.c.id}/packages:import`, headers: f.c.auth, payload: { rows } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ packages: 1000, created: 1000 });
    const report = (await f.call('GET', '/reports/liability')).json.businesses.find((b: Json) => b.businessId === f.businessId);
    expect(cents(report.imported)).toBe(1000 * 9000 - (333 * 3000 + 333 * 6000)); // used 0,1,2 units of 30.00 in turn
    const again = await t.app.inject({ method: 'POST', url: `/v1/companies/${f.c.id}/packages:import?dryRun=true`, headers: f.c.auth, payload: { rows } });
    expect(again.json()).toMatchObject({ created: 0, unchanged: 1000 });
  });

  it('takes the JSON form, refuses what is not CSV or a key that is not ADMIN, and counts lines as in the file', async () => {
    const f = await makeFactory(t);
    const rows = [{ source_id: 'j-1', customer_id: f.customerId, business_id: f.businessId, package_name: 'J', service_id: f.serviceId, total: 3, used: 0, price: '90.00', currency: 'USD', purchase_date: '2026-02-01', expiration_date: '2026-12-01' }, { source_id: 'j-2' }];
    const bad = await t.app.inject({ method: 'POST', url: `/v1/companies/${f.c.id}/packages:import`, headers: f.c.auth, payload: { rows } });
    expect(bad.statusCode).toBe(400);
    expect(violations(bad.json()).every((v) => v.field.startsWith('line 3: '))).toBe(true);
    const good = await t.app.inject({ method: 'POST', url: `/v1/companies/${f.c.id}/packages:import`, headers: f.c.auth, payload: { rows: rows.slice(0, 1) } });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ created: 1 });
    const staff = await f.c.newKey('STAFF');
    expect((await post(f, csvOf(), '', staff.auth)).statusCode).toBe(403);
    const broken = await post(f, `${HEADER}\n"unclosed,${f.customerId}\n`);
    expect(broken.statusCode).toBe(400);
    expect(violations(broken.json())[0]!.field).toMatch(/^line \d+$/);
    expect((await post(f, csvOf(), '?dryRun=maybe')).statusCode).toBe(400);
  });

  it('an export imported into another company gives the same totals, used counts, dates and outstanding value', async () => {
    const f = await makeFactory(t, { timeZone: 'Europe/Berlin' });
    const { shampoo } = await setUp(f);
    const a = await f.sell({ template: { items: [{ quantity: 5 }], productItems: [{ productId: shampoo, quantity: 2 }], price: '137.33' } });
    await f.redeemOk(a.packageInfo.id, { quantity: 2 });
    await f.hold(a.packageInfo.id);
    const b = await f.sell({ template: { items: [{ quantity: 3 }], validity: { never: true } } });
    await f.redeemOk(b.packageInfo.id);
    const c = await f.sell();
    await f.call('POST', `/packages/${c.packageInfo.id}:cancel`, { refund: 'NONE' });
    const exported = (await t.app.inject({ method: 'GET', url: `/v1/companies/${f.c.id}/packages:export`, headers: f.c.auth })).body;

    // The other company has the same catalog ids and business.
    const g = await makeFactory(t, { timeZone: 'Europe/Berlin' });
    await g.business({ id: f.businessId, timeZone: 'Europe/Berlin' });
    await g.service({ id: f.serviceId, price: '30.00' });
    await g.product({ id: shampoo });
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${g.c.id}/packages:import`, headers: { ...g.c.auth, 'content-type': 'text/csv' }, payload: exported });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ packages: 2, created: 2, customersCreated: 1 }); // the cancelled package stays behind

    const before = parse(exported, { columns: true }) as Record<string, string>[];
    const after = parse((await t.app.inject({ method: 'GET', url: `/v1/companies/${g.c.id}/packages:export`, headers: g.c.auth })).body, { columns: true }) as Record<string, string>[];
    const key = (x: Record<string, string>) => ({
      source_id: x.source_id,
      total: x.total,
      used: x.used,
      left: Number(x.remaining) + Number(x.held),
      purchase_date: x.purchase_date,
      start_date: x.start_date,
      expiration_date: x.expiration_date,
      item_value: x.item_value,
      paid_amount: x.paid_amount,
      remaining_value: x.remaining_value,
    });
    expect(after.map(key)).toEqual(before.filter((x) => x.lifecycle !== 'CANCELLED').map(key));
    // Imported from an export, each keeps the source id it had: a second run changes nothing.
    const again = await t.app.inject({ method: 'POST', url: `/v1/companies/${g.c.id}/packages:import`, headers: { ...g.c.auth, 'content-type': 'text/csv' }, payload: exported });
    expect(again.json()).toMatchObject({ created: 0, unchanged: 2 });
  });
});
