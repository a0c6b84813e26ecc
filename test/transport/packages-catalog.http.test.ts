import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { formatInstant } from '../../src/domain/calendar.js';
import { cents, expectBadField, expectRefused, makeFactory, money, type Factory, type Reply } from '../support/factories.js';

describe.each(ENGINES)('the package catalog on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  it('creates a template whose item offers any one of several services', async () => {
    const f = await makeFactory(t);
    const bath = await f.service({ name: 'Bath', price: '20.00' });
    const trim = await f.service({ name: 'Trim', price: '25.00' });
    const tpl = await f.template({ name: 'Spa', items: [{ serviceIds: [bath, trim], quantity: 4 }], price: '80.00' });
    expect(tpl).toMatchObject({
      id: expect.stringMatching(/^tpl_/),
      name: 'Spa',
      type: 'REGULAR',
      activation: 'ON_PURCHASE',
      validity: { days: 365 },
      gracePeriodDays: 0,
      archived: false,
      items: [{ serviceIds: [bath, trim], quantity: 4, unitPrice: money('20.00'), unitPriceGiven: false, value: money('80.00') }],
      productItems: [],
    });
    const pkg = await f.sell({ template: tpl.id });
    expect(pkg.packageServices).toHaveLength(1);
    expect(pkg.packageServices[0].services.map((s: { serviceId: string; name: string }) => [s.serviceId, s.name])).toEqual([
      [bath, 'Bath'],
      [trim, 'Trim'],
    ]);
    await f.redeemOk(pkg.packageInfo.id, { serviceId: trim });
    const after = await f.redeemOk(pkg.packageInfo.id, { serviceId: bath });
    expect(after.package.packageInfo.totalRemainingQuantity).toBe(2);
  });

  it('takes a client-chosen template id and answers it with GET, and lists it', async () => {
    const f = await makeFactory(t);
    await f.template({ id: 'tpl_basic5', name: 'Basic Grooming Package', description: 'Includes 5 basic grooming sessions' });
    const got = await f.call('GET', '/packageTemplates/tpl_basic5');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: 'tpl_basic5', description: 'Includes 5 basic grooming sessions', price: money('150.00') });
    const list = await f.call('GET', '/packageTemplates');
    expect(list.json.packageTemplates.map((x: { id: string }) => x.id)).toEqual(['tpl_basic5']);
    expect(list.json.nextPageToken).toBe('');
  });

  it('includes product items and weighs them by their list price', async () => {
    const f = await makeFactory(t);
    const shampoo = await f.product({ name: 'Shampoo', price: '20.00' });
    // $30 × 2 of service and $20 × 2 of product, sold for $90: 54 and 36.
    const tpl = await f.template({ items: [{ quantity: 2 }], productItems: [{ productId: shampoo, quantity: 2 }], price: '90.00' });
    expect(tpl.items[0].value).toEqual(money('54.00'));
    expect(tpl.productItems[0]).toMatchObject({ productId: shampoo, quantity: 2, value: money('36.00'), unitPrice: money('18.00') });
    const pkg = await f.sell({ template: tpl.id });
    expect(pkg.packageProducts).toEqual([
      expect.objectContaining({ totalQuantity: 2, remainingQuantity: 2, value: money('36.00'), products: [expect.objectContaining({ productId: shampoo, name: 'Shampoo', unitPrice: money('18.00') })] }),
    ]);
    expect(pkg.packageInfo.totalRemainingQuantity).toBe(2);
  });

  it('allocates $100 over three items of equal list price as 33.34, 33.33 and 33.33', async () => {
    const f = await makeFactory(t);
    const [a, b, c] = [await f.service({ price: '20.00' }), await f.service({ price: '20.00' }), await f.service({ price: '20.00' })];
    const tpl = await f.template({ price: '100.00', items: [{ serviceIds: [a], quantity: 1 }, { serviceIds: [b], quantity: 1 }, { serviceIds: [c], quantity: 1 }] });
    expect(tpl.items.map((i: { value: object }) => i.value)).toEqual([money('33.34'), money('33.33'), money('33.33')]);
    expect(tpl.items.map((i: { unitPrice: object }) => i.unitPrice)).toEqual([money('33.34'), money('33.33'), money('33.33')]);
    const pkg = await f.sell({ template: tpl.id });
    expect(pkg.packageServices.map((i: { value: object }) => i.value)).toEqual([money('33.34'), money('33.33'), money('33.33')]);
    expect(pkg.packageServices.map((i: { services: { unitPrice: object }[] }) => i.services[0]!.unitPrice)).toEqual([money('33.34'), money('33.33'), money('33.33')]);
  });

  it('rounds the unit price of an item to the cent and lets its last unit carry the remainder', async () => {
    const f = await makeFactory(t);
    const [a, b, c] = [await f.service({ price: '20.00' }), await f.service({ price: '20.00' }), await f.service({ price: '20.00' })];
    const tpl = await f.template({ price: '100.00', items: [{ serviceIds: [a], quantity: 3 }, { serviceIds: [b], quantity: 3 }, { serviceIds: [c], quantity: 3 }] });
    expect(tpl.items.map((i: { value: object }) => i.value)).toEqual([money('33.34'), money('33.33'), money('33.33')]);
    expect(tpl.items.map((i: { unitPrice: object }) => i.unitPrice)).toEqual([money('11.11'), money('11.11'), money('11.11')]);
    const pkg = await f.sell({ template: tpl.id });
    const id = pkg.packageInfo.id;
    // Using the three units of the first item: 11.11, 11.11 and then the last, 11.12.
    const used = [];
    for (let n = 0; n < 3; n++) used.push(cents((await f.redeemOk(id, { serviceId: a })).redemption.value));
    expect(used).toEqual([1111, 1111, 1112]);
    expect(cents((await f.get(id)).remainingValue)).toBe(6666);
  });

  it('accepts unit prices given for every item when they add up to the price', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template({ price: '150.00', items: [{ quantity: 5, unitPrice: '30.00' }] });
    expect(tpl.items[0]).toMatchObject({ unitPrice: money('30.00'), unitPriceGiven: true, value: money('150.00') });
  });

  it('refuses unit prices given for every item that do not add up to the price, naming the field', async () => {
    const f = await makeFactory(t);
    const r = await f.createTemplate({ price: '150.00', items: [{ quantity: 5, unitPrice: '29.00' }] });
    expectBadField(r, /^items/);
  });

  it('allocates the rest of the price over the items without a given unit price', async () => {
    const f = await makeFactory(t);
    const [a, b, c] = [await f.service({ price: '50.00' }), await f.service({ price: '20.00' }), await f.service({ price: '20.00' })];
    const tpl = await f.template({
      price: '100.00',
      items: [
        { serviceIds: [a], quantity: 2, unitPrice: '10.00' },
        { serviceIds: [b], quantity: 1 },
        { serviceIds: [c], quantity: 3 },
      ],
    });
    expect(tpl.items.map((i: { value: object }) => i.value)).toEqual([money('20.00'), money('20.00'), money('60.00')]);
    expect(tpl.items.map((i: { unitPriceGiven: boolean }) => i.unitPriceGiven)).toEqual([true, false, false]);
  });

  it('takes validity in days, in months, or never', async () => {
    const f = await makeFactory(t);
    for (const validity of [{ days: 30 }, { months: 6 }, { never: true }]) {
      const tpl = await f.template({ validity });
      expect(tpl.validity).toEqual(validity);
    }
  });

  it('refuses to sell an archived template with TEMPLATE_ARCHIVED and hides it from the list', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template();
    const archived = await f.call('POST', `/packageTemplates/${tpl.id}:archive`);
    expect(archived.status).toBe(200);
    expect(archived.json).toMatchObject({ archived: true, archiveTime: expect.any(String) });
    expectRefused(await f.sellRaw({ template: tpl.id }), 'TEMPLATE_ARCHIVED');
    expect((await f.call('GET', '/packageTemplates')).json.packageTemplates).toEqual([]);
    expect((await f.call('GET', '/packageTemplates?includeArchived=true')).json.packageTemplates.map((x: { id: string }) => x.id)).toEqual([tpl.id]);
  });

  it('keeps archived packages already sold redeemable', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template();
    const pkg = await f.sell({ template: tpl.id });
    await f.call('POST', `/packageTemplates/${tpl.id}:archive`);
    expect((await f.redeem(pkg.packageInfo.id)).status).toBe(200);
  });

  it('changes later sales only when a template is patched', async () => {
    const f = await makeFactory(t);
    const other = await f.service({ name: 'Nails', price: '15.00' });
    const tpl = await f.template({ name: 'Basic', price: '150.00', items: [{ quantity: 5 }] });
    const before = await f.sell({ template: tpl.id });
    const patched = await f.call('PATCH', `/packageTemplates/${tpl.id}`, {
      name: 'Premium',
      price: money('45.00'),
      items: [{ serviceIds: [other], quantity: 3 }],
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ name: 'Premium', price: money('45.00'), items: [{ serviceIds: [other], quantity: 3 }] });

    const old = await f.get(before.packageInfo.id);
    expect(old.packageInfo).toMatchObject({ packageName: 'Basic', packagePrice: money('150.00'), totalRemainingQuantity: 5 });
    expect(old.packageServices).toHaveLength(1);
    expect(old.packageServices[0].services[0].serviceId).toBe(f.serviceId);
    expect(old.packageServices[0].services[0].unitPrice).toEqual(money('30.00'));

    const after = await f.sell({ template: tpl.id });
    expect(after.packageInfo).toMatchObject({ packageName: 'Premium', packagePrice: money('45.00'), totalRemainingQuantity: 3 });
    expect(after.packageServices[0].services[0].serviceId).toBe(other);
  });

  it('refuses a bad type, an unknown service, a zero quantity and two validities, naming each field', async () => {
    const f = await makeFactory(t);
    expectBadField(await f.createTemplate({ type: 'SUBSCRIPTION' }), 'type');
    expectBadField(await f.createTemplate({ items: [{ serviceIds: ['srv_nope'] }] }), 'items[0].serviceIds');
    expectBadField(await f.createTemplate({ items: [{ quantity: 0 }] }), 'items[0].quantity');
    expectBadField(await f.createTemplate({ validity: { days: 30, months: 1 } }), 'validity');
    expectBadField(await f.createTemplate({ activation: 'WHENEVER' }), 'activation');
    expectBadField(await f.createTemplate({ productItems: [{ productId: 'prd_nope' }], items: [] }), 'productItems[0].productId');
    expectBadField(await f.createTemplate({ price: { currencyCode: 'USD', units: -1 } }), 'price');
    expectBadField(await f.createTemplate({ items: [{ quantity: 1, unitPrice: money('10.00', 'EUR') }], price: '10.00' }), /^items\[0\]\.unitPrice/);
    expect((await f.call('GET', '/packageTemplates')).json.packageTemplates).toEqual([]);
  });

  it('takes a price of exactly 1,000,000,000,000 minor units and refuses one a minor unit more, naming price.units', async () => {
    const f = await makeFactory(t);
    const ceiling = { currencyCode: 'USD', units: 10_000_000_000, nanos: 0 }; // 10^12 cents
    const tpl = await f.template({ price: ceiling, items: [{ quantity: 3 }] });
    expect(tpl.price).toEqual(ceiling);
    expect(tpl.items[0].value).toEqual(ceiling);
    const pkg = await f.sell({ template: tpl.id });
    expect(pkg.paidAmount).toEqual(ceiling);
    expect(pkg.remainingValue).toEqual(ceiling);

    expectBadField(await f.createTemplate({ price: { currencyCode: 'USD', units: 10_000_000_000, nanos: 10_000_000 }, items: [{ quantity: 3 }] }), 'price.units');
    // 2^53 − 1 cents, once accepted and then unreportable.
    expectBadField(await f.createTemplate({ price: { currencyCode: 'USD', units: 90_071_992_547_409, nanos: 910_000_000 } }), 'price.units');
    expectBadField(await f.createTemplate({ price: { currencyCode: 'USD', units: '10000000001' } }), 'price.units');
    expectBadField(
      await f.createTemplate({ price: '10.00', items: [{ quantity: 1, unitPrice: { currencyCode: 'USD', units: 10_000_000_001 } }] }),
      'items[0].unitPrice.units',
    );
    expectBadField(await f.call('PATCH', `/packageTemplates/${tpl.id}`, { price: { currencyCode: 'USD', units: 10_000_000_001 } }), 'price.units');
    expectBadField(await f.call('PUT', `/services/${f.serviceId}`, { name: 'Big', durationMinutes: 60, price: { currencyCode: 'USD', units: 10_000_000_001 } }), 'price.units');
    expectBadField(await f.call('PUT', '/products/prd_big', { name: 'Big', price: { currencyCode: 'JPY', units: 1_000_000_000_001 } }), 'price.units');
  });

  it('refuses a template with no items', async () => {
    const f = await makeFactory(t);
    const body = await f.templateBody();
    const r = await f.call('POST', '/packageTemplates', { ...body, items: [] });
    expectBadField(r, 'items');
  });

  it('answers 404 for a template that does not exist', async () => {
    const f = await makeFactory(t);
    expect((await f.call('GET', '/packageTemplates/tpl_nope')).json).toMatchObject({ code: 5 });
    expect((await f.call('PATCH', '/packageTemplates/tpl_nope', { name: 'x' })).status).toBe(404);
    expect((await f.call('POST', '/packageTemplates/tpl_nope:archive')).status).toBe(404);
  });

  it('lets only an ADMIN manage the catalog', async () => {
    const f = await makeFactory(t);
    const staff = await f.c.newKey('STAFF');
    const body = await f.templateBody();
    const r = await f.call('POST', '/packageTemplates', body, staff.auth);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe(7);
    const tpl = await f.template();
    expect((await f.call('PATCH', `/packageTemplates/${tpl.id}`, { name: 'x' }, staff.auth)).status).toBe(403);
    expect((await f.call('POST', `/packageTemplates/${tpl.id}:archive`, undefined, staff.auth)).status).toBe(403);
    expect((await f.call('GET', `/packageTemplates/${tpl.id}`, undefined, staff.auth)).status).toBe(200);
  });
  it('puts an archived template back on sale with :restore, and restoring one on sale changes nothing', async () => {
    const f = await makeFactory(t);
    const tpl = await f.template();
    const onSale = await f.call('POST', `/packageTemplates/${tpl.id}:restore`, {});
    expect(onSale.status).toBe(200);
    expect(onSale.json).toEqual(tpl);
    await f.call('POST', `/packageTemplates/${tpl.id}:archive`);
    t.clock.advance(60_000);
    const restored = await f.call('POST', `/packageTemplates/${tpl.id}:restore`);
    expect(restored.status).toBe(200);
    expect(restored.json).toMatchObject({ archived: false, archiveTime: null, updateTime: formatInstant(t.clock.now()) });
    expect((await f.call('GET', '/packageTemplates')).json.packageTemplates.map((x: { id: string }) => x.id)).toEqual([tpl.id]);
    expect((await f.sellRaw({ template: tpl.id })).status).toBe(200);
    expect((await f.call('POST', '/packageTemplates/tpl_nope:restore')).json).toMatchObject({ code: 5 });
    const staff = await f.c.newKey('STAFF');
    const refused = await f.call('POST', `/packageTemplates/${tpl.id}:restore`, undefined, staff.auth);
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe(7);
  });

  describe('archived services and products', () => {
    const archive = async (f: Factory, path: string) => expect((await f.call('POST', `${path}:archive`)).status).toBe(200);
    const archivedReason = (r: Reply, reason: string, metadata: Record<string, string>) => {
      expectRefused(r, reason);
      expect(r.json.details).toContainEqual(expect.objectContaining({ reason, metadata: expect.objectContaining(metadata) }));
    };

    it('refuses a new template with an archived service or product (SERVICE_ARCHIVED, PRODUCT_ARCHIVED), and takes it once restored', async () => {
      const f = await makeFactory(t);
      const bath = await f.service({ name: 'Bath', price: '20.00' });
      const shampoo = await f.product({ name: 'Shampoo', price: '10.00' });
      await archive(f, `/services/${bath}`);
      await archive(f, `/products/${shampoo}`);

      archivedReason(await f.createTemplate({ items: [{ serviceIds: [bath], quantity: 2 }] }), 'SERVICE_ARCHIVED', { serviceId: bath, field: 'items[0].serviceIds' });
      // One of several interchangeable services is enough to refuse it.
      archivedReason(await f.createTemplate({ items: [{ quantity: 1 }, { serviceIds: [f.serviceId, bath], quantity: 2 }] }), 'SERVICE_ARCHIVED', { serviceId: bath, field: 'items[1].serviceIds' });
      archivedReason(await f.createTemplate({ items: [], productItems: [{ productId: shampoo, quantity: 1 }], price: '10.00' }), 'PRODUCT_ARCHIVED', { productId: shampoo, field: 'productItems[0].productId' });
      expect((await f.call('GET', '/packageTemplates?includeArchived=true')).json.packageTemplates).toEqual([]);

      expect((await f.call('POST', `/services/${bath}:restore`)).status).toBe(200);
      expect((await f.createTemplate({ items: [{ serviceIds: [bath], quantity: 2 }] })).status).toBe(201);
    });

    it('refuses an edit that puts an archived service or product into a template, and keeps one the template already holds', async () => {
      const f = await makeFactory(t);
      const bath = await f.service({ name: 'Bath', price: '20.00' });
      const nails = await f.service({ name: 'Nails', price: '15.00' });
      const shampoo = await f.product({ name: 'Shampoo', price: '10.00' });
      const tpl = await f.template({ items: [{ serviceIds: [bath], quantity: 2 }], price: '40.00' });
      await archive(f, `/services/${nails}`);
      await archive(f, `/products/${shampoo}`);
      archivedReason(await f.call('PATCH', `/packageTemplates/${tpl.id}`, { items: [{ serviceIds: [bath, nails], quantity: 2 }] }), 'SERVICE_ARCHIVED', { serviceId: nails });
      archivedReason(await f.call('PATCH', `/packageTemplates/${tpl.id}`, { productItems: [{ productId: shampoo, quantity: 1 }], price: money('50.00') }), 'PRODUCT_ARCHIVED', { productId: shampoo });
      expect((await f.call('GET', `/packageTemplates/${tpl.id}`)).json).toEqual(tpl);

      // Archiving a service the template holds leaves the template editable, its items given again or not.
      await archive(f, `/services/${bath}`);
      const renamed = await f.call('PATCH', `/packageTemplates/${tpl.id}`, { name: 'Renamed' });
      expect(renamed.status, JSON.stringify(renamed.json)).toBe(200);
      const resent = await f.call('PATCH', `/packageTemplates/${tpl.id}`, { items: [{ serviceIds: [bath], quantity: 3 }], price: money('60.00') });
      expect(resent.status, JSON.stringify(resent.json)).toBe(200);
      expect(resent.json).toMatchObject({ name: 'Renamed', items: [{ serviceIds: [bath], quantity: 3 }] });
    });

    it('still sells a template holding an archived service or product, until the template itself is archived', async () => {
      const f = await makeFactory(t);
      const bath = await f.service({ name: 'Bath', price: '20.00' });
      const shampoo = await f.product({ name: 'Shampoo', price: '10.00' });
      const tpl = await f.template({ items: [{ serviceIds: [bath], quantity: 2 }], productItems: [{ productId: shampoo, quantity: 1 }], price: '50.00' });
      await archive(f, `/services/${bath}`);
      await archive(f, `/products/${shampoo}`);

      const pkg = await f.sell({ template: tpl.id });
      expect(pkg.packageServices[0].services[0]).toMatchObject({ serviceId: bath, name: 'Bath' });
      expect(pkg.packageProducts[0].products[0]).toMatchObject({ productId: shampoo, name: 'Shampoo' });
      expect((await f.redeem(pkg.packageInfo.id, { serviceId: bath })).status).toBe(200);

      await f.call('POST', `/packageTemplates/${tpl.id}:archive`);
      expectRefused(await f.sellRaw({ template: tpl.id }), 'TEMPLATE_ARCHIVED');
    });

    it('keeps packages already sold redeeming an archived service and product: paid-for sessions are never lost', async () => {
      const f = await makeFactory(t);
      const shampoo = await f.product({ name: 'Shampoo', price: '10.00' });
      const tpl = await f.template({ items: [{ quantity: 3 }], productItems: [{ productId: shampoo, quantity: 1 }], price: '100.00' });
      const pkg = await f.sell({ template: tpl.id });
      await archive(f, `/services/${f.serviceId}`);
      await archive(f, `/products/${shampoo}`);
      await f.call('POST', `/packageTemplates/${tpl.id}:archive`);

      const used = await f.redeemOk(pkg.packageInfo.id, { serviceId: f.serviceId });
      expect(used.package.packageServices[0]).toMatchObject({ remainingQuantity: 2 });
      const hold = await f.hold(pkg.packageInfo.id, { serviceId: f.serviceId });
      expect((await f.call('POST', `/redemptions/${hold.redemption.id}:commit`)).status).toBe(200);
      // Auto-apply finds the package for the archived service too.
      const auto = await f.call('POST', `/customers/${f.customerId}/packages:redeem`, { serviceId: f.serviceId, quantity: 1, businessId: f.businessId });
      expect(auto.status, JSON.stringify(auto.json)).toBe(200);
      expect(auto.json.package.packageServices[0]).toMatchObject({ remainingQuantity: 0 });
      const product = await f.redeemOk(pkg.packageInfo.id, { serviceId: shampoo });
      expect(product.package.packageInfo.totalRemainingQuantity).toBe(0);
    });
  });
});
