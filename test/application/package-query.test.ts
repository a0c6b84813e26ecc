// The one package query on each engine, without HTTP: every filter agrees with the domain's rules at the
// moment asked (lifecycleAt, canRedeem, the expiration date in the package's own zone), every order is the
// one its surface promises, and keyset pages are full, without duplicates or gaps, to an empty last token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { FixedClock } from '../../src/domain/clock.js';
import type { Principal } from '../../src/domain/access.js';
import { addDays, localDateOf } from '../../src/domain/calendar.js';
import { money } from '../../src/domain/money.js';
import type { CustomerPackage, Lifecycle } from '../../src/domain/package.js';
import { LIFECYCLES, canRedeem, expirationDate, graceEndTime, lifecycleAt } from '../../src/domain/package.js';
import type { Deps } from '../../src/application/context.js';
import { createCompany } from '../../src/application/keys.js';
import { upsertBusiness, upsertCustomer, upsertProduct, upsertService } from '../../src/application/reference-data.js';
import { createTemplate, type TemplateInput } from '../../src/application/catalog.js';
import { sellPackage, type SellInput } from '../../src/application/selling.js';
import { redeem, redeemableCandidates } from '../../src/application/redemption.js';
import { cancelPackage, freezePackage } from '../../src/application/package-admin.js';
import type { PackageSearch } from '../../src/application/package-queries.js';
import { findPackages, findPackagesCounted, getPackage, listEvents, listExpiring, listPackages } from '../../src/application/package-queries.js';
import { PackageCache } from '../../src/application/package-cache.js';
import type { PackageOrder } from '../../src/application/ports.js';
import { parsePageRequest } from '../../src/application/paging.js';
import { sweepExpiredPackages } from '../../src/application/sweeper.js';
import { DomainError } from '../../src/domain/errors.js';
import { uniqueId } from '../support/app.js';

