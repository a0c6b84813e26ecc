// Zenoti's guest packages API: the seed's response fields, every meaning of API.md "Zenoti field meanings",
// a guest with a package in each state, show_redeemable and status filters, paging, and errors in Zenoti's
// envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp } from '../support/app.js';
import { cancelPackage, freezePackage } from '../../src/application/package-admin.js';
import { upsertCustomer } from '../../src/application/reference-data.js';
import { seedWorld, typeTree, usd, type World } from './moego-fixtures.js';

const NOW = Date.parse('2026-03-10T15:00:00Z');
const DAY = 86_400_000;

const PRICE = { currency_id: 'number', sales: 'number', tax: 'number', final: 'number' };
/** Each package as the seed's response tables list it (with JSON types), plus the four fields API.md adds. */
const SEED_PACKAGE_SHAPE = {
  user_package_id: 'string',
  user_package_state: 'number',
  redeemable: 'boolean',
  invoice: { status: 'number', receipt_no: 'string', id: 'string', no: 'string' },
  status: 'number',
  package: { type: 'number', id: 'string', name: 'string' },
  date: { end_date_with_grace: 'string', start: 'string', end: 'string' },
  products: [
    {
      product_type_info: { product_category_type: 'number', name: 'string', id: 'string' },
      exists_in_current_center: 'boolean',
      total: 'number',
      used: 'number',
      balance: 'number',
      balance_amount: 'number',
      price: PRICE,
    },
  ],
  services: [
    {
      service_type_info: { service_category_type: 'number', id: 'string', name: 'string', duration: 'number', has_segments: 'boolean' },
      exists_in_current_center: 'boolean',
      total: 'number',
      used: 'number',
      balance: 'number',
      balance_amount: 'number',
      price: PRICE,
      package_service_price: 'number',
      sale_as_part_of_package_or_membership_only: 'boolean',
      book_with_partial_balance: 'number',
    },
  ],
  redemption_setting_details: {
    total_payment: 'number',
    intial_recognized_revenue: 'number',
    service_frequency_factor: 'number',
    closed: 'boolean',
    allowed_redeemable_amount_for_partial_payment: 'number',
    is_frozen: 'boolean',
    has_products: 'boolean',
    partial_payment_without_initially_recognized_amount: 'number',
    restrict_redemption_in_this_center: 'boolean',
    center_name: 'string',
  },
  never_expires: 'boolean',
  start_validity_at_first_redemption: 'boolean',
  expiration_days: 'number',
  purchase_price: 'number',
};

