// The exports on each engine: packages as CSV in the import's columns (RFC 4180, \n, no BOM), the history as CSV
// and NDJSON, oldest first, page after page without losing or repeating a row.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeFactory, type Factory } from '../support/factories.js';

describe.each(ENGINES)('exports on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse('2026-03-10T15:00:00Z')));

  const get = (f: Factory, url: string, auth = f.c.auth) => t.app.inject({ method: 'GET', url: `/v1/companies/${f.c.id}${url}`, headers: auth });
  const csv = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

  it('exports every package item in the import columns, with what is left', async () => {
    const f = await makeFactory(t, { timeZone: 'America/Los_Angeles' });
    const shampoo = await f.product({ name: 'Shampoo' });
    const bath = await f.service({ name: 'Bath, "deluxe"' });
    const pkg = await f.sell({ template: { items: [{ quantity: 5 }, { serviceIds: [bath, f.serviceId], quantity: 2 }], productItems: [{ productId: shampoo, quantity: 1 }] }, invoice: { no: 'INV-7' } });
    await f.redeemOk(pkg.packageInfo.id, { quantity: 2 });
    await f.hold(pkg.packageInfo.id);
    const r = await get(f, '/packages:export');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.body.charCodeAt(0)).not.toBe(0xfeff);
    expect(r.body).not.toContain('\r\n');
    const rows = csv(r.body);
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!).slice(0, 5)).toEqual(['source_id', 'customer_id', 'business_id', 'package_name', 'package_description']);
    const [first, anyOf, product] = rows as [Record<string, string>, Record<string, string>, Record<string, string>];
    expect(first).toMatchObject({
      source_id: pkg.packageInfo.id,
      package_id: pkg.packageInfo.id,
      customer_id: f.customerId,
      business_id: f.businessId,
      service_id: f.serviceId,
      product_id: '',
      total: '5',
      used: '2',
      held: '1',
      remaining: '2',
      currency: 'USD',
      price: pkg.paidAmount.units + '.00',
      expiration_date: pkg.packageInfo.expirationDate,
      purchase_date: '2026-03-10T15:00:00Z',
      invoice_no: 'INV-7',
      customer_first_name: 'Ada',
      customer_last_name: 'Lovelace',
      lifecycle: 'ACTIVE',
    });
    expect(Number(first.item_value)).toBeCloseTo(150, 2);
    expect(Number(first.remaining_value)).toBeCloseTo(90, 2);
    expect(anyOf.service_id).toBe(`${bath} ${f.serviceId}`);
    expect(product).toMatchObject({ service_id: '', product_id: shampoo, total: '1', used: '0' });
  });

  it('filters by business and lifecycle, refuses a bad one, and is ADMIN only', async () => {
    const f = await makeFactory(t);
    const other = await f.business();
    await f.sell();
    const cancelled = await f.sell({ businessId: other });
    await f.call('POST', `/packages/${cancelled.packageInfo.id}:cancel`, { refund: 'NONE' });
    expect(csv((await get(f, `/packages:export?businessId=${other}`)).body).map((r) => r.business_id)).toEqual([other]);
    expect(csv((await get(f, '/packages:export?lifecycle=CANCELLED')).body).map((r) => r.package_id)).toEqual([cancelled.packageInfo.id]);
    expect((await get(f, '/packages:export?lifecycle=GONE')).statusCode).toBe(400);
    expect((await get(f, '/packages:export?businessId=bus_none')).statusCode).toBe(404);
    const staff = await f.c.newKey('STAFF');
    expect((await get(f, '/packages:export', staff.auth)).statusCode).toBe(403);
  });

  it('pages through many packages without losing or repeating one', async () => {
    const f = await makeFactory(t);
    const template = (await f.template()).id;
    const ids = new Set<string>();
    for (let i = 0; i < 1203; i++) {
      const r = await f.sellRaw({ template });
      ids.add(r.json.packageInfo.id);
    }
    const rows = csv((await get(f, '/packages:export')).body);
    expect(rows).toHaveLength(1203);
    expect(new Set(rows.map((r) => r.package_id))).toEqual(ids);
  }, 120_000);

  it('exports the history oldest first as CSV and NDJSON, within from and to', async () => {
    const f = await makeFactory(t);
    const a = await f.sell();
    t.clock.advance(60_000);
    const b = await f.sell();
    t.clock.advance(60_000);
    await f.redeemOk(a.packageInfo.id);
    const rows = csv((await get(f, '/events:export')).body);
    expect(rows.map((r) => [r.package_id, r.type])).toEqual([
      [a.packageInfo.id, 'SOLD'],
      [b.packageInfo.id, 'SOLD'],
      [a.packageInfo.id, 'REDEEMED'],
    ]);
    expect(rows[2]).toMatchObject({ sequence: '2', value_change: '-30.00', currency: 'USD', actor_name: expect.any(String) });
    const nd = await get(f, '/events:export?format=ndjson&from=2026-03-10T15:00:30Z');
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = nd.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.packageId, e.type, e.sequence])).toEqual([
      [b.packageInfo.id, 'SOLD', 1],
      [a.packageInfo.id, 'REDEEMED', 2],
    ]);
    expect(csv((await get(f, '/events:export?to=2026-03-10T15:00:30Z')).body)).toHaveLength(1);
    expect((await get(f, '/events:export?format=xml')).statusCode).toBe(400);
    expect((await get(f, '/events:export?from=yesterday')).statusCode).toBe(400);
  });
});
