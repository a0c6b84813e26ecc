// GET /v1/companies/{companyId}/redemptions on each engine: filters by status, business and time, the order,
// paging without loss or repetition, a key limited to businesses, bad input, and the names that come along.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { expectBadField, makeFactory, type Factory, type Json } from '../support/factories.js';

const T0 = Date.parse('2026-03-10T15:00:00Z');
const at = (minutes: number) => T0 + minutes * 60_000;

describe.each(ENGINES)('the redemption list on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(T0));

  const list = async (f: Factory, query = '', auth = f.c.auth) => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/companies/${f.c.id}/redemptions${query ? `?${query}` : ''}`, headers: auth });
    return { status: r.statusCode, json: r.json() as Json, headers: r.headers as Record<string, unknown> };
  };
  const ids = (r: { json: Json }) => (r.json.redemptions as Json[]).map((x) => x.id as string);
  const bigPackage = (f: Factory, spec: { businessId?: string; customerId?: string } = {}) => f.sell({ template: { name: 'Ten baths', items: [{ quantity: 40 }] }, ...spec });

  /** Every page of a list, in order. */
  async function all(f: Factory, query: string, auth = f.c.auth): Promise<{ items: Json[]; pages: number }> {
    const items: Json[] = [];
    let token = '';
    for (let pages = 1; ; pages++) {
      const r = await list(f, `${query}&pageSize=4${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`, auth);
      expect(r.status).toBe(200);
      items.push(...r.json.redemptions);
      if (!r.json.nextPageToken) return { items, pages };
      expect(r.json.redemptions).toHaveLength(4);
      token = r.json.nextPageToken;
    }
  }

  it('shows each redemption as the redemption routes do, with the customer, package and service names', async () => {
    const f = await makeFactory(t);
    const pkg = await bigPackage(f);
    const visit = (await f.redeemOk(pkg.packageInfo.id, { quantity: 2, appointmentId: 'apt_1' })).redemption;
    const r = await list(f);
    expect(r.status).toBe(200);
    expect(r.json.nextPageToken).toBe('');
    expect(r.json.redemptions).toEqual([
      { ...visit, customerId: f.customerId, customerName: 'Ada Lovelace', packageName: 'Ten baths', serviceName: 'Basic grooming' },
    ]);
    const viewer = await f.c.newKey('VIEWER');
    expect((await list(f, '', viewer.auth)).status).toBe(200);
    expect((await list(f, '', (await f.c.newKey('STAFF')).auth)).status).toBe(200);
  });

  it('filters by status, repeated or comma-separated, and a lapsed hold reads EXPIRED before the sweeper writes it', async () => {
    const f = await makeFactory(t);
    const other = await f.customer({ firstName: 'Grace', lastName: 'Hopper' });
    const pkg = await bigPackage(f);
    const pkg2 = await bigPackage(f, { customerId: other });
    const committed = (await f.redeemOk(pkg.packageInfo.id)).redemption.id;
    t.clock.set(at(1));
    const pending = (await f.hold(pkg2.packageInfo.id, { appointmentId: 'apt_9' })).redemption.id;
    t.clock.set(at(2));
    const soon = (await f.hold(pkg.packageInfo.id, { holdExpireTime: new Date(at(30)).toISOString() })).redemption.id;
    t.clock.set(at(3));
    const released = (await f.hold(pkg.packageInfo.id)).redemption.id;
    expect((await f.call('POST', `/redemptions/${released}:release`, {})).status).toBe(200);
    t.clock.set(at(4));
    const reversed = (await f.redeemOk(pkg.packageInfo.id)).redemption.id;
    expect((await f.call('POST', `/redemptions/${reversed}:reverse`, { reason: 'cancelled' })).status).toBe(200);

    expect(ids(await list(f, 'status=PENDING'))).toEqual([soon, pending]); // soonest expiry first
    const holds = (await list(f, 'status=PENDING')).json.redemptions as Json[];
    expect(holds[1]).toMatchObject({ customerName: 'Grace Hopper', appointmentId: 'apt_9', status: 'PENDING' });
    expect(ids(await list(f, 'status=COMMITTED,REVERSED'))).toEqual([reversed, committed]);
    expect(ids(await list(f, 'status=RELEASED&status=COMMITTED'))).toEqual([released, committed]);
    expect(ids(await list(f))).toEqual([reversed, released, soon, pending, committed]);

    t.clock.set(at(31)); // the short hold has lapsed; nothing has written it down
    expect(ids(await list(f, 'status=PENDING'))).toEqual([pending]);
    const expired = await list(f, 'status=EXPIRED');
    expect(ids(expired)).toEqual([soon]);
    expect(expired.json.redemptions[0].status).toBe('EXPIRED');
  });

  it('orders newest or oldest first, and holds by expiry only among pending ones', async () => {
    const f = await makeFactory(t);
    const pkg = await bigPackage(f);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.set(at(i));
      made.push((await f.redeemOk(pkg.packageInfo.id)).redemption.id);
    }
    expect(ids(await list(f))).toEqual([...made].reverse());
    expect(ids(await list(f, 'orderBy=-redeemTime'))).toEqual([...made].reverse());
    expect(ids(await list(f, 'orderBy=redeemTime'))).toEqual(made);
    const late = (await f.hold(pkg.packageInfo.id, { holdExpireTime: new Date(at(600)).toISOString() })).redemption.id;
    const early = (await f.hold(pkg.packageInfo.id, { holdExpireTime: new Date(at(60)).toISOString() })).redemption.id;
    expect(ids(await list(f, 'status=PENDING'))).toEqual([early, late]);
    expect(ids(await list(f, 'status=PENDING&orderBy=redeemTime'))).toEqual([late, early]);
    expectBadField(await list(f, 'orderBy=holdExpireTime'), 'orderBy');
  });

  it('pages in every order without losing or repeating one, ties in time included', async () => {
    const f = await makeFactory(t);
    const pkg = await bigPackage(f);
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) {
      t.clock.set(at(i));
      // Three at the same instant: the id breaks the tie.
      for (let k = 0; k < 3; k++) made.add((await f.redeemOk(pkg.packageInfo.id)).redemption.id);
    }
    for (let k = 0; k < 5; k++) made.add((await f.hold(pkg.packageInfo.id, { holdExpireTime: new Date(at(100 + (k % 2))).toISOString() })).redemption.id);
    for (const order of ['redeemTime', '-redeemTime']) {
      const { items, pages } = await all(f, `orderBy=${order}`);
      expect(pages).toBe(7);
      expect(new Set(items.map((x) => x.id)).size).toBe(26);
      expect(new Set(items.map((x) => x.id))).toEqual(made);
      const times = items.map((x) => Date.parse(x.redeemTime));
      expect(times).toEqual([...times].sort((a, b) => (order === 'redeemTime' ? a - b : b - a)));
    }
    const holds = await all(f, 'status=PENDING');
    expect(holds.items).toHaveLength(5);
    expect(new Set(holds.items.map((x) => x.id)).size).toBe(5);
    const expiries = holds.items.map((x) => Date.parse(x.holdExpireTime));
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    // A token continues only the order it came from.
    const first = await list(f, 'orderBy=redeemTime&pageSize=2');
    expectBadField(await list(f, `orderBy=-redeemTime&pageToken=${encodeURIComponent(first.json.nextPageToken)}`), 'pageToken');
    // The contract's page numbers work too.
    expect(ids(await list(f, 'orderBy=redeemTime&pageSize=2&pageToken=2'))).toEqual(ids(await list(f, `orderBy=redeemTime&pageSize=2&pageToken=${encodeURIComponent(first.json.nextPageToken)}`)));
  });

  it('filters by business and time (a date is that business’s day), and a limited key sees only its businesses', async () => {
    const f = await makeFactory(t);
    const la = await f.business({ timeZone: 'America/Los_Angeles' });
    const third = await f.business();
    const home = (await f.redeemOk((await bigPackage(f)).packageInfo.id)).redemption.id;
    const laPkg = await bigPackage(f, { businessId: la });
    // 2026-03-10T15:00Z is 08:00 in Los Angeles (PDT); 2026-03-11T06:30Z is still 2026-03-10 there.
    const laMorning = (await f.redeemOk(laPkg.packageInfo.id, { businessId: la })).redemption.id;
    t.clock.set(Date.parse('2026-03-11T06:30:00Z'));
    const laEvening = (await f.redeemOk(laPkg.packageInfo.id, { businessId: la })).redemption.id;
    t.clock.set(Date.parse('2026-03-11T09:00:00Z'));
    const laNextDay = (await f.redeemOk(laPkg.packageInfo.id, { businessId: la })).redemption.id;
    const elsewhere = (await f.redeemOk((await bigPackage(f, { businessId: third })).packageInfo.id, { businessId: third })).redemption.id;

    expect(ids(await list(f, `businessId=${la}`))).toEqual([laNextDay, laEvening, laMorning]);
    expect(ids(await list(f, `businessId=${la}&from=2026-03-10&to=2026-03-11`))).toEqual([laEvening, laMorning]);
    expect(ids(await list(f, `businessId=${la}&from=2026-03-11`))).toEqual([laNextDay]);
    // Without a business, dates are UTC days; instants are instants.
    expect(ids(await list(f, 'from=2026-03-11&to=2026-03-12'))).toEqual([elsewhere, laNextDay, laEvening]);
    expect(ids(await list(f, 'from=2026-03-10T15:00:00Z&to=2026-03-11T06:30:00Z&orderBy=redeemTime')).sort()).toEqual([home, laMorning].sort());

    const limited = await f.c.newKey('STAFF', [la, third]);
    const seen = await all(f, 'orderBy=redeemTime', limited.auth);
    expect(seen.items.map((x) => x.id).sort()).toEqual([laMorning, laEvening, laNextDay, elsewhere].sort());
    expect(ids(await list(f, `businessId=${third}`, limited.auth))).toEqual([elsewhere]);
    expect((await list(f, `businessId=${f.businessId}`, limited.auth)).status).toBe(403);
    expect((await list(f, 'businessId=bus_none')).status).toBe(404);
  });

  it('refuses bad input with the field named, and other companies', async () => {
    const f = await makeFactory(t);
    expectBadField(await list(f, 'status=GONE'), 'status');
    expectBadField(await list(f, 'status=PENDING,GONE'), 'status');
    expectBadField(await list(f, 'pageSize=0'), 'pageSize');
    expectBadField(await list(f, 'pageSize=501'), 'pageSize');
    expectBadField(await list(f, 'pageSize=ten'), 'pageSize');
    expectBadField(await list(f, 'pageToken=~nope'), 'pageToken');
    expectBadField(await list(f, 'orderBy=name'), 'orderBy');
    expectBadField(await list(f, 'from=yesterday'), 'from');
    expectBadField(await list(f, 'to=2026-02-30'), 'to');
    expectBadField(await list(f, 'from=2026-03-11&to=2026-03-10'), 'from');
    expect((await list(f, 'pageSize=500')).status).toBe(200);
    const stranger = await makeFactory(t);
    expect((await list(f, '', stranger.c.auth)).status).toBe(403);
  });
});
