import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { sweepExpiredPackages } from '../../src/application/sweeper.js';
import { cents, expectBadField, expectRefused, itemOf, ledgerSum, makeFactory, money, reasonOf } from '../support/factories.js';

const NOW = '2026-03-10T15:00:00Z';
const DAY = 86_400_000;

describe.each(ENGINES)('managing packages on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse(NOW)));

  const post = (f: { call: (m: string, p: string, b?: unknown, h?: Record<string, string>) => Promise<{ status: number; json: any; headers: Record<string, unknown> }> }, id: string, op: string, body: unknown = {}, headers?: Record<string, string>) =>
    f.call('POST', `/packages/${id}:${op}`, body, headers);

  describe('freezing', () => {
    it('moves the expiration at once by the length of a dated freeze, and is redeemable again on its end date', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 30 } } });
      const id = pkg.packageInfo.id;
      expect(pkg.packageInfo.expirationDate).toBe('2026-04-09');
      const frozen = await post(f, id, 'freeze', { startDate: '2026-03-10', endDate: '2026-03-20', reason: 'travel' });
      expect(frozen.status).toBe(200);
      expect(frozen.json).toMatchObject({ lifecycle: 'FROZEN', redeemable: false, notRedeemableReason: 'PACKAGE_FROZEN', freeze: { startDate: '2026-03-10', endDate: '2026-03-20', reason: 'travel' } });
      expect(frozen.json.packageInfo.expirationDate).toBe('2026-04-19');
      const refused = await f.redeem(id);
      expectRefused(refused, 'PACKAGE_FROZEN');
      expect(refused.json.message).toContain('2026-03-20');
      t.clock.set(Date.parse('2026-03-19T23:59:00Z'));
      expectRefused(await f.redeem(id), 'PACKAGE_FROZEN');
      t.clock.set(Date.parse('2026-03-20T00:00:00Z'));
      expect((await f.redeem(id)).status).toBe(200);
      expect((await f.get(id)).packageInfo).toMatchObject({ lifecycle: 'ACTIVE', expirationDate: '2026-04-19' });
    });

    it('moves the expiration by the days it was frozen when an open-ended freeze ends', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 30 } } });
      const id = pkg.packageInfo.id;
      const frozen = await post(f, id, 'freeze', {});
      expect(frozen.json).toMatchObject({ lifecycle: 'FROZEN', freeze: { startDate: '2026-03-10', endDate: '' } });
      expect(frozen.json.packageInfo.expirationDate).toBe('2026-04-09');
      t.clock.advance(7 * DAY);
      const thawed = await post(f, id, 'unfreeze');
      expect(thawed.status).toBe(200);
      expect(thawed.json).toMatchObject({ lifecycle: 'ACTIVE', freeze: null });
      expect(thawed.json.packageInfo).toMatchObject({ expirationDate: '2026-04-16', endTime: '2026-04-16T15:00:00Z' });
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'FROZEN', 'UNFROZEN']);
      expect((await f.redeem(id)).status).toBe(200);
    });

    it('moves the expiration only by the days a dated freeze lasted when it ends early', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 30 } } });
      const id = pkg.packageInfo.id;
      await post(f, id, 'freeze', { endDate: '2026-03-20' });
      t.clock.advance(4 * DAY);
      const thawed = await post(f, id, 'unfreeze');
      expect(thawed.json.packageInfo.expirationDate).toBe('2026-04-13');
    });

    it('refuses to unfreeze a package that is not frozen with PACKAGE_NOT_FROZEN, and to freeze one twice with PACKAGE_FROZEN', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      expectRefused(await post(f, id, 'unfreeze'), 'PACKAGE_NOT_FROZEN');
      expect((await post(f, id, 'freeze', {})).status).toBe(200);
      expectRefused(await post(f, id, 'freeze', {}), 'PACKAGE_FROZEN');
      expect((await post(f, id, 'unfreeze')).status).toBe(200);
      expectRefused(await post(f, id, 'unfreeze'), 'PACKAGE_NOT_FROZEN');
    });

    it('does not expire while frozen, and keeps the unused days for after', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 5 } } });
      const id = pkg.packageInfo.id;
      await post(f, id, 'freeze', {});
      t.clock.advance(20 * DAY);
      expect((await f.get(id)).lifecycle).toBe('FROZEN');
      await sweepExpiredPackages(t.deps);
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'FROZEN']);
      const thawed = await post(f, id, 'unfreeze');
      expect(thawed.json.lifecycle).toBe('ACTIVE');
      expect(thawed.json.packageInfo.expirationDate).toBe('2026-04-04');
      expect((await f.redeem(id)).status).toBe(200);
    });

    it('refuses a start date in the past and an end date not after the start', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      expectBadField(await post(f, pkg.packageInfo.id, 'freeze', { startDate: '2026-03-01' }), 'startDate');
      expectBadField(await post(f, pkg.packageInfo.id, 'freeze', { startDate: '2026-03-12', endDate: '2026-03-12' }), 'endDate');
      expectBadField(await post(f, pkg.packageInfo.id, 'freeze', { endDate: '12/03/2026' }), /endDate/);
    });

    it('refuses to freeze a cancelled package', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      await post(f, pkg.packageInfo.id, 'cancel', { refund: 'NONE' });
      expectRefused(await post(f, pkg.packageInfo.id, 'freeze', {}), 'PACKAGE_CANCELLED');
    });
  });

  describe('extending', () => {
    it('moves the expiration date later (ADMIN), and refuses an earlier one', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 30 } } });
      const id = pkg.packageInfo.id;
      const r = await post(f, id, 'extend', { expirationDate: '2026-06-30' });
      expect(r.status).toBe(200);
      expect(r.json.packageInfo.expirationDate).toBe('2026-06-30');
      expect(r.json.graceEndTime).toBe('2026-07-01T00:00:00Z');
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'EXTENDED']);
      expectBadField(await post(f, id, 'extend', { expirationDate: '2026-05-01' }), 'expirationDate');
    });

    it('lets a package never expire when extended to 9999-01-01', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 30 } } });
      const r = await post(f, pkg.packageInfo.id, 'extend', { expirationDate: '9999-01-01' });
      expect(r.json.packageInfo).toMatchObject({ expirationDate: '9999-01-01', endTime: null });
    });

    it('revives an expired package and gives its value back', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { validity: { days: 5 } } });
      const id = pkg.packageInfo.id;
      t.clock.advance(10 * DAY);
      await sweepExpiredPackages(t.deps);
      const expired = await f.get(id);
      expect(expired).toMatchObject({ lifecycle: 'EXPIRED', remainingValue: money('0') });
      const r = await post(f, id, 'extend', { expirationDate: '2026-12-31' });
      expect(r.json).toMatchObject({ lifecycle: 'ACTIVE', remainingValue: money('150.00') });
      expect((await f.redeem(id)).status).toBe(200);
      const events = await f.events(id);
      expect(events.map((e) => e.type)).toEqual(['SOLD', 'EXPIRED', 'EXTENDED', 'REDEEMED']);
      expect(ledgerSum(events)).toBe(12_000);
    });

    it('refuses STAFF with 403', async () => {
      const f = await makeFactory(t);
      const staff = await f.c.newKey('STAFF');
      const pkg = await f.sell();
      const r = await post(f, pkg.packageInfo.id, 'extend', { expirationDate: '2030-01-01' }, staff.auth);
      expect(r.status).toBe(403);
      expect(r.json.code).toBe(7);
    });
  });

  describe('adjusting', () => {
    it('adds a goodwill unit without adding value', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const item = pkg.packageServices[0].id;
      const r = await post(f, pkg.packageInfo.id, 'adjust', { packageServiceId: item, delta: 1, reason: 'goodwill' });
      expect(r.status).toBe(200);
      expect(itemOf(r.json, f.serviceId)).toMatchObject({ totalQuantity: 6, remainingQuantity: 6 });
      expect(r.json.packageInfo.totalRemainingQuantity).toBe(6);
      expect(r.json.remainingValue).toEqual(money('150.00'));
      const events = await f.events(pkg.packageInfo.id);
      expect(events[1]).toMatchObject({ type: 'ADJUSTED', quantity: 1, packageServiceId: item, totalRemainingQuantityAfter: 6, valueChange: money('0'), details: { reason: 'goodwill' } });
    });

    it('removes units, with their value, but no more than are left', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const id = pkg.packageInfo.id;
      const item = pkg.packageServices[0].id;
      await f.hold(id, { quantity: 2 });
      const refused = await post(f, id, 'adjust', { packageServiceId: item, delta: -4, reason: 'correction' });
      expectRefused(refused, 'INSUFFICIENT_BALANCE');
      const r = await post(f, id, 'adjust', { packageServiceId: item, delta: -3, reason: 'correction' });
      expect(r.status).toBe(200);
      expect(itemOf(r.json, f.serviceId)).toMatchObject({ totalQuantity: 2, remainingQuantity: 0, heldQuantity: 2 });
      expect(r.json.remainingValue).toEqual(money('60.00'));
      const events = await f.events(id);
      expect(events.at(-1)).toMatchObject({ type: 'ADJUSTED', quantity: -3, valueChange: money('-90.00') });
      expect(ledgerSum(events)).toBe(6000);
    });

    it('refuses an unknown item (NOT_FOUND), a zero delta and STAFF', async () => {
      const f = await makeFactory(t);
      const staff = await f.c.newKey('STAFF');
      const pkg = await f.sell();
      const item = pkg.packageServices[0].id;
      const unknown = await post(f, pkg.packageInfo.id, 'adjust', { packageServiceId: 'psv_nope', delta: 1, reason: 'x' });
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe(5);
      expectBadField(await post(f, pkg.packageInfo.id, 'adjust', { packageServiceId: item, delta: 0, reason: 'x' }), 'delta');
      expect((await post(f, pkg.packageInfo.id, 'adjust', { packageServiceId: item, delta: 1, reason: 'x' }, staff.auth)).status).toBe(403);
      expect((await f.get(pkg.packageInfo.id)).packageInfo.totalRemainingQuantity).toBe(5);
    });
  });

  describe('cancelling', () => {
    it('cancels with no refund: nothing left to redeem and no value outstanding', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const r = await post(f, pkg.packageInfo.id, 'cancel', { refund: 'NONE', reason: 'moved away' });
      expect(r.status).toBe(200);
      expect(r.json.refund).toEqual(money('0'));
      expect(r.json.package).toMatchObject({ lifecycle: 'CANCELLED', remainingValue: money('0'), cancelTime: NOW, refund: money('0') });
      const events = await f.events(pkg.packageInfo.id);
      expect(events.at(-1)).toMatchObject({ type: 'CANCELLED', valueChange: money('-150.00'), refund: money('0'), details: { reason: 'moved away', refundMode: 'NONE' } });
      expect(ledgerSum(events)).toBe(0);
    });

    it('refunds everything paid with FULL, even after visits were used', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ price: '120.00' });
      await f.redeemOk(pkg.packageInfo.id, { quantity: 2 });
      const r = await post(f, pkg.packageInfo.id, 'cancel', { refund: 'FULL', reason: 'unhappy' });
      expect(r.json.refund).toEqual(money('120.00'));
      const events = await f.events(pkg.packageInfo.id);
      expect(events.at(-1)).toMatchObject({ type: 'CANCELLED', valueChange: money('-72.00'), refund: money('120.00') });
    });

    it('refunds what was paid less the value used with PRORATED, exact to the cent with uneven unit prices', async () => {
      const f = await makeFactory(t);
      // $100 over 3 units: 33.33, 33.33 and a last unit of 33.34.
      const tpl = await f.template({ price: '100.00', items: [{ quantity: 3 }] });
      const one = await f.sell({ template: tpl.id });
      await f.redeemOk(one.packageInfo.id);
      expect((await post(f, one.packageInfo.id, 'cancel', { refund: 'PRORATED', reason: 'x' })).json.refund).toEqual(money('66.67'));
      const two = await f.sell({ template: tpl.id });
      await f.redeemOk(two.packageInfo.id, { quantity: 2 });
      expect((await post(f, two.packageInfo.id, 'cancel', { refund: 'PRORATED', reason: 'x' })).json.refund).toEqual(money('33.34'));
      // $50 re-spread over 33.34/33.33/33.33-valued items: 16.67, 16.67, 16.66; use one of the first.
      const [a, b, c] = [await f.service({ price: '20.00' }), await f.service({ price: '20.00' }), await f.service({ price: '20.00' })];
      const three = await f.sell({ template: { price: '100.00', items: [{ serviceIds: [a], quantity: 3 }, { serviceIds: [b], quantity: 1 }, { serviceIds: [c], quantity: 1 }] }, price: '50.00' });
      const used = await f.redeemOk(three.packageInfo.id, { serviceId: a });
      const refund = (await post(f, three.packageInfo.id, 'cancel', { refund: 'PRORATED', reason: 'x' })).json.refund;
      expect(cents(refund)).toBe(5000 - cents(used.redemption.value));
    });

    it('never refunds a negative amount, even when a unit price rounds up ($0.50 over 30 units)', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { price: '0.50', items: [{ quantity: 30 }] } });
      await f.redeemOk(pkg.packageInfo.id, { quantity: 29 });
      const left = await f.get(pkg.packageInfo.id);
      expect(cents(left.remainingValue)).toBeGreaterThanOrEqual(0);
      const r = await post(f, pkg.packageInfo.id, 'cancel', { refund: 'PRORATED', reason: 'x' });
      expect(r.status).toBe(200);
      expect(cents(r.json.refund)).toBeGreaterThanOrEqual(0);
    });

    it('refunds a chosen amount, but never more than was paid', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      expectBadField(await post(f, pkg.packageInfo.id, 'cancel', { refund: { amount: money('150.01') }, reason: 'x' }), 'refund.amount');
      expectBadField(await post(f, pkg.packageInfo.id, 'cancel', { refund: 'SOME', reason: 'x' }), 'refund');
      expect((await f.get(pkg.packageInfo.id)).lifecycle).toBe('ACTIVE');
      const r = await post(f, pkg.packageInfo.id, 'cancel', { refund: { amount: money('42.50') }, reason: 'x' });
      expect(r.json.refund).toEqual(money('42.50'));
      expect((await f.events(pkg.packageInfo.id)).at(-1)).toMatchObject({ refund: money('42.50'), details: { refundMode: 'AMOUNT' } });
    });

    it('refuses to cancel twice with PACKAGE_CANCELLED', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      await post(f, pkg.packageInfo.id, 'cancel', { refund: 'FULL' });
      expectRefused(await post(f, pkg.packageInfo.id, 'cancel', { refund: 'FULL' }), 'PACKAGE_CANCELLED');
      expect((await f.events(pkg.packageInfo.id)).filter((e) => e.type === 'CANCELLED')).toHaveLength(1);
    });

    it('releases pending holds, counting held units as unused', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell({ template: { items: [{ quantity: 5 }] } });
      const id = pkg.packageInfo.id;
      const held = await f.hold(id, { quantity: 2 });
      await f.redeemOk(id);
      const r = await post(f, id, 'cancel', { refund: 'PRORATED', reason: 'x' });
      expect(r.json.refund).toEqual(money('120.00'));
      expect(r.json.package).toMatchObject({ holds: [], lifecycle: 'CANCELLED' });
      expect(r.json.package.packageInfo.applied).toBe(false);
      expect(itemOf(r.json.package, f.serviceId).heldQuantity).toBe(0);
      expect((await f.call('GET', `/redemptions/${held.redemption.id}`)).json.status).toBe('RELEASED');
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'HELD', 'REDEEMED', 'RELEASED', 'CANCELLED']);
      expectRefused(await f.call('POST', `/redemptions/${held.redemption.id}:commit`), 'HOLD_NOT_PENDING');
    });

    it('refuses STAFF with 403', async () => {
      const f = await makeFactory(t);
      const staff = await f.c.newKey('STAFF');
      const pkg = await f.sell();
      expect((await post(f, pkg.packageInfo.id, 'cancel', { refund: 'NONE' }, staff.auth)).status).toBe(403);
      expect((await f.get(pkg.packageInfo.id)).lifecycle).toBe('ACTIVE');
    });
  });

  describe('roles', () => {
    it('lets STAFF redeem, hold, commit, release, reverse, freeze and unfreeze, but not cancel, extend, adjust or create templates', async () => {
      const f = await makeFactory(t);
      const staff = (await f.c.newKey('STAFF')).auth;
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const r = await f.redeem(id, {}, staff);
      expect(r.status).toBe(200);
      const h = await f.redeem(id, { hold: true }, staff);
      expect((await f.call('POST', `/redemptions/${h.json.redemption.id}:commit`, undefined, staff)).status).toBe(200);
      const h2 = await f.redeem(id, { hold: true }, staff);
      expect((await f.call('POST', `/redemptions/${h2.json.redemption.id}:release`, undefined, staff)).status).toBe(200);
      expect((await f.call('POST', `/redemptions/${r.json.redemption.id}:reverse`, {}, staff)).status).toBe(200);
      expect((await post(f, id, 'freeze', {}, staff)).status).toBe(200);
      expect((await post(f, id, 'unfreeze', undefined, staff)).status).toBe(200);
      for (const [op, body] of [
        ['cancel', { refund: 'NONE' }],
        ['extend', { expirationDate: '2030-01-01' }],
        ['adjust', { packageServiceId: pkg.packageServices[0].id, delta: 1, reason: 'x' }],
      ] as const) {
        const refused = await post(f, id, op, body, staff);
        expect(refused.status, op).toBe(403);
        expect(refused.json.code).toBe(7);
      }
      expect((await f.call('POST', '/packageTemplates', await f.templateBody(), staff)).status).toBe(403);
    });

    it('lets a VIEWER read but not sell, redeem, freeze or cancel', async () => {
      const f = await makeFactory(t);
      const viewer = (await f.c.newKey('VIEWER')).auth;
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      expect((await f.call('GET', `/packages/${id}`, undefined, viewer)).status).toBe(200);
      expect((await f.call('GET', `/packages/${id}/events`, undefined, viewer)).status).toBe(200);
      expect((await f.redeem(id, {}, viewer)).status).toBe(403);
      expect((await f.redeem(id, { hold: true }, viewer)).status).toBe(403);
      expect((await post(f, id, 'freeze', {}, viewer)).status).toBe(403);
      expect((await post(f, id, 'cancel', { refund: 'NONE' }, viewer)).status).toBe(403);
      expect((await f.sellRaw({ template: pkg.templateId }, viewer)).status).toBe(403);
      expect(await f.events(id)).toHaveLength(1);
    });
  });

  describe('idempotency', () => {
    it('replays a sale retried with the same key and sells once', async () => {
      const f = await makeFactory(t);
      const tpl = await f.template();
      const headers = { 'idempotency-key': 'sale-001' };
      const a = await f.sellRaw({ template: tpl.id }, headers);
      expect(a.status).toBe(200);
      expect(a.headers['idempotency-replayed']).toBeUndefined();
      t.clock.advance(60_000);
      const b = await f.sellRaw({ template: tpl.id }, headers);
      expect(b.status).toBe(200);
      expect(b.headers['idempotency-replayed']).toBe('true');
      expect(b.json).toEqual(a.json);
      expect((await f.call('GET', `/customers/${f.customerId}/packages`)).json.packages).toHaveLength(1);
    });

    it('replays a redemption retried with the same key and body, without a second ledger entry', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const headers = { 'idempotency-key': 'visit-42' };
      const a = await f.redeem(id, { quantity: 2 }, headers);
      const b = await f.redeem(id, { quantity: 2 }, headers);
      expect(b.status).toBe(200);
      expect(b.headers['idempotency-replayed']).toBe('true');
      expect(b.json).toEqual(a.json);
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'REDEEMED']);
      expect((await f.get(id)).packageInfo.totalRemainingQuantity).toBe(3);
    });

    it('refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const headers = { 'idempotency-key': 'visit-43' };
      expect((await f.redeem(id, { quantity: 1 }, headers)).status).toBe(200);
      const r = await f.redeem(id, { quantity: 2 }, headers);
      expect(r.status).toBe(422);
      expect(r.json.code).toBe(3);
      expect(reasonOf(r)).toBe('IDEMPOTENCY_KEY_REUSED');
      const other = await post(f, id, 'cancel', { refund: 'NONE' }, headers);
      expect(other.status).toBe(422);
      expect((await f.get(id)).packageInfo.totalRemainingQuantity).toBe(4);
    });

    it('stores nothing for a refused request, so the retry works once the state is fixed', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const headers = { 'idempotency-key': 'visit-44' };
      await post(f, id, 'freeze', {});
      expectRefused(await f.redeem(id, {}, headers), 'PACKAGE_FROZEN');
      await post(f, id, 'unfreeze');
      const r = await f.redeem(id, {}, headers);
      expect(r.status).toBe(200);
      expect(r.headers['idempotency-replayed']).toBeUndefined();
      expect(r.json.package.packageInfo.totalRemainingQuantity).toBe(4);
    });

    it('replays commit, reverse, cancel and adjust retried with the same key', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const held = await f.hold(id);
      const c1 = await f.call('POST', `/redemptions/${held.redemption.id}:commit`, undefined, { 'idempotency-key': 'c-1' });
      const c2 = await f.call('POST', `/redemptions/${held.redemption.id}:commit`, undefined, { 'idempotency-key': 'c-1' });
      expect([c1.status, c2.status, c2.headers['idempotency-replayed']]).toEqual([200, 200, 'true']);
      const r1 = await f.call('POST', `/redemptions/${held.redemption.id}:reverse`, { reason: 'x' }, { 'idempotency-key': 'r-1' });
      const r2 = await f.call('POST', `/redemptions/${held.redemption.id}:reverse`, { reason: 'x' }, { 'idempotency-key': 'r-1' });
      expect([r1.status, r2.status, r2.headers['idempotency-replayed']]).toEqual([200, 200, 'true']);
      const adjust = { packageServiceId: pkg.packageServices[0].id, delta: 1, reason: 'goodwill' };
      const a1 = await post(f, id, 'adjust', adjust, { 'idempotency-key': 'a-1' });
      const a2 = await post(f, id, 'adjust', adjust, { 'idempotency-key': 'a-1' });
      expect([a1.status, a2.status, a2.headers['idempotency-replayed']]).toEqual([200, 200, 'true']);
      const k1 = await post(f, id, 'cancel', { refund: 'FULL' }, { 'idempotency-key': 'k-1' });
      const k2 = await post(f, id, 'cancel', { refund: 'FULL' }, { 'idempotency-key': 'k-1' });
      expect([k1.status, k2.status, k2.headers['idempotency-replayed']]).toEqual([200, 200, 'true']);
      expect(k2.json).toEqual(k1.json);
      expect((await f.events(id)).map((e) => e.type)).toEqual(['SOLD', 'HELD', 'COMMITTED', 'REVERSED', 'ADJUSTED', 'CANCELLED']);
    });

    it('moves balance once when the same key races itself', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const headers = { 'idempotency-key': 'race-1' };
      const answers = await Promise.all([1, 2, 3, 4].map(() => f.redeem(id, {}, headers)));
      for (const a of answers) {
        if (a.status === 409) expect(a.json).toMatchObject({ code: 10 });
        else expect(a.status).toBe(200);
      }
      expect(answers.filter((a) => a.status === 200 && a.headers['idempotency-replayed'] === undefined)).toHaveLength(1);
      expect((await f.events(id)).filter((e) => e.type === 'REDEEMED')).toHaveLength(1);
      expect((await f.get(id)).packageInfo.totalRemainingQuantity).toBe(4);
    });
  });
});