describe.each(ENGINES)('Zenoti guest packages on %s', (engine) => {
  let t: TestApp;
  let w: World;
  let guests = 0;
  beforeAll(async () => {
    t = await createTestApp(engine, { now: NOW });
    w = await seedWorld(t);
  });
  afterAll(() => t.close());

  const apikey = () => ({ authorization: `apikey ${w.key}` });
  const get = async (url: string, headers: Record<string, string> = apikey()) => {
    const r = await t.app.inject({ method: 'GET', url, headers });
    return { status: r.statusCode, json: r.json() };
  };
  const packagesOf = (guest: string, query = 'center_id=bus_001', headers?: Record<string, string>) =>
    get(`/v1/guests/${guest}/Packages?${query}`, headers);
  const newGuest = async () => {
    const id = `gst_${++guests}`;
    await upsertCustomer(t.deps, w.principal, w.companyId, id, { firstName: 'Guest', lastName: String(guests) });
    return id;
  };
  const only = async (guest: string, query = 'center_id=bus_001') => {
    const r = await packagesOf(guest, query);
    expect(r.status).toBe(200);
    expect(r.json.packages).toHaveLength(1);
    return r.json.packages[0];
  };

  describe('golden: the seed response', () => {
    it("answers the seed's request with {packages, page_info, error: null}, each package exactly the seed's fields", async () => {
      await w.template({ id: 'tpl_kit', name: 'Grooming kit', price: usd(170), productItems: [{ productId: 'prd_001', quantity: 2, unitPrice: usd(10) }] });
      const guest = await newGuest();
      const sold = await w.sell(guest, { templateId: 'tpl_kit', invoice: { id: 'inv_1', no: 'INV-0001', receiptNo: 'R-77', status: 'Processed' } });
      const r = await packagesOf(guest, 'center_id=bus_001&show_redeemable=false&page_num=1&page_size=10');
      expect(r.status).toBe(200);
      expect(Object.keys(r.json).sort()).toEqual(['error', 'packages', 'page_info']);
      expect(r.json.error).toBeNull();
      expect(r.json.page_info).toStrictEqual({ total: 1, page: 1, size: 10 });
      expect(typeTree(r.json.packages[0])).toStrictEqual(SEED_PACKAGE_SHAPE);
      expect(r.json.packages[0].user_package_id).toBe(sold.pkg.id);
    });

    it('serves the path segment as Packages and as packages', async () => {
      const guest = await newGuest();
      await w.sell(guest);
      const upper = await get(`/v1/guests/${guest}/Packages?center_id=bus_001`);
      const lower = await get(`/v1/guests/${guest}/packages?center_id=bus_001`);
      expect(upper.status).toBe(200);
      expect(lower.json).toStrictEqual(upper.json);
    });

    it('takes the key as apikey, Bearer or Basic', async () => {
      const guest = await newGuest();
      for (const authorization of [`apikey ${w.key}`, `Bearer ${w.key}`, `Basic ${Buffer.from(w.key).toString('base64')}`]) {
        expect((await packagesOf(guest, 'center_id=bus_001', { authorization })).status).toBe(200);
      }
    });
  });

  describe('a guest with a package in each state', () => {
    const ids: Record<string, string> = {};
    let guest: string;
    beforeAll(async () => {
      guest = await newGuest();
      ids.active = (await w.sell(guest)).pkg.id;
      ids.frozen = (await w.sell(guest)).pkg.id;
      await freezePackage(t.deps, w.principal, w.companyId, ids.frozen, { reason: 'travelling' });
      ids.expired = (await w.sell(guest, { purchaseTime: NOW - 400 * DAY })).pkg.id;
      ids.cancelled = (await w.sell(guest)).pkg.id;
      await cancelPackage(t.deps, w.principal, w.companyId, ids.cancelled, { refund: 'FULL', reason: 'changed mind' });
      ids.notStarted = (await w.sell(guest, { startTime: NOW + 7 * DAY })).pkg.id;
      ids.processing = (await w.sell(guest)).pkg.id;
      await w.redeem(ids.processing, { hold: true });
      await w.template({ id: 'tpl_single', items: [{ serviceIds: ['srv_001'], quantity: 1, unitPrice: usd(150) }] });
      ids.usedUp = (await w.sell(guest, { templateId: 'tpl_single' })).pkg.id;
      await w.redeem(ids.usedUp);
    });

    const byId = (packages: any[]): Record<string, any> => Object.fromEntries(packages.map((p) => [p.user_package_id, p]));

    it('gives each its status, user_package_state and redeemable', async () => {
      const r = await packagesOf(guest, 'center_id=bus_001&page_size=100');
      expect(r.json.page_info.total).toBe(7);
      const p = byId(r.json.packages);
      const facts = (id: string) => {
        const x = p[id];
        return [x.status, x.user_package_state, x.redeemable, x.redemption_setting_details.is_frozen, x.redemption_setting_details.closed];
      };
      expect(facts(ids.active!)).toEqual([1, 1, true, false, false]);
      expect(facts(ids.frozen!)).toEqual([3, 1, false, true, false]);
      expect(facts(ids.expired!)).toEqual([5, 0, false, false, true]);
      expect(facts(ids.cancelled!)).toEqual([6, 0, false, false, true]);
      expect(facts(ids.notStarted!)).toEqual([7, 1, false, false, false]);
      expect(facts(ids.processing!)).toEqual([1, 2, true, false, false]);
      // Fully used: still status active, but the state says closed.
      expect(facts(ids.usedUp!)).toEqual([1, 0, false, false, true]);
    });

    it('show_redeemable=true keeps only the redeemable ones', async () => {
      const r = await packagesOf(guest, 'center_id=bus_001&show_redeemable=true');
      expect(r.json.packages.map((x: { user_package_id: string }) => x.user_package_id).sort()).toEqual([ids.active, ids.processing].sort());
      expect(r.json.page_info.total).toBe(2);
      expect((await packagesOf(guest, 'center_id=bus_001&show_redeemable=false&page_size=100')).json.packages).toHaveLength(7);
    });

    it('status filters by status code; -1 means all', async () => {
      const codes = async (status: number) =>
        (await packagesOf(guest, `center_id=bus_001&status=${status}&page_size=100`)).json.packages.map((x: { user_package_id: string }) => x.user_package_id);
      expect(await codes(3)).toEqual([ids.frozen]);
      expect(await codes(5)).toEqual([ids.expired]);
      expect(await codes(6)).toEqual([ids.cancelled]);
      expect(await codes(7)).toEqual([ids.notStarted]);
      expect(await codes(-1)).toHaveLength(7);
      expect(await codes(8)).toEqual([]);
    });

    it('accepts expand and ignores it', async () => {
      const r = await packagesOf(guest, 'center_id=bus_001&expand=services&expand=products&page_size=100');
      expect(r.status).toBe(200);
      expect(r.json.packages).toHaveLength(7);
    });

    it('a package expires when the clock passes its expiration date (and grace)', async () => {
      const g = await newGuest();
      await w.template({ id: 'tpl_grace', validity: { days: 30 }, gracePeriodDays: 5 });
      const id = (await w.sell(g, { templateId: 'tpl_grace' })).pkg.id;
      try {
        t.clock.set(NOW + 32 * DAY); // past the expiration date, within the grace days
        expect(await only(g)).toMatchObject({ user_package_id: id, status: 1, redeemable: true });
        t.clock.set(NOW + 40 * DAY);
        expect(await only(g)).toMatchObject({ status: 5, user_package_state: 0, redeemable: false });
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('field meanings', () => {
    it("dates are the center's local midnights: start, expiration date, expiration date plus grace", async () => {
      await w.template({ id: 'tpl_grace7', gracePeriodDays: 7 });
      const g = await newGuest();
      // 02:00Z on Jan 15 is still Jan 14 in Los Angeles; 365 days later is Jan 14, 2024 there.
      await w.sell(g, { templateId: 'tpl_grace7', businessId: 'bus_002', purchaseTime: Date.parse('2023-01-15T02:00:00Z') });
      expect((await only(g)).date).toStrictEqual({
        start: '2023-01-14T00:00:00',
        end: '2024-01-14T00:00:00',
        end_date_with_grace: '2024-01-21T00:00:00',
      });
    });

    it('package.type: 0 regular, 1 custom, 2 offer, 3 custom offer; package.id is the template', async () => {
      const g = await newGuest();
      for (const type of ['REGULAR', 'CUSTOM', 'OFFER', 'CUSTOM_OFFER']) {
        await w.template({ id: `tpl_${type.toLowerCase()}`, type, name: `${type} package` });
        await w.sell(g, { templateId: `tpl_${type.toLowerCase()}` });
      }
      const r = await packagesOf(g);
      expect(r.json.packages.map((p: { package: unknown }) => p.package)).toEqual([
        { type: 0, id: 'tpl_regular', name: 'REGULAR package' },
        { type: 1, id: 'tpl_custom', name: 'CUSTOM package' },
        { type: 2, id: 'tpl_offer', name: 'OFFER package' },
        { type: 3, id: 'tpl_custom_offer', name: 'CUSTOM_OFFER package' },
      ]);
    });

    it('services: quantities total/used/balance, balance_amount = the item remainingValue (held units not yet used), price.sales the unit price', async () => {
      const g = await newGuest();
      const id = (await w.sell(g, { price: usd(120.5) })).pkg.id;
      await w.redeem(id, { quantity: 2 });
      await w.redeem(id, { hold: true });
      const p = await only(g);
      // $120.50 over 5 units: $24.10 a unit.
      expect(p.services).toStrictEqual([
        {
          service_type_info: { service_category_type: 2, id: 'srv_001', name: 'Basic Grooming', duration: 60, has_segments: false },
          exists_in_current_center: true,
          total: 5,
          used: 2,
          balance: 2,
          balance_amount: 72.3, // 3 units not yet used (1 of them held): the item's remainingValue
          price: { currency_id: 840, sales: 24.1, tax: 0, final: 24.1 },
          package_service_price: 120.5,
          sale_as_part_of_package_or_membership_only: false,
          book_with_partial_balance: 1,
        },
      ]);
      expect(p.user_package_state).toBe(2);
      expect(p.redemption_setting_details.total_payment).toBe(120.5);
      expect(p.purchase_price).toBe(120.5);
    });

    it('an "any one of" item is one category entry; exists_in_current_center follows the catalog', async () => {
      await w.template({ id: 'tpl_any', items: [{ serviceIds: ['srv_002', 'srv_001'], quantity: 5, unitPrice: usd(30) }] });
      await w.template({ id: 'tpl_bath', items: [{ serviceIds: ['srv_002'], quantity: 5, unitPrice: usd(30) }] });
      const g = await newGuest();
      const any = await w.sell(g, { templateId: 'tpl_any' });
      await w.sell(g, { templateId: 'tpl_bath' });
      const [first, second] = (await packagesOf(g)).json.packages;
      expect(first.services[0].service_type_info).toStrictEqual({
        service_category_type: 1,
        id: any.pkg.items[0]!.id,
        name: 'Bath / Basic Grooming',
        duration: 30,
        has_segments: false,
      });
      expect(first.services[0].exists_in_current_center).toBe(true);
      // The Bath is offered only at bus_002.
      expect(second.services[0].exists_in_current_center).toBe(false);
      const atUptown = (await packagesOf(g, 'center_id=bus_002')).json.packages[1];
      expect(atUptown.services[0].exists_in_current_center).toBe(true);
    });

    it('products: the product, its quantities and price; has_products', async () => {
      const g = await newGuest();
      await w.sell(g, { templateId: 'tpl_kit' });
      const p = await only(g);
      expect(p.products).toStrictEqual([
        {
          product_type_info: { product_category_type: 2, name: 'Shampoo', id: 'prd_001' },
          exists_in_current_center: true,
          total: 2,
          used: 0,
          balance: 2,
          balance_amount: 20,
          price: { currency_id: 840, sales: 10, tax: 0, final: 10 },
        },
      ]);
      expect(p.redemption_setting_details.has_products).toBe(true);
      await w.sell(g);
      expect((await packagesOf(g)).json.packages[1].redemption_setting_details.has_products).toBe(false);
    });

    it('center_name is the selling business; restrict_redemption_in_this_center limits redeemable to it', async () => {
      await w.template({ id: 'tpl_local', restrictRedemptionToSellingBusiness: true });
      const g = await newGuest();
      await w.sell(g, { templateId: 'tpl_local', businessId: 'bus_002' });
      const here = await only(g, 'center_id=bus_002');
      expect(here.redemption_setting_details).toMatchObject({ center_name: 'Uptown', restrict_redemption_in_this_center: true });
      expect(here.redeemable).toBe(true);
      const elsewhere = await only(g, 'center_id=bus_001');
      expect(elsewhere.redemption_setting_details.center_name).toBe('Uptown');
      expect(elsewhere.redeemable).toBe(false);
      expect((await packagesOf(g, 'center_id=bus_001&show_redeemable=true')).json.packages).toEqual([]);
    });

    it('never_expires, start_validity_at_first_redemption and expiration_days', async () => {
      await w.template({ id: 'tpl_never', validity: { never: true } });
      await w.template({ id: 'tpl_month', validity: { months: 1 } });
      await w.template({ id: 'tpl_first_use', activation: 'ON_FIRST_REDEMPTION', validity: { days: 90 } });
      const g = await newGuest();
      await w.sell(g);
      await w.sell(g, { templateId: 'tpl_never' });
      await w.sell(g, { templateId: 'tpl_month', purchaseTime: Date.parse('2026-01-15T15:00:00Z') });
      await w.sell(g, { templateId: 'tpl_first_use' });
      const facts = (await packagesOf(g)).json.packages.map((p: any) => [p.never_expires, p.start_validity_at_first_redemption, p.expiration_days, p.date.end]);
      expect(facts).toEqual([
        [false, false, 365, '2027-03-10T00:00:00'],
        [true, false, 0, '9999-01-01T00:00:00'],
        [false, false, 31, '2026-02-15T00:00:00'],
        // Not used yet: its clock has not started, so there is no end date yet.
        [false, true, 90, '9999-01-01T00:00:00'],
      ]);
      const firstUse = (await packagesOf(g)).json.packages[3];
      expect(firstUse).toMatchObject({ status: 1, redeemable: true, date: { start: '2026-03-10T00:00:00' } });
    });

    it('invoice: the sale reference, a Zenoti status code from its name or number; none is NotSpecified (11)', async () => {
      const g = await newGuest();
      await w.sell(g, { invoice: { id: 'inv_9', no: 'INV-9', receiptNo: 'R-9', status: 'Processed' } });
      await w.sell(g, { invoice: { id: 'inv_10', no: 'INV-10', receiptNo: 'R-10', status: '13' } });
      await w.sell(g, { invoice: { id: 'inv_11', no: 'INV-11', receiptNo: 'R-11', status: 'PAID' } });
      await w.sell(g);
      expect((await packagesOf(g)).json.packages.map((p: { invoice: unknown }) => p.invoice)).toEqual([
        { status: 1, receipt_no: 'R-9', id: 'inv_9', no: 'INV-9' },
        { status: 13, receipt_no: 'R-10', id: 'inv_10', no: 'INV-10' },
        { status: 1, receipt_no: 'R-11', id: 'inv_11', no: 'INV-11' },
        { status: 11, receipt_no: '', id: '', no: '' },
      ]);
    });
  });

  describe('paging', () => {
    let g: string;
    let ids: string[];
    beforeAll(async () => {
      g = await newGuest();
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await w.sell(g)).pkg.id);
    });

    it('pages by page_num and page_size, with the total over all pages', async () => {
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const r = await packagesOf(g, `center_id=bus_001&page_num=${page}&page_size=2`);
        expect(r.json.page_info).toStrictEqual({ total: 5, page, size: 2 });
        seen.push(...r.json.packages.map((p: { user_package_id: string }) => p.user_package_id));
      }
      expect(seen).toEqual(ids);
      const past = await packagesOf(g, 'center_id=bus_001&page_num=4&page_size=2');
      expect(past.json).toStrictEqual({ packages: [], page_info: { total: 5, page: 4, size: 2 }, error: null });
    });

    it('defaults to page 1 of 10 and takes up to 100', async () => {
      expect((await packagesOf(g)).json.page_info).toStrictEqual({ total: 5, page: 1, size: 10 });
      expect((await packagesOf(g, 'center_id=bus_001&page_size=100')).json.packages).toHaveLength(5);
    });
  });

  describe("errors, in Zenoti's envelope with the HTTP status", () => {
    const expectError = (r: { status: number; json: any }, status: number, text?: string) => {
      expect(r.status).toBe(status);
      expect(r.json).toStrictEqual({ packages: null, page_info: null, error: { code: status, message: expect.any(String) } });
      if (text) expect(r.json.error.message).toContain(text);
    };

    it('422 for page_size over 100; 400 for page_size below 1 or page_num below 1', async () => {
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_size=101'), 422, 'page_size');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_size=100000000000'), 422, 'page_size');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_size=0'), 400, 'page_size');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_num=0'), 400, 'page_num');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_num=-3'), 400, 'page_num');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&page_num=two'), 400, 'page_num');
    });

    it('400 without center_id, or with a bad show_redeemable or status', async () => {
      expectError(await packagesOf('cus_123', ''), 400, 'center_id');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&show_redeemable=maybe'), 400, 'show_redeemable');
      expectError(await packagesOf('cus_123', 'center_id=bus_001&status=active'), 400, 'status');
    });

    it('404 for a guest or a center the company does not have', async () => {
      expectError(await packagesOf('cus_nobody'), 404, 'cus_nobody');
      expectError(await packagesOf('cus_123', 'center_id=bus_nowhere'), 404, 'bus_nowhere');
      // Another company's guest is not this company's.
      const other = await t.newCompany();
      expectError(await packagesOf('cus_123', 'center_id=bus_001', { authorization: `apikey ${other.key}` }), 404);
    });

    it('401 without a key or with an unknown one', async () => {
      expectError(await packagesOf('cus_123', 'center_id=bus_001', {}), 401);
      expectError(await packagesOf('cus_123', 'center_id=bus_001', { authorization: 'apikey pck.cmp_001.nope' }), 401);
    });

    it('403 for the master key, which belongs to no company', async () => {
      expectError(await packagesOf('cus_123', 'center_id=bus_001', { authorization: `apikey ${MASTER_KEY}` }), 403, 'master key');
    });
  });
});
