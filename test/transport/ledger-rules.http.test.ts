// The rules issue 8 made precise, each through the native API as a front desk would meet it: the calendar rule
// for every change of endTime, PRORATED once expired and its preview, free goodwill units, extensions kept
// through a freeze, and answers that never depend on whether the sweeper has run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../../src/application/sweeper.js';
import { cents, ledgerSum, makeFactory, type Factory, type Json } from '../support/factories.js';

const DAY = 86_400_000;

describe.each(ENGINES)('the ledger rules on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.parse('2026-03-10T15:00:00Z')));

  const post = (f: Factory, id: string, op: string, body: unknown = {}) => f.call('POST', `/packages/${id}:${op}`, body);
  const ok = async (f: Factory, id: string, op: string, body: unknown = {}) => {
    const r = await post(f, id, op, body);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json;
  };
  const preview = async (f: Factory, id: string, query: string) => {
    const r = await f.call('GET', `/packages/${id}:refundPreview?${query}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return cents(r.json.refund);
  };
  const liability = async (f: Factory, query = '') => {
    const r = await f.call('GET', `/reports/liability${query}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const line = r.json.businesses.find((b: Json) => b.businessId === f.businessId);
    return Object.fromEntries(['sold', 'redeemed', 'refunded', 'refundsPaid', 'expired', 'adjusted', 'closing'].map((k) => [k, cents(line[k])]));
  };

  describe('every change of endTime keeps its local wall-clock time across daylight saving', () => {
    it.each([
      ['America/Los_Angeles', '2027-03-01T18:00:00Z', '2027-03-12', '2027-03-16', '2027-03-17T06:59:59Z'],
      ['Europe/London', '2027-03-15T12:00:00Z', '2027-03-26', '2027-03-30', '2027-03-30T22:59:59Z'],
    ])('in %s: extended, then frozen for 4 days, the expiration moves exactly 4 local dates', async (timeZone, now, extendedTo, expected, endTime) => {
      t.clock.set(Date.parse(now));
      const f = await makeFactory(t, { timeZone });
      const id = (await f.sell({ template: { validity: { days: 5 } } })).packageInfo.id;
      await ok(f, id, 'extend', { expirationDate: extendedTo });
      const today = Date.parse(now);
      const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const frozen = await ok(f, id, 'freeze', { startDate: date(today + 3 * DAY), endDate: date(today + 7 * DAY) });
      expect(frozen.packageInfo.expirationDate).toBe(expected);
      expect(frozen.packageInfo.endTime).toBe(endTime);
      // Ended on its first day, before it began: the 4 days come back and the local time is the same again.
      const back = await ok(f, id, 'unfreeze');
      expect(back.packageInfo.expirationDate).toBe(extendedTo);
      const events = await f.events(id);
      expect(events.at(-1)).toMatchObject({ type: 'UNFROZEN', details: { frozenDays: 0, calledOff: true, daysMoved: -4 } });
    });

    it('moves a sale across the change by calendar days too (LA, 10 days over 14 March 2027)', async () => {
      t.clock.set(Date.parse('2027-03-10T20:00:00Z')); // 12:00 PST
      const f = await makeFactory(t, { timeZone: 'America/Los_Angeles' });
      const pkg = await f.sell({ template: { validity: { days: 10 } } });
      expect(pkg.packageInfo.endTime).toBe('2027-03-20T19:00:00Z'); // 12:00 PDT
      expect(pkg.packageInfo.expirationDate).toBe('2027-03-20');
    });
  });

  describe('an extension made during a freeze', () => {
    it('is kept when the freeze ends: the expiration never falls below the extended date', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 365 } } })).packageInfo.id;
      await ok(f, id, 'freeze', { startDate: '2026-03-10', endDate: '2026-03-20' });
      await ok(f, id, 'extend', { expirationDate: '2028-05-18' });
      const after = await ok(f, id, 'unfreeze');
      expect(after.packageInfo.expirationDate).toBe('2028-05-18');
      expect(after.lifecycle).toBe('ACTIVE');
    });
  });

  describe('an open freeze', () => {
    it('holds the clock past the original grace end: FROZEN, never EXPIRED, and the sweeper leaves it', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 2 } } })).packageInfo.id;
      await ok(f, id, 'freeze', {});
      t.clock.advance(10 * DAY);
      await sweepExpiredPackages(t.deps);
      const frozen = await f.get(id);
      expect(frozen.lifecycle).toBe('FROZEN');
      expect(cents(frozen.remainingValue)).toBe(15_000);
      const after = await ok(f, id, 'unfreeze');
      expect(after.packageInfo.expirationDate).toBe('2026-03-22');
      expect((await f.events(id)).some((e) => e.type === 'EXPIRED')).toBe(false);
    });
  });

  describe('refunds', () => {
    it('PRORATED refunds nothing once the package has expired, and the preview says so first', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 1 } } })).packageInfo.id;
      expect(await preview(f, id, 'refund=PRORATED')).toBe(15_000);
      t.clock.advance(3 * DAY);
      expect(await preview(f, id, 'refund=PRORATED')).toBe(0);
      expect(await preview(f, id, 'refund=FULL')).toBe(15_000);
      expect(await preview(f, id, 'amount=12.50')).toBe(1250);
      const cancelled = await ok(f, id, 'cancel', { refund: 'PRORATED' });
      expect(cents(cancelled.refund)).toBe(0);
      expect(cents(cancelled.package.remainingValue)).toBe(0);
    });

    it('takes an amount refunded on an expired package out of breakage in the liability report', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 1 } } })).packageInfo.id;
      await f.redeemOk(id);
      t.clock.advance(3 * DAY);
      await sweepExpiredPackages(t.deps);
      expect(cents((await ok(f, id, 'cancel', { refund: { amount: { currencyCode: 'USD', units: 50, nanos: 0 } } })).refund)).toBe(5000);
      expect(await liability(f)).toEqual({ sold: 15_000, redeemed: 3000, refunded: 5000, refundsPaid: 5000, expired: 7000, adjusted: 0, closing: 0 });
    });

    it('matches :cancel for every mode, from the same rule', async () => {
      const f = await makeFactory(t);
      for (const mode of ['PRORATED', 'FULL', 'NONE'] as const) {
        const id = (await f.sell()).packageInfo.id;
        await f.redeemOk(id, { quantity: 2 });
        const shown = await preview(f, id, `refund=${mode}`);
        expect(cents((await ok(f, id, 'cancel', { refund: mode })).refund)).toBe(shown);
      }
    });

    it('refuses a bad preview clearly and changes nothing', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell()).packageInfo.id;
      for (const q of ['refund=HALF', 'amount=abc', 'amount=1.234', 'amount=151.00', 'refund=FULL&amount=1']) {
        const r = await f.call('GET', `/packages/${id}:refundPreview?${q}`);
        expect(r.status, q).toBe(400);
        expect(r.json.code, q).toBe(3);
      }
      expect((await f.call('GET', `/packages/pkg_nope:refundPreview`)).status).toBe(404);
      expect((await f.events(id)).length).toBe(1);
    });
  });

  describe('units added by an adjustment', () => {
    it('carry no value: 5 × $30, 2 used, +2 goodwill leaves $90 outstanding and a PRORATED refund of $90', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      await f.redeemOk(id, { quantity: 2 });
      const adjusted = await ok(f, id, 'adjust', { packageServiceId: pkg.packageServices[0].id, delta: 2, reason: 'goodwill' });
      expect(adjusted.packageInfo.totalRemainingQuantity).toBe(5);
      expect(cents(adjusted.remainingValue)).toBe(9000);
      expect(cents(adjusted.packageServices[0].remainingValue)).toBe(9000);
      expect(await preview(f, id, 'refund=PRORATED')).toBe(9000);
      const events = await f.events(id);
      expect(cents(events.at(-1).valueChange)).toBe(0);
      // Paid units are used first: three more visits use the paid rest, the goodwill ones are worth nothing.
      await f.redeemOk(id, { quantity: 3 });
      expect(cents((await f.get(id)).remainingValue)).toBe(0);
      expect(cents((await ok(f, id, 'cancel', { refund: 'PRORATED' })).refund)).toBe(0);
    });

    it('removing units takes free ones first, then paid ones with their value', async () => {
      const f = await makeFactory(t);
      const pkg = await f.sell();
      const id = pkg.packageInfo.id;
      const item = pkg.packageServices[0].id;
      await ok(f, id, 'adjust', { packageServiceId: item, delta: 1, reason: 'goodwill' });
      const once = await ok(f, id, 'adjust', { packageServiceId: item, delta: -1, reason: 'goodwill undone' });
      expect(cents(once.remainingValue)).toBe(15_000);
      const twice = await ok(f, id, 'adjust', { packageServiceId: item, delta: -1, reason: 'correction' });
      expect(cents(twice.remainingValue)).toBe(12_000);
      expect(await liability(f)).toMatchObject({ adjusted: -3000, closing: 12_000 });
    });
  });

  describe('answers that depend on the moment, never on the sweeper', () => {
    // A 1-day package sold 2026-03-10 15:00 UTC: redeemable through 2026-03-11, grace ends 2026-03-12T00:00Z.
    const late = { redeemTime: '2026-03-11T23:59:30Z' };

    it.each([false, true])('accepts a visit recorded late inside the window (sweeper ran first: %s)', async (swept) => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 1 } } })).packageInfo.id;
      t.clock.set(Date.parse('2026-03-12T00:05:00Z'));
      if (swept) await sweepExpiredPackages(t.deps);
      const r = await f.redeem(id, late);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(cents(r.json.redemption.value)).toBe(3000);
      const pkg = await f.get(id);
      expect(pkg.lifecycle).toBe('EXPIRED');
      expect(cents(pkg.remainingValue)).toBe(0);
      await sweepExpiredPackages(t.deps);
      expect(ledgerSum(await f.events(id))).toBe(0);
      // Both histories add up the same on every day: the visit on the last day, breakage of the rest after it.
      expect(await liability(f, '?asOf=2026-03-11')).toMatchObject({ redeemed: 3000, expired: 0, closing: 12_000 });
      expect(await liability(f, '?asOf=2026-03-12')).toMatchObject({ redeemed: 3000, expired: 12_000, closing: 0 });
    });

    it('reads the same remaining value before and after the sweeper writes EXPIRED', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 1 } } })).packageInfo.id;
      t.clock.advance(2 * DAY);
      const before = await f.get(id);
      await sweepExpiredPackages(t.deps);
      const after = await f.get(id);
      for (const p of [before, after]) {
        expect(p.lifecycle).toBe('EXPIRED');
        expect(cents(p.remainingValue)).toBe(0);
        expect(cents(p.packageServices[0].remainingValue)).toBe(0);
      }
      const zenoti = await t.app.inject({ method: 'GET', url: `/v1/guests/${f.customerId}/packages?center_id=${f.businessId}`, headers: f.c.auth });
      expect(zenoti.json().packages[0].services[0].balance_amount).toBe(0);
    });

    it.each([false, true])('books a hold committed after expiry the same way (sweeper ran first: %s)', async (swept) => {
      const f = await makeFactory(t);
      const id = (await f.sell({ template: { validity: { days: 1 } } })).packageInfo.id;
      t.clock.set(Date.parse('2026-03-11T20:00:00Z'));
      const hold = await f.hold(id);
      t.clock.set(Date.parse('2026-03-12T00:30:00Z'));
      if (swept) {
        await sweepLapsedHolds(t.deps);
        await sweepExpiredPackages(t.deps);
      }
      const r = await f.call('POST', `/redemptions/${hold.redemption.id}:commit`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(cents(r.json.redemption.value)).toBe(3000);
      await sweepExpiredPackages(t.deps);
      expect(await liability(f)).toEqual({ sold: 15_000, redeemed: 3000, refunded: 0, refundsPaid: 0, expired: 12_000, adjusted: 0, closing: 0 });
      const types = (await f.events(id)).map((e) => e.type);
      expect(types).toEqual(['SOLD', 'HELD', 'EXPIRED', 'COMMITTED']);
    });

    it('counts a lapsed hold as released for readers, and writes it as the system', async () => {
      const f = await makeFactory(t);
      const id = (await f.sell()).packageInfo.id;
      await f.hold(id, { holdExpireTime: '2026-03-10T16:00:00Z' });
      t.clock.set(Date.parse('2026-03-10T16:30:00Z'));
      expect((await f.get(id)).packageInfo.totalRemainingQuantity).toBe(5);
      await f.redeemOk(id);
      const lapsed = (await f.events(id)).find((e) => e.type === 'HOLD_EXPIRED');
      expect(lapsed).toMatchObject({ actor: 'system', time: '2026-03-10T16:00:00Z' });
    });
  });
});