const MASTER: Principal = { kind: 'master' };
const START = Date.parse('2026-03-10T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NEVER = Number.MAX_SAFE_INTEGER;

describe.each(ENGINES)('the one package query on %s', (engine) => {
  let ts: TestStore;
  let clock: FixedClock;
  let deps: Deps;
  beforeAll(async () => {
    ts = await openTestStore(engine);
    clock = new FixedClock(START);
    deps = { store: ts.store, clock, masterKey: null, packageCache: new PackageCache() };
  });
  afterAll(() => ts.close());

  /** A company with two businesses, two customers, a service, a product and templates of every kind. */
  async function company(zones: { bus_1: string; bus_2: string } = { bus_1: 'America/New_York', bus_2: 'Europe/Paris' }) {
    const companyId = uniqueId('cmp');
    await createCompany(deps, MASTER, { id: companyId, name: 'Salon' });
    await upsertBusiness(deps, MASTER, companyId, 'bus_1', { name: 'Main street', timeZone: zones.bus_1, currencyCode: 'USD' });
    await upsertBusiness(deps, MASTER, companyId, 'bus_2', { name: 'Harbour', timeZone: zones.bus_2, currencyCode: 'USD' });
    for (const id of ['cus_a', 'cus_b']) await upsertCustomer(deps, MASTER, companyId, id, { firstName: 'Ada', lastName: id });
    await upsertService(deps, MASTER, companyId, 'srv_1', { name: 'Basic grooming', durationMinutes: 60, price: money('USD', 3000) });
    await upsertProduct(deps, MASTER, companyId, 'prd_1', { name: 'Shampoo', price: money('USD', 1000) });
    const template = async (input: Partial<TemplateInput> = {}) =>
      (
        await createTemplate(deps, MASTER, companyId, {
          name: 'Visits',
          price: money('USD', 3000 * (input.items?.[0]?.quantity ?? 5)),
          items: [{ serviceIds: ['srv_1'], quantity: 5, unitPrice: null }],
          validity: { days: 30 },
          ...input,
        })
      ).id;
    const sell = async (templateId: string, input: Partial<SellInput> = {}) =>
      (await sellPackage(deps, MASTER, companyId, { templateId, customerId: 'cus_a', businessId: 'bus_1', ...input })).result.pkg;
    return { companyId, template, sell };
  }

  /** Every page of a query, as ids, checking each token on the way. */
  async function pagesOf(companyId: string, search: PackageSearch, order: PackageOrder, size: number): Promise<string[][]> {
    const pages: string[][] = [];
    let token = '';
    do {
      const page = await findPackages(deps, MASTER, companyId, search, order, parsePageRequest(size, token));
      pages.push(page.items.map((v) => v.pkg.id));
      expect(page.nextPageToken.length).toBeLessThanOrEqual(64);
      token = page.nextPageToken;
    } while (token !== '' && pages.length <= 1000);
    return pages;
  }

  /** The pages are full but the last, which is not empty unless nothing matches; together they are `expected`. */
  function expectPaged(pages: string[][], expected: string[], size: number) {
    expect(pages.flat()).toEqual(expected);
    expect(new Set(pages.flat()).size).toBe(expected.length);
    pages.slice(0, -1).forEach((page) => expect(page).toHaveLength(size));
    expect(pages.at(-1)!.length).toBe(expected.length === 0 ? 0 : ((expected.length - 1) % size) + 1);
  }

  /** The packages as the domain sees them now (through the use case that reads one). */
  async function viewsNow(companyId: string, ids: readonly string[]) {
    return Promise.all(ids.map(async (id) => (await getPackage(deps, MASTER, companyId, id)).pkg));
  }

  const byCreated = (a: CustomerPackage, b: CustomerPackage) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byExpiring = (a: CustomerPackage, b: CustomerPackage) => (a.endTime ?? NEVER) - (b.endTime ?? NEVER) || byCreated(a, b);
  const byRedemption = (a: CustomerPackage, b: CustomerPackage) =>
    (graceEndTime(a) ?? NEVER) - (graceEndTime(b) ?? NEVER) || a.purchaseTime - b.purchaseTime || byCreated(a, b);

  describe('lifecycles and redeemability, judged at the moment asked', () => {
    let companyId: string;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      clock.set(START);
      const c = await company();
      companyId = c.companyId;
      const five = await c.template();
      const single = await c.template({ items: [{ serviceIds: ['srv_1'], quantity: 1, unitPrice: null }] });
      const firstUse = await c.template({ activation: 'ON_FIRST_REDEMPTION' });
      const forever = await c.template({ validity: { never: true } });
      const restricted = await c.template({ restrictRedemptionToSellingBusiness: true });
      const products = await c.template({ items: [], productItems: [{ productId: 'prd_1', quantity: 2, unitPrice: null }], price: money('USD', 2000) });
      const visit = { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' };

      ids.active = (await c.sell(five)).id;
      ids.fullyRedeemed = (await c.sell(single)).id;
      await redeem(deps, MASTER, companyId, ids.fullyRedeemed, visit);
      ids.cancelled = (await c.sell(five)).id;
      await cancelPackage(deps, MASTER, companyId, ids.cancelled, { refund: 'NONE', reason: 'moved away' });
      // One lapsed package whose expiry the sweeper has written and one it has not: both are EXPIRED.
      ids.expiredSwept = (await c.sell(five, { purchaseTime: START - 60 * DAY, customerId: 'cus_b' })).id;
      expect(await sweepExpiredPackages(deps, companyId)).toBe(1);
      ids.expired = (await c.sell(five, { purchaseTime: START - 60 * DAY })).id;
      ids.frozen = (await c.sell(five)).id;
      await freezePackage(deps, MASTER, companyId, ids.frozen, { reason: 'travel' });
      // Its grace ends on day 6, while an open freeze holds its clock: still frozen on day 40, not expired.
      ids.frozenPastGrace = (await c.sell(five, { purchaseTime: START - 25 * DAY })).id;
      await freezePackage(deps, MASTER, companyId, ids.frozenPastGrace, { reason: 'injury' });
      ids.frozenForFiveDays = (await c.sell(five)).id;
      await freezePackage(deps, MASTER, companyId, ids.frozenForFiveDays, { startDate: '2026-03-10', endDate: '2026-03-15' });
      ids.notStarted = (await c.sell(five, { startTime: START + 7 * DAY })).id;
      ids.firstUse = (await c.sell(firstUse, { customerId: 'cus_b' })).id;
      ids.forever = (await c.sell(forever)).id;
      ids.restrictedElsewhere = (await c.sell(restricted, { businessId: 'bus_2' })).id;
      ids.productsOnly = (await c.sell(products)).id;
      // Its only unit is held until START + 1h; after that the units are back, swept or not.
      ids.lapsedHold = (await c.sell(single)).id;
      await redeem(deps, MASTER, companyId, ids.lapsedHold, { ...visit, hold: true, holdExpireTime: START + HOUR });
    });

    const MOMENTS = [START, START + 2 * HOUR, START + 15 * DAY, START + 40 * DAY, START + 400 * DAY];

    it('keeps for each lifecycle exactly the packages the domain says are in it, at every moment', async () => {
      const seen = new Set<Lifecycle>();
      for (const moment of MOMENTS) {
        clock.set(moment);
        const pkgs = await viewsNow(companyId, Object.values(ids));
        for (const lifecycle of LIFECYCLES) {
          const expected = pkgs.filter((p) => lifecycleAt(p, moment) === lifecycle).map((p) => p.id).sort();
          if (expected.length > 0) seen.add(lifecycle);
          const pages = await pagesOf(companyId, { lifecycles: [lifecycle] }, 'created', 3);
          expect(pages.flat(), `${lifecycle} at ${new Date(moment).toISOString()}`).toEqual(expected);
          const counted = await findPackagesCounted(deps, MASTER, companyId, { lifecycles: [lifecycle] }, 'created', parsePageRequest(1, undefined));
          expect(counted.total).toBe(expected.length);
        }
      }
      expect([...seen].sort()).toEqual([...LIFECYCLES].sort());
    });

    it('gives each package the lifecycle it was set up for', async () => {
      const lifecycleOf = async (moment: number, id: string) => {
        clock.set(moment);
        const keptBy: Lifecycle[] = [];
        for (const l of LIFECYCLES) if ((await pagesOf(companyId, { lifecycles: [l] }, 'created', 50)).flat().includes(id)) keptBy.push(l);
        expect(keptBy, id).toHaveLength(1);
        return keptBy[0];
      };
      expect(await lifecycleOf(START, ids.active!)).toBe('ACTIVE');
      expect(await lifecycleOf(START, ids.fullyRedeemed!)).toBe('FULLY_REDEEMED');
      expect(await lifecycleOf(START, ids.cancelled!)).toBe('CANCELLED');
      expect(await lifecycleOf(START, ids.expired!)).toBe('EXPIRED');
      expect(await lifecycleOf(START, ids.expiredSwept!)).toBe('EXPIRED');
      expect(await lifecycleOf(START, ids.frozen!)).toBe('FROZEN');
      expect(await lifecycleOf(START, ids.frozenForFiveDays!)).toBe('FROZEN');
      expect(await lifecycleOf(START + 15 * DAY, ids.frozenForFiveDays!)).toBe('ACTIVE');
      expect(await lifecycleOf(START + 40 * DAY, ids.frozenPastGrace!)).toBe('FROZEN');
      expect(await lifecycleOf(START, ids.notStarted!)).toBe('NOT_STARTED');
      expect(await lifecycleOf(START + 8 * DAY, ids.notStarted!)).toBe('ACTIVE');
      expect(await lifecycleOf(START + 400 * DAY, ids.firstUse!)).toBe('ACTIVE');
      expect(await lifecycleOf(START + 400 * DAY, ids.active!)).toBe('EXPIRED');
      expect(await lifecycleOf(START + 2 * HOUR, ids.lapsedHold!)).toBe('ACTIVE');
    });

    it('keeps several lifecycles at once, and nothing for an empty set', async () => {
      clock.set(START);
      const pkgs = await viewsNow(companyId, Object.values(ids));
      const open: Lifecycle[] = ['FROZEN', 'NOT_STARTED'];
      const expected = pkgs.filter((p) => open.includes(lifecycleAt(p, START))).map((p) => p.id).sort();
      expect((await pagesOf(companyId, { lifecycles: open }, 'created', 2)).flat()).toEqual(expected);
      expect(await pagesOf(companyId, { lifecycles: [] }, 'created', 2)).toEqual([[]]);
      expect((await pagesOf(companyId, { lifecycles: [...LIFECYCLES] }, 'created', 4)).flat()).toEqual(Object.values(ids).sort());
    });

    it('keeps what the domain would let redeem at a business, a lapsed hold counting as given back', async () => {
      for (const moment of MOMENTS) {
        clock.set(moment);
        const pkgs = await viewsNow(companyId, Object.values(ids));
        for (const businessId of ['bus_1', 'bus_2']) {
          const expected = pkgs.filter((p) => canRedeem(p, moment, businessId)).map((p) => p.id).sort();
          const pages = await pagesOf(companyId, { redeemableAt: businessId }, 'created', 2);
          expect(pages.flat(), `${businessId} at ${new Date(moment).toISOString()}`).toEqual(expected);
        }
      }
      clock.set(START);
      const now = (await pagesOf(companyId, { redeemableAt: 'bus_1' }, 'created', 50)).flat();
      expect(now).toContain(ids.active);
      expect(now).toContain(ids.firstUse);
      expect(now).not.toContain(ids.lapsedHold); // its one unit is held
      expect(now).not.toContain(ids.productsOnly); // no service to redeem
      expect(now).not.toContain(ids.restrictedElsewhere);
      expect((await pagesOf(companyId, { redeemableAt: 'bus_2' }, 'created', 50)).flat()).toContain(ids.restrictedElsewhere);
      clock.set(START + 2 * HOUR);
      expect((await pagesOf(companyId, { redeemableAt: 'bus_1' }, 'created', 50)).flat()).toContain(ids.lapsedHold);
    });

    it('narrows by customer and by selling business, with the other filters', async () => {
      clock.set(START);
      expect((await pagesOf(companyId, { customerIds: ['cus_b'] }, 'created', 1)).flat()).toEqual([ids.expiredSwept, ids.firstUse].sort());
      expect((await pagesOf(companyId, { customerIds: ['cus_b'], lifecycles: ['ACTIVE'] }, 'created', 1)).flat()).toEqual([ids.firstUse]);
      expect((await pagesOf(companyId, { businessId: 'bus_2' }, 'created', 1)).flat()).toEqual([ids.restrictedElsewhere]);
      expect((await pagesOf(companyId, { customerIds: [] }, 'created', 5)).flat()).toEqual([]);
    });

    it('lists auto-apply candidates in redemption order, each one the domain would accept', async () => {
      clock.set(START + 2 * HOUR);
      const pkgs = await viewsNow(companyId, Object.values(ids));
      const expected = pkgs
        .filter((p) => p.customerId === 'cus_a' && canRedeem(p, clock.now(), 'bus_1', 'srv_1', 1))
        .sort(byRedemption)
        .map((p) => p.id);
      const candidates = await redeemableCandidates(deps, MASTER, companyId, 'cus_a', { serviceId: 'srv_1', businessId: 'bus_1' });
      expect(candidates.map((v) => v.pkg.id)).toEqual(expected);
      expect(expected).toContain(ids.lapsedHold);
      expect(expected.at(-1)).toBe(ids.forever); // never expires: tried last
      const five = await redeemableCandidates(deps, MASTER, companyId, 'cus_a', { serviceId: 'srv_1', businessId: 'bus_1', quantity: 5 });
      expect(five.map((v) => v.pkg.id)).not.toContain(ids.lapsedHold); // one unit only
    });
  });

  describe('orders and keyset pages', () => {
    let companyId: string;
    let matching: string[];
    let all: string[];
    beforeAll(async () => {
      clock.set(START);
      const c = await company();
      companyId = c.companyId;
      const short = await c.template({ validity: { days: 10 } });
      const long = await c.template({ validity: { days: 90 }, gracePeriodDays: 3 });
      const forever = await c.template({ validity: { never: true } });
      const firstUse = await c.template({ activation: 'ON_FIRST_REDEMPTION' });
      matching = [];
      all = [];
      // Matching rows (cus_a, not cancelled) interleaved with rows of cus_b and cancelled ones; sort keys vary
      // with the purchase time and template and tie often, so that every part of every order is exercised.
      for (let n = 0; n < 23; n++) {
        const templateId = [short, long, forever, firstUse, short, long][n % 6]!;
        const purchaseTime = START - (n % 4) * DAY - (n % 3) * HOUR;
        const startTime = n % 5 === 0 ? START : undefined;
        const pkg = await c.sell(templateId, { purchaseTime, ...(startTime === undefined || templateId === firstUse ? {} : { startTime }) });
        all.push(pkg.id);
        if (n % 4 === 3) await cancelPackage(deps, MASTER, companyId, pkg.id, { refund: 'NONE', reason: 'test' });
        else matching.push(pkg.id);
        all.push((await c.sell(templateId, { customerId: 'cus_b', purchaseTime })).id);
      }
    });

    const search: PackageSearch = { customerIds: ['cus_a'], lifecycles: ['ACTIVE'] };
    const sorts: Record<PackageOrder, (a: CustomerPackage, b: CustomerPackage) => number> = {
      created: byCreated,
      expiring: byExpiring,
      redemption: byRedemption,
    };

    it.each(['created', 'expiring', 'redemption'] as const)('pages through every %s page in order: full pages, no duplicates, none missed', async (order) => {
      clock.set(START);
      const expected = (await viewsNow(companyId, matching)).sort(sorts[order]).map((p) => p.id);
      expect(expected).toHaveLength(18);
      for (const size of [1, 2, 3, 5, 18, 50]) expectPaged(await pagesOf(companyId, search, order, size), expected, size);
    });

    it('orders differ, so each is really applied', async () => {
      const orders = await Promise.all((['created', 'expiring', 'redemption'] as const).map(async (o) => (await pagesOf(companyId, search, o, 500)).flat()));
      expect(new Set(orders.map((o) => o.join())).size).toBe(3);
    });

    it('puts packages that never expire last in the expiring and redemption orders', async () => {
      const pkgs = await viewsNow(companyId, matching);
      const neverEnding = new Set(pkgs.filter((p) => p.endTime === null).map((p) => p.id));
      expect(neverEnding.size).toBeGreaterThan(0);
      for (const order of ['expiring', 'redemption'] as const) {
        const ids = (await pagesOf(companyId, search, order, 4)).flat();
        expect(ids.slice(-neverEnding.size).every((id) => neverEnding.has(id)), order).toBe(true);
      }
    });

    it('reads a plain number N as page N of the same order', async () => {
      const expected = (await pagesOf(companyId, search, 'redemption', 500)).flat();
      for (const n of [1, 2, 3, 4, 5]) {
        const page = await findPackages(deps, MASTER, companyId, search, 'redemption', parsePageRequest(4, String(n)));
        expect(page.items.map((v) => v.pkg.id)).toEqual(expected.slice((n - 1) * 4, n * 4));
      }
    });

    it('counts every matching package, and a page number past them is empty', async () => {
      const counted = await findPackagesCounted(deps, MASTER, companyId, search, 'created', { size: 10, after: null, offset: 10 });
      expect(counted.total).toBe(18);
      expect(counted.items).toHaveLength(8);
      for (const offset of [18, 100, 1e20]) {
        const past = await findPackagesCounted(deps, MASTER, companyId, search, 'created', { size: 10, after: null, offset });
        expect(past).toEqual({ items: [], nextPageToken: '', total: 18 });
      }
      expect((await findPackagesCounted(deps, MASTER, companyId, { customerIds: ['cus_nobody'] }, 'created', { size: 10, after: null, offset: 0 })).total).toBe(0);
      expect((await findPackagesCounted(deps, MASTER, companyId, {}, 'created', parsePageRequest(1, undefined))).total).toBe(all.length);
    });

    it("lists a customer's packages (MoeGo's and the native list) in creation order, a page at a time", async () => {
      const pages: string[][] = [];
      let token = '';
      do {
        const page = await listPackages(deps, MASTER, companyId, { customerIds: ['cus_b'], businessId: 'bus_1' }, parsePageRequest(7, token));
        pages.push(page.items.map((v) => v.pkg.id));
        token = page.nextPageToken;
      } while (token !== '');
      expectPaged(pages, all.filter((_, n) => n % 2 === 1).sort(), 7);
    });

    it("refuses another order's token, and a token of another list", async () => {
      const first = await findPackages(deps, MASTER, companyId, search, 'redemption', parsePageRequest(2, undefined));
      const refused = (order: PackageOrder, token: string) =>
        findPackages(deps, MASTER, companyId, search, order, parsePageRequest(2, token)).then(
          () => 'accepted',
          (e: unknown) => (e instanceof DomainError ? `${e.code} ${e.fieldViolations[0]?.field}` : String(e)),
        );
      expect(await refused('created', first.nextPageToken)).toBe('INVALID_ARGUMENT pageToken');
      expect(await refused('expiring', first.nextPageToken)).toBe('INVALID_ARGUMENT pageToken');
      expect(await refused('redemption', '~o100')).toBe('INVALID_ARGUMENT pageToken');
      expect(await refused('redemption', '~1.x.pkg_1')).toBe('INVALID_ARGUMENT pageToken');
      expect(await refused('redemption', first.nextPageToken)).toBe('accepted');
    });

    it('pages the history by sequence number with the same cursor', async () => {
      const seen: number[] = [];
      let token = '';
      do {
        const page = await listEvents(deps, MASTER, companyId, matching[0]!, parsePageRequest(1, token));
        seen.push(...page.items.map((e) => e.seq));
        token = page.nextPageToken;
        if (token) expect(token).toBe(`~${seen.at(-1)}`);
      } while (token !== '');
      expect(seen).toEqual([1]);
      const cancelled = all[6]!; // n = 3: sold, then cancelled
      const both = await listEvents(deps, MASTER, companyId, cancelled, parsePageRequest(1, undefined));
      expect(both.nextPageToken).toBe('~1');
      expect((await listEvents(deps, MASTER, companyId, cancelled, parsePageRequest(1, both.nextPageToken))).items.map((e) => e.type)).toEqual(['CANCELLED']);
    });
  });

  describe("the expiring window, in each package's own time zone", () => {
    // 12:00 UTC on 10 March: already 02:00 on 11 March in Kiritimati (UTC+14), still 01:00 on 10 March in
    // Pago Pago (UTC−11). Every package has a day of validity and grace days, so each is ACTIVE.
    const NOW = Date.parse('2026-03-10T12:00:00Z');
    let companyId: string;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      clock.set(NOW);
      const c = await company({ bus_1: 'Pacific/Kiritimati', bus_2: 'Pacific/Pago_Pago' });
      companyId = c.companyId;
      const day = await c.template({ validity: { days: 1 }, gracePeriodDays: 3 });
      const long = await c.template({ validity: { days: 400 } });
      const endingAt = (end: string, businessId: string) => c.sell(day, { businessId, purchaseTime: Date.parse(end) - DAY });
      // Kiritimati: today is 11 March.
      ids.kYesterday = (await endingAt('2026-03-10T09:00:00Z', 'bus_1')).id; // 10 March 23:00 local
      ids.kToday = (await endingAt('2026-03-11T09:00:00Z', 'bus_1')).id; // 11 March 23:00 local
      ids.kTomorrowMidnight = (await endingAt('2026-03-11T10:00:00Z', 'bus_1')).id; // 12 March 00:00 local
      // Pago Pago: today is 10 March.
      ids.pTodayMidnight = (await endingAt('2026-03-10T11:00:00Z', 'bus_2')).id; // 10 March 00:00 local
      ids.pToday = (await endingAt('2026-03-11T10:00:00Z', 'bus_2')).id; // 10 March 23:00 local
      ids.pTomorrow = (await endingAt('2026-03-11T12:00:00Z', 'bus_2')).id; // 11 March 01:00 local
      for (const businessId of ['bus_1', 'bus_2']) await c.sell(long, { businessId }); // far outside
      const cancelled = await endingAt('2026-03-11T09:00:00Z', 'bus_1');
      await cancelPackage(deps, MASTER, companyId, cancelled.id, { refund: 'NONE', reason: 'test' }); // not open
    });

    const expiring = async (withinDays: number, businessId?: string) => {
      const page = await listExpiring(deps, MASTER, companyId, businessId === undefined ? { withinDays } : { withinDays, businessId }, parsePageRequest(50, undefined));
      return page.items.map((v) => v.pkg.id);
    };

    it('keeps from today through today + N in each zone, soonest first', async () => {
      clock.set(NOW);
      expect(await expiring(0)).toEqual([ids.pTodayMidnight, ids.kToday, ids.pToday]);
      expect(await expiring(1)).toEqual([ids.pTodayMidnight, ids.kToday, ids.kTomorrowMidnight, ids.pToday, ids.pTomorrow]);
      expect(await expiring(0, 'bus_1')).toEqual([ids.kToday]);
      expect(await expiring(1, 'bus_2')).toEqual([ids.pTodayMidnight, ids.pToday, ids.pTomorrow]);
    });

    it('agrees with the expiration dates and lifecycles the domain gives, at moments around the boundaries', async () => {
      const moments = [NOW, Date.parse('2026-03-10T09:59:59Z'), Date.parse('2026-03-10T10:00:00Z'), Date.parse('2026-03-10T11:00:00Z'), Date.parse('2026-03-11T10:59:59Z')];
      for (const moment of moments) {
        clock.set(moment);
        const pkgs = await viewsNow(companyId, Object.values(ids));
        for (const days of [0, 1, 2]) {
          const expected = pkgs
            .filter((p) => {
              const today = localDateOf(moment, p.timeZone);
              const open = ['ACTIVE', 'FROZEN', 'NOT_STARTED'].includes(lifecycleAt(p, moment));
              return open && expirationDate(p) >= today && expirationDate(p) <= addDays(today, days);
            })
            .sort(byExpiring)
            .map((p) => p.id);
          expect(await expiring(days), `${days} days at ${new Date(moment).toISOString()}`).toEqual(expected);
        }
      }
    });

    it('pages the expiring list with full pages and a last empty token', async () => {
      clock.set(NOW);
      const expected = await expiring(1);
      for (const size of [1, 2, 4]) expectPaged(await pagesOf(companyId, { expiringWithinDays: 1 }, 'expiring', size), expected, size);
    });

    it('refuses a window outside 0–3660 days', async () => {
      await expect(expiring(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(expiring(3661)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(expiring(1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  it('pages the expiring list of a busy company without short pages, whatever lies between the matches', async () => {
    clock.set(START);
    const c = await company({ bus_1: 'UTC', bus_2: 'Asia/Tokyo' });
    const soon = await c.template({ validity: { days: 5 } });
    const later = await c.template({ validity: { days: 200 } });
    const expected: string[] = [];
    for (let n = 0; n < 30; n++) {
      const pkg = await c.sell(n % 3 === 0 ? later : soon, { businessId: n % 2 === 0 ? 'bus_1' : 'bus_2', purchaseTime: START - (n % 5) * HOUR });
      if (n % 3 === 0) continue;
      if (n % 7 === 0) await cancelPackage(deps, MASTER, c.companyId, pkg.id, { refund: 'NONE', reason: 'test' });
      else expected.push(pkg.id);
    }
    const sorted = (await viewsNow(c.companyId, expected)).sort(byExpiring).map((p) => p.id);
    for (const size of [1, 3, 4, 6]) {
      const pages: string[][] = [];
      let token = '';
      do {
        const page = await listExpiring(deps, MASTER, c.companyId, { withinDays: 30 }, parsePageRequest(size, token));
        pages.push(page.items.map((v) => v.pkg.id));
        token = page.nextPageToken;
      } while (token !== '');
      expectPaged(pages, sorted, size);
    }
  });
});
