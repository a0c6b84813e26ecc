import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { sweepLapsedHolds } from '../../src/application/sweeper.js';
import { cents, expectBadField, expectRefused, itemOf, ledgerSum, makeFactory, money, type Factory, type Json } from '../support/factories.js';

const NOW = '2026-03-10T15:00:00Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ids = (pkgs: Json[]) => pkgs.map((p) => p.packageInfo.id as string);

describe.each(ENGINES)('redeeming packages on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse(NOW)));

  describe('one visit at a time', () => {
    it('uses a unit, counts what is left and records REDEEMED with the balance after it', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const id = pkg.packageInfo.id;
      const r = await f.redeemOk(id, { quantity: 2, appointmentId: 'apt_1' });
      expect(r.redemption).toMatchObject({
        id: expect.stringMatching(/^red_/),
        packageId: id,
        packageServiceId: pkg.packageServices[0].id,
        serviceId: f.serviceId,
        quantity: 2,
        businessId: f.businessId,
        appointmentId: 'apt_1',
        status: 'COMMITTED',
        redeemTime: NOW,
        holdExpireTime: null,
        value: money('60.00'),
      });
      expect(r.package.packageInfo).toMatchObject({ totalRemainingQuantity: 3, used: true, applied: false });
      expect(itemOf(r.package, f.serviceId)).toMatchObject({ totalQuantity: 5, remainingQuantity: 3, usedQuantity: 2, heldQuantity: 0, remainingValue: money('90.00') });
      expect(r.package.remainingValue).toEqual(money('90.00'));
      const events = await f.events(id);
      expect(events.map((e) => [e.type, e.totalRemainingQuantityAfter])).toEqual([
        ['SOLD', 5],
        ['REDEEMED', 3],
      ]);
      expect(events[1]).toMatchObject({ redemptionId: r.redemption.id, packageServiceId: pkg.packageServices[0].id, quantity: 2, valueChange: money('-60.00') });
      expect(ledgerSum(events)).toBe(cents(r.package.remainingValue));
      const read = await f.call('GET', `/redemptions/${r.redemption.id}`);
      expect(read.json).toEqual(r.redemption);
    });

    it('pages the history oldest first', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      for (let n = 0; n < 4; n++) await f.redeemOk(pkg.packageInfo.id);
      const seen: number[] = [];
      let token = '';
      for (let page = 0; page < 10; page++) {
        const r = await f.call('GET', `/packages/${pkg.packageInfo.id}/events?pageSize=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
        expect(r.status).toBe(200);
        expect(r.json.events.length).toBeLessThanOrEqual(2);
        seen.push(...r.json.events.map((e: Json) => e.sequence));
        token = r.json.nextPageToken;
        if (!token) break;
      }
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      const all = await f.events(pkg.packageInfo.id);
      expect(all.map((e) => e.totalRemainingQuantityAfter)).toEqual([5, 4, 3, 2, 1]);
    });

    it('draws a service offered by two items from the most specific one first', async () => {
      const f = await makeFactory(t);
      const bath = await f.service({ name: 'Bath', price: '20.00' });
      const trim = await f.service({ name: 'Trim', price: '20.00' });
      const pkg = await f.sell({ template: { items: [{ serviceIds: [bath, trim], quantity: 2 }, { serviceIds: [bath], quantity: 1 }] } });
      const [anyOf, onlyBath] = pkg.packageServices.map((i: Json) => i.id);
      const first = await f.redeemOk(pkg.packageInfo.id, { serviceId: bath });
      expect(first.redemption.packageServiceId).toBe(onlyBath);
      const second = await f.redeemOk(pkg.packageInfo.id, { serviceId: bath });
      expect(second.redemption.packageServiceId).toBe(anyOf);
      const third = await f.redeemOk(pkg.packageInfo.id, { serviceId: trim });
      expect(third.redemption.packageServiceId).toBe(anyOf);
      expect(third.package.packageInfo.totalRemainingQuantity).toBe(0);
    });

    it('refuses a service the package does not include with SERVICE_NOT_IN_PACKAGE', async () => {
      const f = await makeFactory(t);
      const other = await f.service();
      const pkg = await f.sell();
      const r = await f.redeem(pkg.packageInfo.id, { serviceId: other });
      expectRefused(r, 'SERVICE_NOT_IN_PACKAGE');
      expect(r.json.details[0].metadata).toMatchObject({ packageId: pkg.packageInfo.id, serviceId: other });
    });

    it('refuses more units than are left with INSUFFICIENT_BALANCE and changes nothing', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 2 }] } });
      expectRefused(await f.redeem(pkg.packageInfo.id, { quantity: 3 }), 'INSUFFICIENT_BALANCE');
      expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(2);
      expect(await f.events(pkg.packageInfo.id)).toHaveLength(1);
    });

    it('becomes FULLY_REDEEMED after everything is used, and refuses another visit', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 2 }] } });
      await f.redeemOk(pkg.packageInfo.id, { quantity: 2 });
      const got = await f.get(pkg.packageInfo.id);
      expect(got).toMatchObject({ lifecycle: 'FULLY_REDEEMED', redeemable: false, remainingValue: money('0') });
      expect(got.packageInfo).toMatchObject({ lifecycle: 'FULLY_REDEEMED', totalRemainingQuantity: 0 });
      expectRefused(await f.redeem(pkg.packageInfo.id), 'PACKAGE_FULLY_REDEEMED');
    });

    it('refuses another business with WRONG_BUSINESS when the template restricts it, and allows it otherwise', async () => {
      const f = await makeFactory(t);
      const other = await f.business();
      const strict = await f.sell({ template: { restrictRedemptionToSellingBusiness: true } });
      const r = await f.redeem(strict.packageInfo.id, { businessId: other });
      expectRefused(r, 'WRONG_BUSINESS');
      expect(r.json.details[0].metadata.businessId).toBe(f.businessId);
      expect((await f.redeem(strict.packageInfo.id)).status).toBe(200);
      const open = await f.sell();
      expect((await f.redeem(open.packageInfo.id, { businessId: other })).status).toBe(200);
    });

    it('refuses a frozen package with PACKAGE_FROZEN and a cancelled one with PACKAGE_CANCELLED', async () => {
      const f = await makeFactory(t);
      const frozen = await f.sell();
      expect((await f.call('POST', `/packages/${frozen.packageInfo.id}:freeze`, { reason: 'travel' })).status).toBe(200);
      expectRefused(await f.redeem(frozen.packageInfo.id), 'PACKAGE_FROZEN');
      const cancelled = await f.sell();
      expect((await f.call('POST', `/packages/${cancelled.packageInfo.id}:cancel`, { refund: 'NONE', reason: 'moved away' })).status).toBe(200);
      expectRefused(await f.redeem(cancelled.packageInfo.id), 'PACKAGE_CANCELLED');
    });

    it('records a visit redeemed late at its own time, but not before the purchase nor in the future', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ purchaseTime: '2026-03-01T10:00:00Z' });
      const late = await f.redeemOk(pkg.packageInfo.id, { redeemTime: '2026-03-05T10:00:00Z' });
      expect(late.redemption.redeemTime).toBe('2026-03-05T10:00:00Z');
      expectBadField(await f.redeem(pkg.packageInfo.id, { redeemTime: '2026-02-01T10:00:00Z' }), 'redeemTime');
      expectBadField(await f.redeem(pkg.packageInfo.id, { redeemTime: '2026-03-12T10:00:00Z' }), 'redeemTime');
    });

    it('refuses a zero quantity and an unknown business', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      expectBadField(await f.redeem(pkg.packageInfo.id, { quantity: 0 }), 'quantity');
      expect((await f.redeem(pkg.packageInfo.id, { businessId: 'bus_nope' })).status).toBe(404);
      expect((await f.redeem('pkg_nope')).status).toBe(404);
    });

    it('lets STAFF redeem but not a VIEWER', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const staff = await f.c.newKey('STAFF');
      const viewer = await f.c.newKey('VIEWER');
      expect((await f.redeem(pkg.packageInfo.id, {}, staff.auth)).status).toBe(200);
      const refused = await f.redeem(pkg.packageInfo.id, {}, viewer.auth);
      expect(refused.status).toBe(403);
      expect(refused.json.code).toBe(7);
      expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(4);
    });
  });

  describe('holds', () => {
    it('reserves units with a hold: fewer left, held shown, applied, nothing used yet', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const r = await f.hold(pkg.packageInfo.id, { quantity: 2 });
      expect(r.redemption).toMatchObject({ status: 'PENDING', holdExpireTime: '2026-03-11T15:00:00Z', value: money('0') });
      expect(r.package.packageInfo).toMatchObject({ totalRemainingQuantity: 3, applied: true, used: false });
      expect(itemOf(r.package, f.serviceId)).toMatchObject({ remainingQuantity: 3, heldQuantity: 2, usedQuantity: 0 });
      expect(r.package.holds).toEqual([r.redemption]);
      expect(r.package.remainingValue).toEqual(money('150.00'));
      expect((await f.events(pkg.packageInfo.id)).map((e) => [e.type, e.totalRemainingQuantityAfter])).toEqual([
        ['SOLD', 5],
        ['HELD', 3],
      ]);
    });

    it('uses a held visit on commit', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const held = await f.hold(pkg.packageInfo.id, { quantity: 2 });
      const c = await f.call('POST', `/redemptions/${held.redemption.id}:commit`);
      expect(c.status).toBe(200);
      expect(c.json.redemption).toMatchObject({ id: held.redemption.id, status: 'COMMITTED', value: money('60.00') });
      expect(c.json.package.packageInfo).toMatchObject({ totalRemainingQuantity: 3, used: true, applied: false });
      expect(itemOf(c.json.package, f.serviceId)).toMatchObject({ remainingQuantity: 3, heldQuantity: 0, usedQuantity: 2 });
      expect(c.json.package.remainingValue).toEqual(money('90.00'));
      const events = await f.events(pkg.packageInfo.id);
      expect(events.map((e) => e.type)).toEqual(['SOLD', 'HELD', 'COMMITTED']);
      expect(ledgerSum(events)).toBe(9000);
    });

    it('gives a held visit back on release', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const held = await f.hold(pkg.packageInfo.id, { quantity: 2 });
      const r = await f.call('POST', `/redemptions/${held.redemption.id}:release`);
      expect(r.status).toBe(200);
      expect(r.json.redemption.status).toBe('RELEASED');
      expect(r.json.package.packageInfo).toMatchObject({ totalRemainingQuantity: 5, applied: false, used: false });
      expect(itemOf(r.json.package, f.serviceId)).toMatchObject({ remainingQuantity: 5, heldQuantity: 0 });
      expect((await f.events(pkg.packageInfo.id)).map((e) => [e.type, e.totalRemainingQuantityAfter])).toEqual([
        ['SOLD', 5],
        ['HELD', 3],
        ['RELEASED', 5],
      ]);
    });

    it('refuses to commit or release a hold twice with HOLD_NOT_PENDING', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const a = await f.hold(pkg.packageInfo.id);
      expect((await f.call('POST', `/redemptions/${a.redemption.id}:commit`)).status).toBe(200);
      expectRefused(await f.call('POST', `/redemptions/${a.redemption.id}:commit`), 'HOLD_NOT_PENDING');
      expectRefused(await f.call('POST', `/redemptions/${a.redemption.id}:release`), 'HOLD_NOT_PENDING');
      const b = await f.hold(pkg.packageInfo.id);
      expect((await f.call('POST', `/redemptions/${b.redemption.id}:release`)).status).toBe(200);
      expectRefused(await f.call('POST', `/redemptions/${b.redemption.id}:release`), 'HOLD_NOT_PENDING');
      expectRefused(await f.call('POST', `/redemptions/${b.redemption.id}:commit`), 'HOLD_NOT_PENDING');
      const direct = await f.redeemOk(pkg.packageInfo.id);
      expectRefused(await f.call('POST', `/redemptions/${direct.redemption.id}:commit`), 'HOLD_NOT_PENDING');
      expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(3);
    });

    it('gives an expired hold back by itself on read, and records HOLD_EXPIRED when the package is next touched', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const id = pkg.packageInfo.id;
      const held = await f.hold(id, { quantity: 2 });
      t.clock.advance(DAY + 1000);
      const read = await f.get(id);
      expect(read.packageInfo).toMatchObject({ totalRemainingQuantity: 5, applied: false });
      expect(itemOf(read, f.serviceId)).toMatchObject({ remainingQuantity: 5, heldQuantity: 0 });
      expect(read.holds).toEqual([]);
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'HELD']);
      expectRefused(await f.call('POST', `/redemptions/${held.redemption.id}:commit`), 'HOLD_NOT_PENDING');

      await f.redeemOk(id);
      const events = await f.events(id);
      expect(events.map((e) => [e.type, e.totalRemainingQuantityAfter])).toEqual([
        ['SOLD', 5],
        ['HELD', 3],
        ['HOLD_EXPIRED', 5],
        ['REDEEMED', 4],
      ]);
      expect(events[2]).toMatchObject({ redemptionId: held.redemption.id, quantity: 2, time: '2026-03-11T15:00:00Z', actor: expect.any(String) });
      expect((await f.call('GET', `/redemptions/${held.redemption.id}`)).json.status).toBe('EXPIRED');
    });

    it('reads a lapsed hold as EXPIRED, like the package does, before the sweeper records it', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const held = await f.hold(pkg.packageInfo.id);
      t.clock.advance(DAY + 1000);
      expect((await f.get(pkg.packageInfo.id)).holds).toEqual([]);
      const r = await f.call('GET', `/redemptions/${held.redemption.id}`);
      expect(r.status).toBe(200);
      expect(r.json.status).toBe('EXPIRED');
    });

    it('records HOLD_EXPIRED when the sweeper runs, as of the hold expiry', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const held = await f.hold(id, { holdExpireTime: '2026-03-10T18:00:00Z' });
      expect(held.redemption.holdExpireTime).toBe('2026-03-10T18:00:00Z');
      t.clock.set(Date.parse('2026-03-10T17:59:59Z'));
      await sweepLapsedHolds(t.deps);
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'HELD']);
      t.clock.set(Date.parse('2026-03-10T18:00:00Z'));
      await sweepLapsedHolds(t.deps);
      const events = await f.events(id);
      expect(events.map((e) => e.type)).toEqual(['SOLD', 'HELD', 'HOLD_EXPIRED']);
      expect(events[2]).toMatchObject({ time: '2026-03-10T18:00:00Z', actor: 'system', totalRemainingQuantityAfter: 5 });
      await sweepLapsedHolds(t.deps);
      expect(await f.events(id)).toHaveLength(3);
    });

    it('refuses a hold expiry in the past, and an expiry without a hold', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      expectBadField(await f.redeem(pkg.packageInfo.id, { hold: true, holdExpireTime: '2026-03-10T14:00:00Z' }), 'holdExpireTime');
      expectBadField(await f.redeem(pkg.packageInfo.id, { holdExpireTime: '2026-03-11T14:00:00Z' }), 'holdExpireTime');
    });

    it('counts a fully held package as not fully redeemed until its holds are used', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 1 }] } });
      const held = await f.hold(pkg.packageInfo.id);
      expect(held.package.lifecycle).toBe('ACTIVE');
      expectRefused(await f.redeem(pkg.packageInfo.id), 'INSUFFICIENT_BALANCE');
      const c = await f.call('POST', `/redemptions/${held.redemption.id}:commit`);
      expect(c.json.package.lifecycle).toBe('FULLY_REDEEMED');
    });
  });

  describe('reversals', () => {
    it('gives the units of a used visit back, and its value', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const r = await f.redeemOk(pkg.packageInfo.id, { quantity: 2 });
      const back = await f.call('POST', `/redemptions/${r.redemption.id}:reverse`, { reason: 'visit cancelled' });
      expect(back.status).toBe(200);
      expect(back.json.redemption.status).toBe('REVERSED');
      expect(back.json.package.packageInfo).toMatchObject({ totalRemainingQuantity: 5, used: false });
      expect(back.json.package.remainingValue).toEqual(money('150.00'));
      const events = await f.events(pkg.packageInfo.id);
      expect(events.map((e) => e.type)).toEqual(['SOLD', 'REDEEMED', 'REVERSED']);
      expect(events[2]).toMatchObject({ valueChange: money('60.00'), totalRemainingQuantityAfter: 5, details: { reason: 'visit cancelled' } });
    });

    it('refuses to reverse twice with ALREADY_REVERSED', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const r = await f.redeemOk(pkg.packageInfo.id);
      expect((await f.call('POST', `/redemptions/${r.redemption.id}:reverse`, { reason: 'x' })).status).toBe(200);
      expectRefused(await f.call('POST', `/redemptions/${r.redemption.id}:reverse`, { reason: 'x' }), 'ALREADY_REVERSED');
      expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(5);
    });

    it('refuses to reverse a pending hold with FAILED_PRECONDITION HOLD_PENDING', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const held = await f.hold(pkg.packageInfo.id);
      expectRefused(await f.call('POST', `/redemptions/${held.redemption.id}:reverse`, { reason: 'x' }), 'HOLD_PENDING');
      expect((await f.get(pkg.packageInfo.id)).packageInfo).toMatchObject({ totalRemainingQuantity: 4, applied: true });
    });

    it('reverses a committed hold like any used visit', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const held = await f.hold(pkg.packageInfo.id);
      await f.call('POST', `/redemptions/${held.redemption.id}:commit`);
      const back = await f.call('POST', `/redemptions/${held.redemption.id}:reverse`, {});
      expect(back.status).toBe(200);
      expect(back.json.package.packageInfo.totalRemainingQuantity).toBe(5);
    });

    it('answers 404 for a redemption that does not exist', async () => {
      const f = await makeFactory(t);
      for (const step of ['commit', 'release', 'reverse']) {
        expect((await f.call('POST', `/redemptions/red_nope:${step}`, step === 'reverse' ? {} : undefined)).status).toBe(404);
      }
    });
  });

  describe('auto-apply', () => {
    async function wallet(f: Factory) {
      const other = await f.service({ name: 'Nails' });
      const tpl = (days: number) => f.template({ validity: { days } });
      const [t60, t30, t10, t365] = [await tpl(60), await tpl(30), await tpl(10), await tpl(365)];
      const later = await f.sell({ template: t60.id });
      const soon = await f.sell({ template: t30.id });
      const frozen = await f.sell({ template: t10.id });
      await f.call('POST', `/packages/${frozen.packageInfo.id}:freeze`, {});
      const expired = await f.sell({ template: t365.id, purchaseTime: '2025-03-01T00:00:00Z' });
      const nails = await f.sell({ template: { items: [{ serviceIds: [other], quantity: 3 }], validity: { days: 5 } } });
      return { later, soon, frozen, expired, nails, other };
    }

    it('lists the redeemable packages, the one that expires first first, skipping frozen, expired and other-service ones', async () => {
      const f = await makeFactory(t);
      const w = await wallet(f);
      const r = await f.call('GET', `/customers/${f.customerId}/packages:redeemable?serviceId=${f.serviceId}&businessId=${f.businessId}`);
      expect(r.status).toBe(200);
      expect(ids(r.json.packages)).toEqual([w.soon.packageInfo.id, w.later.packageInfo.id]);
      const nails = await f.call('GET', `/customers/${f.customerId}/packages:redeemable?serviceId=${w.other}&businessId=${f.businessId}`);
      expect(ids(nails.json.packages)).toEqual([w.nails.packageInfo.id]);
    });

    it('redeems from the package that expires first', async () => {
      const f = await makeFactory(t);
      const w = await wallet(f);
      const r = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, { serviceId: f.serviceId, quantity: 1, businessId: f.businessId });
      expect(r.status).toBe(200);
      expect(r.json.redemption.packageId).toBe(w.soon.packageInfo.id);
      expect(r.json.package.packageInfo.totalRemainingQuantity).toBe(4);
    });

    it('prefers the package bought first when two expire together', async () => {
      const f = await makeFactory(t);
      // Sold in this order, but the second was bought first; both end 2026-04-09T15:00:00Z.
      const boughtLater = await f.sell({ template: { validity: { days: 35 } }, purchaseTime: '2026-03-05T15:00:00Z' });
      const boughtFirst = await f.sell({ template: { validity: { days: 39 } }, purchaseTime: '2026-03-01T15:00:00Z' });
      expect(boughtLater.packageInfo.endTime).toBe(boughtFirst.packageInfo.endTime);
      const list = await f.call('GET', `/customers/${f.customerId}/packages:redeemable?serviceId=${f.serviceId}&businessId=${f.businessId}`);
      expect(ids(list.json.packages)).toEqual([boughtFirst.packageInfo.id, boughtLater.packageInfo.id]);
      const r = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, { serviceId: f.serviceId, quantity: 1, businessId: f.businessId });
      expect(r.json.redemption.packageId).toBe(boughtFirst.packageInfo.id);
    });

    it('moves on to the next package when the first has too few units', async () => {
      const f = await makeFactory(t);
      const small = await f.sell({ template: { items: [{ quantity: 1 }], validity: { days: 10 } } });
      const big = await f.sell({ template: { items: [{ quantity: 5 }], validity: { days: 20 } } });
      const r = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, { serviceId: f.serviceId, quantity: 2, businessId: f.businessId });
      expect(r.status).toBe(200);
      expect(r.json.redemption.packageId).toBe(big.packageInfo.id);
      expect((await f.get(small.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(1);
    });

    it('refuses with NO_REDEEMABLE_PACKAGE when no package can take it', async () => {
      const f = await makeFactory(t);
      const w = await wallet(f);
      const stranger = await f.service();
      expectRefused(await f.call('POST', `/customers/${f.customerId}/packages:redeem`, { serviceId: stranger, quantity: 1, businessId: f.businessId }), 'NO_REDEEMABLE_PACKAGE');
      const empty = await f.customer();
      expectRefused(await f.call('POST', `/customers/${empty}/packages:redeem`, { serviceId: f.serviceId, quantity: 1, businessId: f.businessId }), 'NO_REDEEMABLE_PACKAGE');
      expect((await f.call('GET', `/customers/${empty}/packages:redeemable?serviceId=${f.serviceId}&businessId=${f.businessId}`)).json.packages).toEqual([]);
      expect((await f.get(w.frozen.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(5);
    });

    it('replays an auto-applied redemption retried with the same Idempotency-Key, even once that package is used up', async () => {
      const f = await makeFactory(t);
      const first = await f.sell({ template: { items: [{ quantity: 1 }], validity: { days: 10 } } });
      const second = await f.sell({ template: { items: [{ quantity: 5 }], validity: { days: 20 } } });
      const body = { serviceId: f.serviceId, quantity: 1, businessId: f.businessId };
      const headers = { 'idempotency-key': 'auto-apply-1' };
      const a = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, body, headers);
      expect(a.status).toBe(200);
      expect(a.json.redemption.packageId).toBe(first.packageInfo.id);
      // The retry (say the answer was lost on the way) must return the first answer and change nothing.
      const b = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, body, headers);
      expect(b.status, JSON.stringify(b.json)).toBe(200);
      expect(b.headers['idempotency-replayed']).toBe('true');
      expect(b.json).toEqual(a.json);
      expect((await f.get(second.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(5);
    });
  });
});
