import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { sweepExpiredPackages } from '../../src/application/sweeper.js';
import { cents, expectBadField, ledgerSum, makeFactory, money, usdCents, type Factory, type Json } from '../support/factories.js';

const NOW = '2026-03-10T15:00:00Z';
const DAY = 86_400_000;

const LINE_FIELDS = ['opening', 'sold', 'imported', 'redeemed', 'refunded', 'refundsPaid', 'expired', 'adjusted', 'closing'] as const;
type Line<T> = Record<(typeof LINE_FIELDS)[number], T>;
const inCents = (line: Json) => Object.fromEntries(LINE_FIELDS.map((k) => [k, cents(line[k])])) as Line<number>;
/** A line's amounts as exact minor units of a currency without decimals (JPY), whether units came as a number or a string. */
const inYen = (line: Json) =>
  Object.fromEntries(
    LINE_FIELDS.map((k) => {
      expect(line[k]).toMatchObject({ currencyCode: 'JPY', nanos: 0 });
      return [k, BigInt(line[k].units)];
    }),
  ) as Line<bigint>;
/** closing = opening + sold + imported − redeemed − refunded − expired + adjusted, to the minor unit. */
function expectClosingAddsUp(line: Line<number> | Line<bigint>) {
  const c = Object.fromEntries(Object.entries(line).map(([k, v]) => [k, BigInt(v)])) as Line<bigint>;
  expect(c.closing).toBe(c.opening + c.sold + c.imported - c.redeemed - c.refunded - c.expired + c.adjusted);
}

