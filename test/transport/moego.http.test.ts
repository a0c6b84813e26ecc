// MoeGo's package API over HTTP/JSON: the seed's own requests answered in the seed's shape, every field
// meaning of API.md "MoeGo field meanings", the request shapes MoeGo clients send, paging and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { cancelPackage } from '../../src/application/package-admin.js';
import { upsertCustomer } from '../../src/application/reference-data.js';
import { seedWorld, typeTree, usd, type World } from './moego-fixtures.js';
import {
  SEED_LIST_PACKAGES_REQUEST,
  SEED_LIST_PACKAGES_RESPONSE,
  SEED_LIST_PACKAGE_DETAILS_REQUEST,
  SEED_LIST_PACKAGE_DETAILS_RESPONSE,
} from './moego-seed-samples.js';

const SEED_TIME = Date.parse('2023-01-15T10:00:00Z');
const HOUR = 3_600_000;

describe.each(ENGINES)('MoeGo HTTP surface on %s', (engine) => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await createTestApp(engine, { now: SEED_TIME });
    w = await seedWorld(t);
  });
  afterAll(() => t.close());

  const post = async (url: string, payload: unknown, headers: Record<string, string> = w.auth) => {
    const r = await t.app.inject({ method: 'POST', url, headers, payload: payload as object });
    return { status: r.statusCode, json: r.json() };
  };
  const list = (body: unknown, headers?: Record<string, string>) => post('/v1/packages:list', body, headers);
  const details = (body: unknown, headers?: Record<string, string>) => post('/v1/packages/details:list', body, headers);
  const listFor = (customerIds: string[], extra: object = {}) => list({ companyId: w.companyId, customerIds, ...extra });

  describe('golden: the seed samples', () => {
    let packageId: string;
    let itemId: string;
    beforeAll(async () => {
      // The seed's package: sold at its purchase time, one visit used and one held for a booking.
      t.clock.set(SEED_TIME);
      const sold = await w.sell('cus_123', { staffId: 'staff_001' });
      packageId = sold.pkg.id;
      itemId = sold.pkg.items[0]!.id;
      await w.redeem(packageId);
      await w.redeem(packageId, { hold: true });
    });

    it('answers the seed ListPackages request with the seed response, field for field (ids aside)', async () => {
      const r = await list(SEED_LIST_PACKAGES_REQUEST);
      expect(r.status).toBe(200);
      const expected = structuredClone(SEED_LIST_PACKAGES_RESPONSE);
      expected.packages[0]!.id = packageId;
      expect(r.json).toStrictEqual(expected);
      expect(typeTree(r.json)).toStrictEqual(typeTree(SEED_LIST_PACKAGES_RESPONSE));
    });

    it('answers the seed ListPackageDetails request with the seed response, field for field (ids aside)', async () => {
      const r = await details({ ...SEED_LIST_PACKAGE_DETAILS_REQUEST, packageIds: [packageId] });
      expect(r.status).toBe(200);
      const expected = structuredClone(SEED_LIST_PACKAGE_DETAILS_RESPONSE);
      expected.packageDetails[0]!.packageInfo.id = packageId;
      expected.packageDetails[0]!.packageServices[0]!.id = itemId;
      expected.packageDetails[0]!.packageServices[0]!.packageId = packageId;
      expect(r.json).toStrictEqual(expected);
      expect(typeTree(r.json)).toStrictEqual(typeTree(SEED_LIST_PACKAGE_DETAILS_RESPONSE));
    });

    it('takes the key as Basic (base64 of the key), as MoeGo clients send it', async () => {
      const r = await list(SEED_LIST_PACKAGES_REQUEST, { authorization: `Basic ${Buffer.from(w.key).toString('base64')}` });
      expect(r.status).toBe(200);
      expect(r.json.packages.map((p: { id: string }) => p.id)).toEqual([packageId]);
    });
  });

  describe('request shapes', () => {
    let a: string;
    let b: string;
    beforeAll(async () => {
      a = (await w.sell('cus_456')).pkg.id;
      b = (await w.sell('cus_456', { businessId: 'bus_002' })).pkg.id;
    });

    it("takes MoeGo's older shape {pagination, companyId, businessId?, customerId}", async () => {
      const all = await list({ pagination: { pageSize: 20, pageToken: '1' }, companyId: w.companyId, customerId: 'cus_456' });
      expect(all.json.packages.map((p: { id: string }) => p.id)).toEqual([a, b]);
      const one = await list({ pagination: { pageSize: 20, pageToken: '1' }, companyId: w.companyId, businessId: 'bus_002', customerId: 'cus_456' });
      expect(one.json.packages.map((p: { id: string }) => p.id)).toEqual([b]);
    });

    it('takes snake_case names', async () => {
      const r = await list({ pagination: { page_size: 1, page_token: '2' }, company_id: w.companyId, customer_ids: ['cus_456'], business_id: null });
      expect(r.status).toBe(200);
      expect(r.json.packages.map((p: { id: string }) => p.id)).toEqual([b]);
      const d = await details({ pagination: { page_size: 5 }, company_id: w.companyId, package_ids: [b], business_id: 'bus_002' });
      expect(d.json.packageDetails.map((x: { packageInfo: { id: string } }) => x.packageInfo.id)).toEqual([b]);
    });

    it('reads an absent pagination as the first page of 50, and numbers as strings', async () => {
      expect((await listFor(['cus_456'])).json.packages).toHaveLength(2);
      const r = await list({ pagination: { pageSize: '1' }, companyId: w.companyId, customerIds: ['cus_456'] });
      expect(r.json.packages).toHaveLength(1);
    });

    it('lists the union of customerId and customerIds, once each, in creation order', async () => {
      const r = await list({ companyId: w.companyId, customerId: 'cus_456', customerIds: ['cus_123', 'cus_456', 'cus_nobody'] });
      const ids = r.json.packages.map((p: { id: string }) => p.id);
      expect(ids).toEqual([...ids].sort());
      expect(r.json.packages.map((p: { customerId: string }) => p.customerId).sort()).toEqual(['cus_123', 'cus_456', 'cus_456']);
    });

    it('ignores fields it does not know', async () => {
      expect((await listFor(['cus_456'], { somethingElse: { x: 1 } })).status).toBe(200);
    });

    it('filters ListPackageDetails by business: a package of another business is NOT_FOUND', async () => {
      const r = await details({ companyId: w.companyId, businessId: 'bus_001', packageIds: [a, b] });
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ code: 5 });
      expect(r.json.message).toContain(b);
    });
  });

  describe('paging', () => {
    let ids: string[];
    beforeAll(async () => {
      await upsertCustomer(t.deps, w.principal, w.companyId, 'cus_pages', { firstName: 'Page', lastName: 'Turner' });
      ids = [];
      for (let i = 0; i < 5; i++) ids.push((await w.sell('cus_pages')).pkg.id);
    });

    it('walks ListPackages with nextPageToken until it is empty', async () => {
      const seen: string[] = [];
      let token = '1';
      for (let n = 0; n < 5; n++) {
        const r = await listFor(['cus_pages'], { pagination: { pageSize: 2, pageToken: token } });
        expect(r.status).toBe(200);
        seen.push(...r.json.packages.map((p: { id: string }) => p.id));
        token = r.json.nextPageToken;
        if (token === '') break;
        expect(token.length).toBeLessThanOrEqual(64);
      }
      expect(token).toBe('');
      expect(seen).toEqual(ids);
    });

    it('reads a page-number token N as page N', async () => {
      const r = await listFor(['cus_pages'], { pagination: { pageSize: 2, pageToken: '3' } });
      expect(r.json.packages.map((p: { id: string }) => p.id)).toEqual([ids[4]]);
      expect(r.json.nextPageToken).toBe('');
    });

    it('pages ListPackageDetails over the ids asked, in the order asked', async () => {
      const asked = [ids[3]!, ids[0]!, ids[4]!];
      const first = await details({ companyId: w.companyId, packageIds: asked, pagination: { pageSize: 2, pageToken: '1' } });
      expect(first.json.packageDetails.map((d: { packageInfo: { id: string } }) => d.packageInfo.id)).toEqual([ids[3], ids[0]]);
      expect(first.json.nextPageToken).not.toBe('');
      const second = await details({ companyId: w.companyId, packageIds: asked, pagination: { pageSize: 2, pageToken: first.json.nextPageToken } });
      expect(second.json.packageDetails.map((d: { packageInfo: { id: string } }) => d.packageInfo.id)).toEqual([ids[4]]);
      expect(second.json.nextPageToken).toBe('');
    });
  });

  describe('field meanings', () => {
    beforeAll(() => t.clock.set(Date.parse('2026-03-10T15:00:00Z')));
    const info = async (packageId: string) => (await details({ companyId: w.companyId, packageIds: [packageId] })).json.packageDetails[0];

    it('used: at least one committed redemption; applied: at least one pending hold; a lapsed hold no longer applies', async () => {
      const id = (await w.sell('cus_123')).pkg.id;
      expect((await info(id)).packageInfo).toMatchObject({ used: false, applied: false, totalRemainingQuantity: 5 });
      await w.redeem(id, { hold: true });
      expect((await info(id)).packageInfo).toMatchObject({ used: false, applied: true, totalRemainingQuantity: 4 });
      t.clock.advance(25 * HOUR); // the hold (24 hours by default) lapses
      expect((await info(id)).packageInfo).toMatchObject({ used: false, applied: false, totalRemainingQuantity: 5 });
      await w.redeem(id, { quantity: 2 });
      const d = await info(id);
      expect(d.packageInfo).toMatchObject({ used: true, applied: false, totalRemainingQuantity: 3 });
      expect(d.packageServices[0]).toMatchObject({ totalQuantity: 5, remainingQuantity: 3 });
    });

    it('remainingQuantity is total − committed − held per item; totalRemainingQuantity sums the service items only', async () => {
      await w.template({
        id: 'tpl_combo',
        name: 'Combo',
        price: usd(100),
        items: [
          { serviceIds: ['srv_001'], quantity: 2, unitPrice: null },
          { serviceIds: ['srv_001', 'srv_002'], quantity: 3, unitPrice: null },
        ],
        productItems: [{ productId: 'prd_001', quantity: 4 }],
      });
      const id = (await w.sell('cus_123', { templateId: 'tpl_combo' })).pkg.id;
      await w.redeem(id, { serviceId: 'srv_002', quantity: 1 });
      await w.redeem(id, { serviceId: 'srv_002', quantity: 1, hold: true });
      const d = await info(id);
      expect(d.packageServices.map((s: { totalQuantity: number; remainingQuantity: number }) => [s.totalQuantity, s.remainingQuantity])).toEqual([
        [2, 2],
        [3, 1],
      ]);
      expect(d.packageInfo.totalRemainingQuantity).toBe(3);
      // An "any one of" item lists each service it may be redeemed for; products are not package services.
      expect(d.packageServices[1].services.map((s: { serviceId: string; name: string }) => [s.serviceId, s.name])).toEqual([
        ['srv_001', 'Basic Grooming'],
        ['srv_002', 'Bath'],
      ]);
      expect(d.packageServices).toHaveLength(2);
    });

    it("services[].unitPrice is the item's allocated unit price", async () => {
      // $100 over 2 × $35 and 3 × $35 by list price: $40 and $60, so $20.00 a unit each.
      await w.template({
        id: 'tpl_split',
        price: usd(100),
        items: [
          { serviceIds: ['srv_001'], quantity: 2, unitPrice: null },
          { serviceIds: ['srv_001'], quantity: 3, unitPrice: null },
        ],
      });
      const id = (await w.sell('cus_123', { templateId: 'tpl_split' })).pkg.id;
      const d = await info(id);
      expect(d.packageServices.map((s: { services: { unitPrice: unknown }[] }) => s.services[0]!.unitPrice)).toEqual([
        { currencyCode: 'USD', units: 20, nanos: 0 },
        { currencyCode: 'USD', units: 20, nanos: 0 },
      ]);
      // $100.01 for 5 units: $20.00 a unit, the last unit carrying the odd cent.
      const odd = (await w.sell('cus_123', { price: usd(100.01) })).pkg.id;
      expect((await info(odd)).packageServices[0].services[0].unitPrice).toEqual({ currencyCode: 'USD', units: 20, nanos: 0 });
    });

    it('packagePrice is what was paid, to the cent', async () => {
      const id = (await w.sell('cus_123', { price: usd(120.5) })).pkg.id;
      expect((await info(id)).packageInfo.packagePrice).toEqual({ currencyCode: 'USD', units: 120, nanos: 500_000_000 });
    });

    it("expirationDate is the date of endTime in the business's time zone", async () => {
      const bought = Date.parse('2023-01-15T02:00:00Z');
      const id = (await w.sell('cus_123', { businessId: 'bus_002', purchaseTime: bought })).pkg.id;
      expect((await info(id)).packageInfo).toMatchObject({
        purchaseTime: '2023-01-15T02:00:00Z',
        startTime: '2023-01-15T02:00:00Z',
        endTime: '2024-01-15T02:00:00Z',
        expirationDate: '2024-01-14',
      });
    });

    it('a package that never expires has expirationDate 9999-01-01 and no endTime', async () => {
      await w.template({ id: 'tpl_forever', validity: { never: true } });
      const id = (await w.sell('cus_123', { templateId: 'tpl_forever' })).pkg.id;
      expect((await info(id)).packageInfo).toMatchObject({ expirationDate: '9999-01-01', endTime: null });
    });

    it('status is STATUS_NORMAL for every package that exists, cancelled or expired too', async () => {
      const cancelled = (await w.sell('cus_123')).pkg.id;
      await cancelPackage(t.deps, w.principal, w.companyId, cancelled, { refund: 'NONE', reason: 'moved away' });
      const expired = (await w.sell('cus_123', { purchaseTime: Date.parse('2024-01-01T12:00:00Z') })).pkg.id;
      const r = await details({ companyId: w.companyId, packageIds: [cancelled, expired] });
      expect(r.json.packageDetails.map((d: { packageInfo: { status: string } }) => d.packageInfo.status)).toEqual(['STATUS_NORMAL', 'STATUS_NORMAL']);
    });

    it('carries only the seed fields, none of the native additions', async () => {
      const id = (await w.sell('cus_123')).pkg.id;
      const d = await info(id);
      expect(Object.keys(d).sort()).toEqual(['packageInfo', 'packageServices']);
      expect(Object.keys(d.packageServices[0]).sort()).toEqual(['id', 'packageId', 'remainingQuantity', 'services', 'totalQuantity']);
      expect(Object.keys(d.packageInfo).sort()).toEqual(Object.keys(SEED_LIST_PACKAGES_RESPONSE.packages[0]!).sort());
    });
  });

  describe('errors (google.rpc.Status)', () => {
    const expectStatus = (r: { status: number; json: any }, http: number, code: number, field?: string) => {
      expect(r.status).toBe(http);
      expect(r.json).toMatchObject({ code, message: expect.any(String), details: expect.any(Array) });
      if (field) {
        const bad = r.json.details.find((d: { '@type': string }) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest');
        expect(bad?.fieldViolations.map((v: { field: string }) => v.field)).toContain(field);
      }
    };

    it('INVALID_ARGUMENT for bad pagination: pageSize outside 1–500, a token over 64 characters, a token it did not issue', async () => {
      expectStatus(await listFor(['cus_123'], { pagination: { pageSize: 0 } }), 400, 3, 'pagination.pageSize');
      expectStatus(await listFor(['cus_123'], { pagination: { pageSize: 501 } }), 400, 3, 'pagination.pageSize');
      expectStatus(await listFor(['cus_123'], { pagination: { pageSize: -1 } }), 400, 3, 'pagination.pageSize');
      expectStatus(await listFor(['cus_123'], { pagination: { pageSize: 2.5 } }), 400, 3);
      expectStatus(await listFor(['cus_123'], { pagination: { pageToken: 'x'.repeat(65) } }), 400, 3, 'pagination.pageToken');
      expectStatus(await listFor(['cus_123'], { pagination: { pageToken: 'not a token' } }), 400, 3, 'pagination.pageToken');
      expectStatus(await details({ companyId: w.companyId, packageIds: ['pkg_x'], pagination: { pageSize: 501 } }), 400, 3, 'pagination.pageSize');
      expect((await listFor(['cus_123'], { pagination: { pageSize: 500, pageToken: '' } })).status).toBe(200);
    });

    it('INVALID_ARGUMENT without customers, without package ids, or with more than 500 of either', async () => {
      expectStatus(await listFor([]), 400, 3, 'customerIds');
      expectStatus(await list({ companyId: w.companyId }), 400, 3, 'customerIds');
      const many = Array.from({ length: 501 }, (_, i) => `id_${i}`);
      expectStatus(await listFor(many), 400, 3, 'customerIds');
      expectStatus(await details({ companyId: w.companyId, packageIds: [] }), 400, 3, 'packageIds');
      expectStatus(await details({ companyId: w.companyId }), 400, 3, 'packageIds');
      expectStatus(await details({ companyId: w.companyId, packageIds: many }), 400, 3, 'packageIds');
    });

    it('INVALID_ARGUMENT without companyId, with a malformed id, or a body that is not JSON', async () => {
      expectStatus(await list({ customerIds: ['cus_123'] }), 400, 3, 'companyId');
      expectStatus(await details({ packageIds: ['pkg_1'] }), 400, 3, 'companyId');
      expectStatus(await listFor(['not an id']), 400, 3);
      const r = await t.app.inject({ method: 'POST', url: '/v1/packages:list', headers: { ...w.auth, 'content-type': 'application/json' }, payload: '{"companyId":' });
      expectStatus({ status: r.statusCode, json: r.json() }, 400, 3);
    });

    it('PERMISSION_DENIED for another company, whether it exists or not', async () => {
      const other = await t.newCompany();
      expectStatus(await list({ companyId: other.id, customerIds: ['cus_123'] }), 403, 7);
      expectStatus(await list({ companyId: 'cmp_does_not_exist', customerIds: ['cus_123'] }), 403, 7);
      expectStatus(await details({ companyId: other.id, packageIds: ['pkg_1'] }), 403, 7);
    });

    it('NOT_FOUND when any requested package id is missing, naming it', async () => {
      const id = (await w.sell('cus_123')).pkg.id;
      const r = await details({ companyId: w.companyId, packageIds: [id, 'pkg_missing'] });
      expectStatus(r, 404, 5);
      expect(r.json.message).toContain('pkg_missing');
    });

    it('UNAUTHENTICATED without a key or with an unknown one', async () => {
      expectStatus(await list(SEED_LIST_PACKAGES_REQUEST, {}), 401, 16);
      expectStatus(await details(SEED_LIST_PACKAGE_DETAILS_REQUEST, { authorization: 'Basic bm9wZQ==' }), 401, 16);
    });

    it('lets a VIEWER key read', async () => {
      const viewer = await w.newKey('VIEWER');
      expect((await list({ companyId: w.companyId, customerIds: ['cus_123'] }, { authorization: `Bearer ${viewer}` })).status).toBe(200);
    });

    it('an empty list for a customer without packages is not an error', async () => {
      expect((await listFor(['cus_nobody'])).json).toStrictEqual({ packages: [], nextPageToken: '' });
    });
  });
});
