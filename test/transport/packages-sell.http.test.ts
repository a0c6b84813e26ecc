import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { cents, expectBadField, expectRefused, itemOf, makeFactory, money } from '../support/factories.js';

const NOW = '2026-03-10T15:00:00Z';
const DAY = 86_400_000;

describe.each(ENGINES)('selling packages on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse(NOW)));

  it('starts a package at its purchase, now, ACTIVE, with the sale as its first event', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
    expect(pkg.packageInfo).toMatchObject({
      id: expect.stringMatching(/^pkg_/),
      customerId: f.customerId,
      businessId: f.businessId,
      staffId: '',
      purchaseTime: NOW,
      startTime: NOW,
      endTime: '2027-03-10T15:00:00Z',
      expirationDate: '2027-03-10',
      status: 'STATUS_NORMAL',
      used: false,
      applied: false,
      totalRemainingQuantity: 5,
      lifecycle: 'ACTIVE',
      packagePrice: money('150.00'),
    });
    expect(pkg).toMatchObject({
      lifecycle: 'ACTIVE',
      redeemable: true,
      notRedeemableReason: '',
      paidAmount: money('150.00'),
      listPrice: money('150.00'),
      remainingValue: money('150.00'),
      holds: [],
      freeze: null,
      invoice: null,
      cancelTime: null,
      refund: null,
    });
    const events = await f.events(pkg.packageInfo.id);
    expect(events).toEqual([expect.objectContaining({ type: 'SOLD', time: NOW, totalRemainingQuantityAfter: 5, valueChange: money('150.00') })]);
    const list = await f.call('GET', `/customers/${f.customerId}/packages`);
    expect(list.json.packages.map((p: { packageInfo: { id: string } }) => p.packageInfo.id)).toEqual([pkg.packageInfo.id]);
  });

  it('records a sale made earlier, with validity running from the past purchase time', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { validity: { days: 30 } }, purchaseTime: '2026-02-20T10:00:00Z' });
    expect(pkg.packageInfo).toMatchObject({ purchaseTime: '2026-02-20T10:00:00Z', startTime: '2026-02-20T10:00:00Z', endTime: '2026-03-22T10:00:00Z', expirationDate: '2026-03-22' });
    const [sold] = await f.events(pkg.packageInfo.id);
    expect(sold).toMatchObject({ type: 'SOLD', time: '2026-02-20T10:00:00Z', recordTime: NOW });
  });

  it('refuses a purchase time in the future', async () => {
    const f = await makeFactory(t);
    expectBadField(await f.sellRaw({ purchaseTime: '2026-03-11T15:00:00Z' }), 'purchaseTime');
    expectBadField(await f.sellRaw({ purchaseTime: 'yesterday' }), 'purchaseTime');
  });

  it('keeps a package with a future start NOT_STARTED and refuses to redeem it until then', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { validity: { days: 10 } }, startTime: '2026-04-01T00:00:00Z' });
    expect(pkg).toMatchObject({ lifecycle: 'NOT_STARTED', redeemable: false, notRedeemableReason: 'PACKAGE_NOT_STARTED' });
    expect(pkg.packageInfo).toMatchObject({ purchaseTime: NOW, startTime: '2026-04-01T00:00:00Z', endTime: '2026-04-11T00:00:00Z' });
    expectRefused(await f.redeem(pkg.packageInfo.id), 'PACKAGE_NOT_STARTED');
    t.clock.set(Date.parse('2026-04-01T00:00:00Z'));
    expect((await f.get(pkg.packageInfo.id)).lifecycle).toBe('ACTIVE');
    expect((await f.redeem(pkg.packageInfo.id)).status).toBe(200);
  });

  it('refuses a start before the purchase', async () => {
    const f = await makeFactory(t);
    expectBadField(await f.sellRaw({ purchaseTime: '2026-03-01T00:00:00Z', startTime: '2026-02-01T00:00:00Z' }), 'startTime');
  });

  it('re-spreads an overridden price over the items exactly', async () => {
    const f = await makeFactory(t);
    const [a, b, c] = [await f.service({ price: '20.00' }), await f.service({ price: '20.00' }), await f.service({ price: '20.00' })];
    const pkg = await f.sell({ template: { price: '100.00', items: [{ serviceIds: [a], quantity: 1 }, { serviceIds: [b], quantity: 1 }, { serviceIds: [c], quantity: 1 }] }, price: '50.00' });
    expect(pkg.paidAmount).toEqual(money('50.00'));
    expect(pkg.listPrice).toEqual(money('100.00'));
    expect(pkg.packageInfo.packagePrice).toEqual(money('50.00'));
    const values = pkg.packageServices.map((i: { value: { units: number; nanos: number } }) => cents(i.value));
    expect(values).toEqual([1667, 1667, 1666]);
    expect(values.reduce((x: number, y: number) => x + y, 0)).toBe(5000);
    expect(pkg.remainingValue).toEqual(money('50.00'));
    const [sold] = await f.events(pkg.packageInfo.id);
    expect(sold.valueChange).toEqual(money('50.00'));
  });

  it('sells for a price in the template currency only', async () => {
    const f = await makeFactory(t);
    expectBadField(await f.sellRaw({ price: money('10.00', 'EUR') }), /^price/);
  });

  it("sells in the business's currency: a template priced in another is refused, and sold for a price given in it", async () => {
    const f = await makeFactory(t, { currencyCode: 'JPY' });
    const [a, b] = [await f.service({ price: money('50.00') }), await f.service({ price: money('50.00') })];
    // $150 at a yen business: $100 (2 × $50) and $50.
    const usd = await f.template({ price: '150.00', items: [{ serviceIds: [a], quantity: 2 }, { serviceIds: [b], quantity: 1 }] });
    expect(usd.price).toEqual(money('150.00'));

    const refused = await f.sellRaw({ template: usd.id });
    expectRefused(refused, 'CURRENCY_MISMATCH');
    expect(refused.json.message).toMatch(/USD.*JPY/);
    // A price in the template's currency does not make it a yen package.
    expectRefused(await f.sellRaw({ template: usd.id, price: money('150.00') }), 'CURRENCY_MISMATCH');
    expectBadField(await f.sellRaw({ template: usd.id, price: money('150.00', 'EUR') }), 'price.currencyCode');

    const pkg = await f.sell({ template: usd.id, price: money('20000', 'JPY') });
    const yen = (units: number) => ({ currencyCode: 'JPY', units, nanos: 0 });
    expect(pkg.paidAmount).toEqual(yen(20_000));
    expect(pkg.listPrice).toEqual(yen(20_000));
    expect(pkg.packageInfo.packagePrice).toEqual(yen(20_000));
    expect(pkg.remainingValue).toEqual(yen(20_000));
    // Spread 2 : 1 like the template's values, exact to the yen; the first item's last unit carries the odd yen.
    expect(pkg.packageServices.map((i: { value: unknown }) => i.value)).toEqual([yen(13_333), yen(6667)]);
    expect(pkg.packageServices.map((i: { services: { unitPrice: unknown }[] }) => i.services[0]!.unitPrice)).toEqual([yen(6667), yen(6667)]);
    const [sold] = await f.events(pkg.packageInfo.id);
    expect(sold).toMatchObject({ type: 'SOLD', valueChange: yen(20_000) });

    const after = await f.redeemOk(pkg.packageInfo.id, { serviceId: a, quantity: 2 });
    expect(after.package.remainingValue).toEqual(yen(6667));
  });

  it('echoes the invoice reference of the point of sale', async () => {
    const f = await makeFactory(t);
    const invoice = { id: 'inv_42', no: 'A-0042', receiptNo: 'R-9', status: 'PAID' };
    const pkg = await f.sell({ invoice });
    expect(pkg.invoice).toEqual(invoice);
    expect((await f.get(pkg.packageInfo.id)).invoice).toEqual(invoice);
  });

  it('records the selling staff member, and answers 404 for one that does not exist', async () => {
    const f = await makeFactory(t);
    expect((await f.call('PUT', '/staff/stf_1', { firstName: 'Grace', lastName: 'Hopper' })).status).toBe(200);
    expect((await f.sell({ staffId: 'stf_1' })).packageInfo.staffId).toBe('stf_1');
    expect((await f.sellRaw({ staffId: 'stf_nope' })).status).toBe(404);
  });

  it('answers 404 for an unknown template, customer or business', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template();
    for (const spec of [{ template: 'tpl_nope' }, { template: tpl.id, customerId: 'cus_nope' }, { template: tpl.id, businessId: 'bus_nope' }]) {
      const r = await f.sellRaw(spec);
      expect(r.status, JSON.stringify(spec)).toBe(404);
      expect(r.json.code).toBe(5);
    }
  });

  it('refuses to sell a template at a business that does not offer it', async () => {
    const f = await makeFactory(t);
    const other = await f.business();
    const tpl = await f.template({ businessIds: [f.businessId] });
    expectBadField(await f.sellRaw({ template: tpl.id, businessId: other }), 'businessId');
  });

  it('starts an ON_FIRST_REDEMPTION package at its first redemption', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { activation: 'ON_FIRST_REDEMPTION', validity: { days: 30 } } });
    expect(pkg.packageInfo).toMatchObject({ startTime: null, endTime: null, expirationDate: '9999-01-01' });
    expect(pkg).toMatchObject({ lifecycle: 'ACTIVE', activation: 'ON_FIRST_REDEMPTION', graceEndTime: null });
    t.clock.advance(10 * DAY);
    const r = await f.redeemOk(pkg.packageInfo.id);
    expect(r.package.packageInfo).toMatchObject({ startTime: '2026-03-20T15:00:00Z', endTime: '2026-04-19T15:00:00Z', expirationDate: '2026-04-19' });
    t.clock.advance(5 * DAY);
    const later = await f.redeemOk(pkg.packageInfo.id);
    expect(later.package.packageInfo).toMatchObject({ startTime: '2026-03-20T15:00:00Z', endTime: '2026-04-19T15:00:00Z' });
  });

  it('dates the contract example: bought 2023-01-15T02:00Z for 365 days in Los Angeles ends 2024-01-15T02:00Z, expiring 2024-01-14', async () => {
    t.clock.set(Date.parse('2023-01-20T00:00:00Z'));
    const f = await makeFactory(t, { timeZone: 'America/Los_Angeles' });
    const pkg = await f.sell({ purchaseTime: '2023-01-15T02:00:00Z' });
    expect(pkg.packageInfo).toMatchObject({ startTime: '2023-01-15T02:00:00Z', endTime: '2024-01-15T02:00:00Z', expirationDate: '2024-01-14' });
    expect(pkg.graceEndTime).toBe('2024-01-15T08:00:00Z');
    expect(pkg.timeZone).toBe('America/Los_Angeles');
  });

  it('keeps it redeemable through the whole local expiration date and refuses it the next local day', async () => {
    t.clock.set(Date.parse('2023-01-20T00:00:00Z'));
    const f = await makeFactory(t, { timeZone: 'America/Los_Angeles' });
    const pkg = await f.sell({ purchaseTime: '2023-01-15T02:00:00Z' });
    const id = pkg.packageInfo.id;
    t.clock.set(Date.parse('2024-01-15T07:59:00Z')); // 23:59 on 2024-01-14 in Los Angeles
    expect((await f.redeem(id)).status).toBe(200);
    t.clock.set(Date.parse('2024-01-15T08:00:00Z')); // midnight starting 2024-01-15
    const refused = await f.redeem(id);
    expectRefused(refused, 'PACKAGE_EXPIRED');
    expect(refused.json.details[0].metadata.packageId).toBe(id);
    expect((await f.get(id))).toMatchObject({ lifecycle: 'EXPIRED', redeemable: false, notRedeemableReason: 'PACKAGE_EXPIRED' });
  });

  it('allows redemption during the grace days and refuses it after them', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { validity: { days: 10 }, gracePeriodDays: 3 } });
    const id = pkg.packageInfo.id;
    expect(pkg.packageInfo.expirationDate).toBe('2026-03-20');
    expect(pkg.graceEndTime).toBe('2026-03-24T00:00:00Z');
    t.clock.set(Date.parse('2026-03-23T23:00:00Z'));
    expect((await f.get(id)).lifecycle).toBe('ACTIVE');
    expect((await f.redeem(id)).status).toBe(200);
    t.clock.set(Date.parse('2026-03-24T00:00:00Z'));
    expectRefused(await f.redeem(id), 'PACKAGE_EXPIRED');
  });

  it('ends a one-month package sold on 31 January on the last day of February', async () => {
    t.clock.set(Date.parse('2023-03-01T00:00:00Z'));
    const f = await makeFactory(t);
    const tpl = await f.template({ validity: { months: 1 } });
    const plain = await f.sell({ template: tpl.id, purchaseTime: '2023-01-31T15:00:00Z' });
    expect(plain.packageInfo).toMatchObject({ endTime: '2023-02-28T15:00:00Z', expirationDate: '2023-02-28' });
    t.clock.set(Date.parse('2024-03-01T00:00:00Z'));
    const leap = await f.sell({ template: tpl.id, purchaseTime: '2024-01-31T15:00:00Z' });
    expect(leap.packageInfo).toMatchObject({ endTime: '2024-02-29T15:00:00Z', expirationDate: '2024-02-29' });
  });

  it('dates a package that never expires 9999-01-01, and keeps it active for years', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell({ template: { validity: { never: true } } });
    expect(pkg.packageInfo).toMatchObject({ startTime: NOW, endTime: null, expirationDate: '9999-01-01' });
    expect(pkg.graceEndTime).toBeNull();
    t.clock.advance(3650 * DAY);
    expect((await f.redeem(pkg.packageInfo.id)).status).toBe(200);
  });

  it('lets STAFF sell but not a VIEWER', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template();
    const staff = await f.c.newKey('STAFF');
    const viewer = await f.c.newKey('VIEWER');
    expect((await f.sellRaw({ template: tpl.id }, staff.auth)).status).toBe(200);
    const refused = await f.sellRaw({ template: tpl.id }, viewer.auth);
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe(7);
    expect((await f.call('GET', `/customers/${f.customerId}/packages`)).json.packages).toHaveLength(1);
  });

  it('shows each item with its services, quantities and values', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell();
    expect(itemOf(pkg, f.serviceId)).toMatchObject({
      id: expect.stringMatching(/^psv_/),
      packageId: pkg.packageInfo.id,
      services: [{ serviceId: f.serviceId, name: 'Basic grooming', unitPrice: money('30.00') }],
      totalQuantity: 5,
      remainingQuantity: 5,
      usedQuantity: 0,
      heldQuantity: 0,
      value: money('150.00'),
      remainingValue: money('150.00'),
    });
  });

  it('answers 404 for a package that does not exist', async () => {
    const f = await makeFactory(t);
    const r = await f.call('GET', '/packages/pkg_nope');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe(5);
    expect((await f.call('GET', '/packages/pkg_nope/events')).status).toBe(404);
  });

  it("answers 404 for the packages of a customer that does not exist", async () => {
    const f = await makeFactory(t);
    const r = await f.call('GET', '/customers/cus_nope/packages');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe(5);
  });

  it('keeps packages to their company', async () => {
    const f = await makeFactory(t);
    const g = await makeFactory(t);
    const pkg = await f.sell();
    expect((await g.call('GET', `/packages/${pkg.packageInfo.id}`)).status).toBe(404);
    expect((await g.redeem(pkg.packageInfo.id, { businessId: g.businessId })).status).toBe(404);
    expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(5);
  });

  it('answers times in RFC 3339 and money as google.type.Money in the event details too', async () => {
    const f = await makeFactory(t);
    const pkg = await f.sell();
    await f.hold(pkg.packageInfo.id);
    const [sold, held] = await f.events(pkg.packageInfo.id);
    // The contract: "Money is google.type.Money", "Times are RFC 3339 in UTC" — no internal {currency, minor}
    // or epoch milliseconds leaking into the history's details.
    expect(sold.details.price).toEqual(money('150.00'));
    expect(sold.details.listPrice).toEqual(money('150.00'));
    expect(held.details.holdExpireTime).toBe('2026-03-11T15:00:00Z');
  });

});