describe.each(ENGINES)('reports on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse(NOW)));

  describe('liability', () => {
    /**
     * 03-10: A $150 (5 × 30) and B $100 (3 units, 3 days) and C $90 (6 × 15) are sold; A uses 2, B uses 1.
     * 03-11: C uses 1 and is cancelled with a FULL refund; A loses a unit by adjustment.
     * 03-15: one of A's visits is reversed; B expired at 2026-03-14T00:00Z (breakage).
     */
    async function history(f: Factory) {
      const a = await f.sell({ template: { price: '150.00', items: [{ quantity: 5 }] } });
      const b = await f.sell({ template: { price: '100.00', items: [{ quantity: 3 }], validity: { days: 3 } } });
      const cService = await f.service({ price: '15.00' });
      const c = await f.sell({ template: { items: [{ serviceIds: [cService], quantity: 6 }] } });
      const [aId, bId, cId] = [a.packageInfo.id, b.packageInfo.id, c.packageInfo.id];
      const aVisit = await f.redeemOk(aId, { quantity: 1 });
      await f.redeemOk(aId, { quantity: 1 });
      await f.redeemOk(bId);
      t.clock.advance(DAY);
      await f.redeemOk(cId, { serviceId: cService });
      expect((await f.call('POST', `/packages/${cId}:cancel`, { refund: 'FULL', reason: 'moved away' })).status).toBe(200);
      expect((await f.call('POST', `/packages/${aId}:adjust`, { packageServiceId: a.packageServices[0].id, delta: -1, reason: 'correction' })).status).toBe(200);
      t.clock.set(Date.parse('2026-03-15T12:00:00Z'));
      expect((await f.call('POST', `/redemptions/${aVisit.redemption.id}:reverse`, { reason: 'no-show was ours' })).status).toBe(200);
      await sweepExpiredPackages(t.deps);
      return { aId, bId, cId };
    }

    it('adds up sold, redeemed, refunded, expired and adjusted to the closing balance, exactly', async () => {
      const f = await makeFactory(t);
      const { aId, bId, cId } = await history(f);
      const bEvents = await f.events(bId);
      expect(bEvents.at(-1)).toMatchObject({ type: 'EXPIRED', time: '2026-03-14T00:00:00Z', valueChange: usdCents(-6667), actor: 'system' });
      expect(ledgerSum(bEvents)).toBe(0);

      const r = await f.call('GET', `/reports/liability?asOf=2026-03-15&businessId=${f.businessId}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ asOf: '2026-03-15', to: '2026-03-15', from: '' });
      expect(r.json.businesses).toHaveLength(1);
      const line = r.json.businesses[0];
      expect(line).toMatchObject({ businessId: f.businessId, currencyCode: 'USD' });
      expect(inCents(line)).toEqual({
        opening: 0,
        sold: 34_000,
        imported: 0,
        redeemed: 6000 + 3333 + 1500 - 3000,
        refunded: 7500,
        refundsPaid: 9000,
        expired: 6667,
        adjusted: -3000,
        closing: 9000,
      });
      const c = inCents(line);
      expectClosingAddsUp(c);
      // The closing balance is what the packages still owe.
      let outstanding = 0;
      for (const id of [aId, bId, cId]) outstanding += cents((await f.get(id)).remainingValue);
      expect(outstanding).toBe(c.closing);
    });

    it('opens a period with the balance at the end of the day before it', async () => {
      const f = await makeFactory(t);
      await history(f);
      const r = await f.call('GET', `/reports/liability?from=2026-03-11&to=2026-03-15&businessId=${f.businessId}`);
      expect(r.json).toMatchObject({ from: '2026-03-11', to: '2026-03-15' });
      const c = inCents(r.json.businesses[0]);
      expect(c).toEqual({ opening: 24_667, sold: 0, imported: 0, redeemed: 1500 - 3000, refunded: 7500, refundsPaid: 9000, expired: 6667, adjusted: -3000, closing: 9000 });
      expectClosingAddsUp(c);
    });

    it('reports the balance as of an earlier day from the history alone', async () => {
      const f = await makeFactory(t);
      await history(f);
      const first = inCents((await f.call('GET', `/reports/liability?asOf=2026-03-10&businessId=${f.businessId}`)).json.businesses[0]);
      expect(first).toEqual({ opening: 0, sold: 34_000, imported: 0, redeemed: 9333, refunded: 0, refundsPaid: 0, expired: 0, adjusted: 0, closing: 24_667 });
      const beforeExpiry = inCents((await f.call('GET', `/reports/liability?asOf=2026-03-13&businessId=${f.businessId}`)).json.businesses[0]);
      expect(beforeExpiry.expired).toBe(0);
      expect(beforeExpiry.closing).toBe(24_667 - 1500 - 7500 - 3000);
    });

    it('reports every business separately, or one when asked', async () => {
      const f = await makeFactory(t);
      const second = await f.business({ name: 'Uptown' });
      await f.sell({ template: { price: '150.00' } });
      await f.sell({ template: { price: '80.00' }, businessId: second });
      const all = await f.call('GET', '/reports/liability');
      const byId = Object.fromEntries(all.json.businesses.map((l: Json) => [l.businessId, cents(l.closing)]));
      expect(byId).toEqual({ [f.businessId]: 15_000, [second]: 8000 });
      const one = await f.call('GET', `/reports/liability?businessId=${second}`);
      expect(one.json.businesses.map((l: Json) => [l.businessId, l.businessName, cents(l.sold)])).toEqual([[second, 'Uptown', 8000]]);
    });

    it("reports up to the business's own today when no date is given, also east of UTC", async () => {
      // 2026-03-10T20:00Z is already 2026-03-11 05:00 in Tokyo: a package sold a moment ago is owed today.
      t.clock.set(Date.parse('2026-03-10T20:00:00Z'));
      const f = await makeFactory(t, { timeZone: 'Asia/Tokyo' });
      const pkg = await f.sell({ template: { price: '150.00' } });
      const r = await f.call('GET', '/reports/liability');
      expect(r.status).toBe(200);
      const line = inCents(r.json.businesses[0]);
      expect(line.sold).toBe(15_000);
      expect(line.closing).toBe(cents(pkg.remainingValue));
    });

    it('refuses from after to, a malformed date, and an unknown business', async () => {
      const f = await makeFactory(t);
      expectBadField(await f.call('GET', '/reports/liability?from=2026-03-12&to=2026-03-11'), 'from');
      expectBadField(await f.call('GET', '/reports/liability?asOf=03/10/2026'), 'asOf');
      expect((await f.call('GET', '/reports/liability?businessId=bus_nope')).status).toBe(404);
    });

    it('lets a VIEWER read it', async () => {
      const f = await makeFactory(t);
      const viewer = await f.c.newKey('VIEWER');
      expect((await f.call('GET', '/reports/liability', undefined, viewer.auth)).status).toBe(200);
    });

    it('takes a refund of an expired package out of breakage, and still adds up', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { price: '90.00', items: [{ quantity: 3 }], validity: { days: 3 } } });
      const id = pkg.packageInfo.id;
      await f.redeemOk(id);
      t.clock.advance(4 * DAY);
      await sweepExpiredPackages(t.deps);
      const expired = inCents((await f.call('GET', `/reports/liability?businessId=${f.businessId}`)).json.businesses[0]);
      expect(expired).toMatchObject({ sold: 9000, redeemed: 3000, refunded: 0, expired: 6000, closing: 0 });
      expect((await f.call('POST', `/packages/${id}:cancel`, { refund: 'FULL', reason: 'goodwill' })).status).toBe(200);
      const c = inCents((await f.call('GET', `/reports/liability?businessId=${f.businessId}`)).json.businesses[0]);
      // The $60 that had expired is refunded instead; the $30 more paid back is refundsPaid only.
      expect(c).toEqual({ opening: 0, sold: 9000, imported: 0, redeemed: 3000, refunded: 6000, refundsPaid: 9000, expired: 0, adjusted: 0, closing: 0 });
      expectClosingAddsUp(c);
    });

    it('reports a package sold in yen from a dollar template in yen', async () => {
      const f = await makeFactory(t, { currencyCode: 'JPY' });
      const usdService = await f.service({ price: money('50.00') });
      const tpl = await f.template({ price: '150.00', items: [{ serviceIds: [usdService], quantity: 3 }] });
      const pkg = await f.sell({ template: tpl.id, price: money('20000', 'JPY') });
      await f.redeemOk(pkg.packageInfo.id, { serviceId: usdService });
      const r = await f.call('GET', `/reports/liability?businessId=${f.businessId}`);
      const line = r.json.businesses[0];
      expect(line).toMatchObject({ currencyCode: 'JPY', sold: { currencyCode: 'JPY', units: 20_000, nanos: 0 } });
      const c = inYen(line);
      expect(c).toEqual({ opening: 0n, sold: 20_000n, imported: 0n, redeemed: 6667n, refunded: 0n, refundsPaid: 0n, expired: 0n, adjusted: 0n, closing: 13_333n });
      expect(BigInt((await f.get(pkg.packageInfo.id)).remainingValue.units)).toBe(c.closing);
    });

    /**
     * Sells `count` packages, a few at a time where the engine can take them in parallel: a report past 2^53
     * needs thousands of sales of the largest amount one sale may carry.
     */
    async function sellMany(f: Factory, count: number, spec: Parameters<Factory['sell']>[0]) {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          await f.sell(spec);
        }
      };
      await Promise.all(Array.from({ length: engine === 'postgres' ? 4 : 1 }, worker));
    }

    it('adds sums past 2^53 exactly, writing units as a string past 2^53 and as a number up to it', async () => {
      // 9008 × 10^12 yen passes 2^53 = 9,007,199,254,740,992 (units, JPY having no minor unit); one yen more makes
      // the sum odd, which no double above 2^53 can hold. In dollars the same sums would stay JSON numbers.
      const f = await makeFactory(t, { currencyCode: 'JPY' });
      const largest = await f.template({ price: { currencyCode: 'JPY', units: 1_000_000_000_000 }, items: [{ quantity: 2 }] });
      await sellMany(f, 4504, { template: largest.id, purchaseTime: '2026-03-09T12:00:00Z' });
      await sellMany(f, 4504, { template: largest.id });
      const odd = await f.sell({ template: largest.id, price: { currencyCode: 'JPY', units: 1 } });
      t.clock.set(Date.parse('2026-03-11T12:00:00Z'));
      await f.redeemOk(odd.packageInfo.id);
      const big = await f.sell({ template: largest.id });
      await f.redeemOk(big.packageInfo.id, { quantity: 2 });

      const report = async (query: string) => {
        const r = await f.call('GET', `/reports/liability?businessId=${f.businessId}&${query}`);
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        return r.json.businesses[0];
      };
      const firstDay = await report('asOf=2026-03-09');
      expect(firstDay.sold).toEqual({ currencyCode: 'JPY', units: 4_504_000_000_000_000, nanos: 0 });
      expect(inYen(firstDay)).toMatchObject({ sold: 4_504_000_000_000_000n, closing: 4_504_000_000_000_000n });

      const secondDay = await report('asOf=2026-03-10');
      expect(secondDay.sold).toEqual({ currencyCode: 'JPY', units: '9008000000000001', nanos: 0 });
      expect(secondDay.closing).toEqual({ currencyCode: 'JPY', units: '9008000000000001', nanos: 0 });
      expectClosingAddsUp(inYen(secondDay));

      const all = await report('asOf=2026-03-11');
      const c = inYen(all);
      expect(c).toEqual({
        opening: 0n,
        sold: 9_009_000_000_000_001n,
        imported: 0n,
        redeemed: 1_000_000_000_001n,
        refunded: 0n,
        refundsPaid: 0n,
        expired: 0n,
        adjusted: 0n,
        closing: 9_008_000_000_000_000n,
      });
      expect(all.sold.units).toBe('9009000000000001');
      expect(all.redeemed.units).toBe(1_000_000_000_001);
      expectClosingAddsUp(c);

      // An opening balance under 2^53 stays a number; the movements after it add up to the closing.
      const period = await report('from=2026-03-10&to=2026-03-11');
      expect(period.opening).toEqual({ currencyCode: 'JPY', units: 4_504_000_000_000_000, nanos: 0 });
      expect(period.sold).toEqual({ currencyCode: 'JPY', units: 4_505_000_000_000_001, nanos: 0 });
      expect(period.closing).toEqual({ currencyCode: 'JPY', units: '9008000000000000', nanos: 0 });
      expectClosingAddsUp(inYen(period));
    }, 300_000);

    it('writes dollar sums of the largest amounts as numbers of units, exact to the cent', async () => {
      const f = await makeFactory(t);
      const largest = await f.template({ price: { currencyCode: 'USD', units: 10_000_000_000 }, items: [{ quantity: 1 }] });
      await sellMany(f, 10, { template: largest.id });
      await f.sell({ template: largest.id, price: '0.01' });
      const line = (await f.call('GET', `/reports/liability?businessId=${f.businessId}`)).json.businesses[0];
      // 10^13 + 1 cents: units 100,000,000,000 with one cent of nanos.
      expect(line.sold).toEqual({ currencyCode: 'USD', units: 100_000_000_000, nanos: 10_000_000 });
      expect(line.closing).toEqual(line.sold);
    });
  });

  describe('expiring packages', () => {
    it('lists open packages expiring within the window, soonest first, with what is left', async () => {
      const f = await makeFactory(t);
      const days = async (n: number) => f.template({ validity: { days: n } });
      const in20 = await f.sell({ template: (await days(20)).id });
      const in5 = await f.sell({ template: (await days(5)).id });
      await f.sell({ template: (await days(40)).id });
      const frozen25 = await f.sell({ template: (await days(25)).id });
      await f.call('POST', `/packages/${frozen25.packageInfo.id}:freeze`, {});
      const cancelled10 = await f.sell({ template: (await days(10)).id });
      await f.call('POST', `/packages/${cancelled10.packageInfo.id}:cancel`, { refund: 'NONE' });
      const used15 = await f.sell({ template: { validity: { days: 15 }, items: [{ quantity: 1 }] } });
      await f.redeemOk(used15.packageInfo.id);
      await f.sell({ template: (await days(3)).id, purchaseTime: '2026-03-01T00:00:00Z' }); // expired on 03-04
      await f.redeemOk(in5.packageInfo.id, { quantity: 2 });

      const r = await f.call('GET', '/packages:expiring?withinDays=30');
      expect(r.status).toBe(200);
      expect(r.json.packages.map((p: Json) => p.packageInfo.id)).toEqual([in5.packageInfo.id, in20.packageInfo.id, frozen25.packageInfo.id]);
      expect(r.json.packages.map((p: Json) => p.packageInfo.expirationDate)).toEqual(['2026-03-15', '2026-03-30', '2026-04-04']);
      expect(r.json.packages[0].packageInfo.totalRemainingQuantity).toBe(3);
      expect(r.json.nextPageToken).toBe('');
      const narrow = await f.call('GET', '/packages:expiring?withinDays=7');
      expect(narrow.json.packages.map((p: Json) => p.packageInfo.id)).toEqual([in5.packageInfo.id]);
      const byDefault = await f.call('GET', '/packages:expiring');
      expect(byDefault.json.packages).toHaveLength(3);
    });

    it('drops a package from the list once it has expired, and keeps businesses apart', async () => {
      const f = await makeFactory(t);
      const second = await f.business();
      const here = await f.sell({ template: { validity: { days: 5 } } });
      const there = await f.sell({ template: { validity: { days: 6 } }, businessId: second });
      const only = await f.call('GET', `/packages:expiring?withinDays=30&businessId=${second}`);
      expect(only.json.packages.map((p: Json) => p.packageInfo.id)).toEqual([there.packageInfo.id]);
      t.clock.advance(6 * DAY);
      await sweepExpiredPackages(t.deps);
      const later = await f.call('GET', '/packages:expiring?withinDays=30');
      expect(later.json.packages.map((p: Json) => p.packageInfo.id)).toEqual([there.packageInfo.id]);
      expect((await f.get(here.packageInfo.id)).lifecycle).toBe('EXPIRED');
    });

    it('refuses a window outside 0–3660 days', async () => {
      const f = await makeFactory(t);
      expect((await f.call('GET', '/packages:expiring?withinDays=-1')).status).toBe(400);
      expect((await f.call('GET', '/packages:expiring?withinDays=9999')).status).toBe(400);
    });
  });
});
