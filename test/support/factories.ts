// A small factory layer over the native HTTP API: a company with a business, a customer and a service ready,
// and helpers that read like the front desk's day — `await f.sell({ template: { items: [{ quantity: 5 }] } })`.
// Every helper goes through HTTP, so what the tests set up is exactly what a client could have done.
import { expect } from 'vitest';
import type { TestApp, TestCompany } from './app.js';
import { uniqueId } from './app.js';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface MoneyJson {
  currencyCode: string;
  units: number | string;
  nanos?: number;
}

/** A Money from a decimal string or number of major units: money('33.34') → {USD, 33, 340000000}. */
export function money(amount: string | number, currencyCode = 'USD'): MoneyJson {
  const text = typeof amount === 'number' ? amount.toFixed(2) : amount;
  const negative = text.startsWith('-');
  const [whole, frac = ''] = text.replace(/^-/, '').split('.');
  const units = Number(whole) * (negative ? -1 : 1);
  const nanos = Number(frac.padEnd(9, '0').slice(0, 9)) * (negative ? -1 : 1);
  return { currencyCode, units, nanos: nanos === 0 ? 0 : nanos };
}

/** A google.type.Money as integer cents (2-digit currencies): exact, for sums. */
export function cents(m: { units: number | string; nanos?: number }): number {
  return Number(m.units) * 100 + Math.round((m.nanos ?? 0) / 10_000_000);
}

/** Cents as the API answers them: {currencyCode, units, nanos}. */
export function usdCents(minor: number, currencyCode = 'USD'): { currencyCode: string; units: number; nanos: number } {
  const units = Math.trunc(minor / 100);
  const nanos = (minor - units * 100) * 10_000_000;
  return { currencyCode, units: units === 0 ? 0 : units, nanos: nanos === 0 ? 0 : nanos };
}

export interface ItemSpec {
  /** Defaults to the factory's default service. */
  serviceIds?: string[];
  quantity?: number;
  unitPrice?: MoneyJson | string | null;
}

export interface TemplateSpec {
  id?: string;
  name?: string;
  description?: string;
  type?: string;
  /** Defaults to the list prices × quantities of the items. */
  price?: MoneyJson | string;
  items?: ItemSpec[];
  productItems?: { productId: string; quantity?: number; unitPrice?: MoneyJson | string | null }[];
  validity?: { days?: number; months?: number; never?: boolean };
  gracePeriodDays?: number;
  activation?: string;
  restrictRedemptionToSellingBusiness?: boolean;
  businessIds?: string[];
}

export interface SellSpec {
  /** A template id, or a template to create first. */
  template?: string | TemplateSpec;
  customerId?: string;
  businessId?: string;
  staffId?: string;
  purchaseTime?: string;
  startTime?: string;
  price?: MoneyJson | string;
  invoice?: { id?: string; no?: string; receiptNo?: string; status?: string };
}

export interface RedeemSpec {
  serviceId?: string;
  quantity?: number;
  businessId?: string;
  staffId?: string;
  appointmentId?: string;
  redeemTime?: string;
  hold?: boolean;
  holdExpireTime?: string;
}

export interface Reply {
  status: number;
  json: Json;
  headers: Record<string, unknown>;
}

export interface Factory {
  readonly t: TestApp;
  readonly c: TestCompany;
  /** The default business (UTC unless asked otherwise), customer and service ($30, "Basic grooming"). */
  readonly businessId: string;
  readonly customerId: string;
  readonly serviceId: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  business(spec?: { id?: string; name?: string; timeZone?: string; currencyCode?: string }): Promise<string>;
  customer(spec?: { id?: string; firstName?: string; lastName?: string }): Promise<string>;
  service(spec?: { id?: string; name?: string; price?: MoneyJson | string; businessIds?: string[] }): Promise<string>;
  product(spec?: { id?: string; name?: string; price?: MoneyJson | string; businessIds?: string[] }): Promise<string>;
  /** The request body a template spec becomes. */
  templateBody(spec?: TemplateSpec): Promise<Json>;
  /** Creates a template and answers it; fails the test unless 201. */
  template(spec?: TemplateSpec): Promise<Json>;
  createTemplate(spec?: TemplateSpec): Promise<Reply>;
  /** Sells a package and answers its detail; fails the test unless 200. */
  sell(spec?: SellSpec): Promise<Json>;
  sellRaw(spec?: SellSpec, headers?: Record<string, string>): Promise<Reply>;
  redeem(packageId: string, spec?: RedeemSpec, headers?: Record<string, string>): Promise<Reply>;
  /** Redeems and fails the test unless 200; answers {redemption, package}. */
  redeemOk(packageId: string, spec?: RedeemSpec): Promise<Json>;
  hold(packageId: string, spec?: RedeemSpec): Promise<Json>;
  get(packageId: string): Promise<Json>;
  events(packageId: string): Promise<Json[]>;
}

const asMoney = (m: MoneyJson | string | number | undefined | null): MoneyJson | undefined | null =>
  m === undefined || m === null ? m : typeof m === 'object' ? m : money(m);

/** A new company with a business, a customer and a service, and helpers to sell and redeem. */
export async function makeFactory(t: TestApp, options: { timeZone?: string; currencyCode?: string } = {}): Promise<Factory> {
  const c = await t.newCompany();
  const currencyCode = options.currencyCode ?? 'USD';
  const servicePrices = new Map<string, MoneyJson>();
  const productPrices = new Map<string, MoneyJson>();

  const call = c.call.bind(c);
  const ok = (r: Reply, status: number, what: string) => {
    if (r.status !== status) expect.fail(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };

  async function business(spec: { id?: string; name?: string; timeZone?: string; currencyCode?: string } = {}) {
    const id = spec.id ?? uniqueId('bus');
    ok(
      await call('PUT', `/businesses/${id}`, { name: spec.name ?? `Salon ${id}`, timeZone: spec.timeZone ?? options.timeZone ?? 'UTC', currencyCode: spec.currencyCode ?? currencyCode }),
      200,
      'business',
    );
    return id;
  }
  async function customer(spec: { id?: string; firstName?: string; lastName?: string } = {}) {
    const id = spec.id ?? uniqueId('cus');
    ok(await call('PUT', `/customers/${id}`, { firstName: spec.firstName ?? 'Ada', lastName: spec.lastName ?? 'Lovelace' }), 200, 'customer');
    return id;
  }
  async function service(spec: { id?: string; name?: string; price?: MoneyJson | string; businessIds?: string[] } = {}) {
    const id = spec.id ?? uniqueId('srv');
    const price = asMoney(spec.price) ?? money('30.00', currencyCode);
    ok(await call('PUT', `/services/${id}`, { name: spec.name ?? `Service ${id}`, durationMinutes: 60, price, businessIds: spec.businessIds }), 200, 'service');
    servicePrices.set(id, price);
    return id;
  }
  async function product(spec: { id?: string; name?: string; price?: MoneyJson | string; businessIds?: string[] } = {}) {
    const id = spec.id ?? uniqueId('prd');
    const price = asMoney(spec.price) ?? money('10.00', currencyCode);
    ok(await call('PUT', `/products/${id}`, { name: spec.name ?? `Product ${id}`, price, businessIds: spec.businessIds }), 200, 'product');
    productPrices.set(id, price);
    return id;
  }

  const businessId = await business();
  const customerId = await customer();
  const serviceId = await service({ name: 'Basic grooming' });

  async function templateBody(spec: TemplateSpec = {}) {
    const items = (spec.items ?? (spec.productItems ? [] : [{}])).map((i) => ({
      serviceIds: i.serviceIds ?? [serviceId],
      quantity: i.quantity ?? 5,
      ...(i.unitPrice === undefined ? {} : { unitPrice: asMoney(i.unitPrice) }),
    }));
    const productItems = spec.productItems?.map((i) => ({
      productId: i.productId,
      quantity: i.quantity ?? 1,
      ...(i.unitPrice === undefined ? {} : { unitPrice: asMoney(i.unitPrice) }),
    }));
    let price = asMoney(spec.price);
    if (price === undefined || price === null) {
      let total = 0;
      for (const i of items) total += cents(asMoney(i.unitPrice) ?? servicePrices.get(i.serviceIds[0]!) ?? money('30.00')) * i.quantity;
      for (const i of productItems ?? []) total += cents(asMoney(i.unitPrice) ?? productPrices.get(i.productId) ?? money('10.00')) * i.quantity;
      price = usdCents(total, currencyCode);
    }
    return {
      ...(spec.id ? { id: spec.id } : {}),
      name: spec.name ?? 'Grooming package',
      ...(spec.description === undefined ? {} : { description: spec.description }),
      ...(spec.type === undefined ? {} : { type: spec.type }),
      price,
      items,
      ...(productItems ? { productItems } : {}),
      validity: spec.validity ?? { days: 365 },
      ...(spec.gracePeriodDays === undefined ? {} : { gracePeriodDays: spec.gracePeriodDays }),
      ...(spec.activation === undefined ? {} : { activation: spec.activation }),
      ...(spec.restrictRedemptionToSellingBusiness === undefined ? {} : { restrictRedemptionToSellingBusiness: spec.restrictRedemptionToSellingBusiness }),
      ...(spec.businessIds === undefined ? {} : { businessIds: spec.businessIds }),
    };
  }
  const createTemplate = async (spec: TemplateSpec = {}) => call('POST', '/packageTemplates', await templateBody(spec));
  const template = async (spec: TemplateSpec = {}) => ok(await createTemplate(spec), 201, 'template');

  async function sellRaw(spec: SellSpec = {}, headers?: Record<string, string>) {
    const templateId = typeof spec.template === 'string' ? spec.template : (await template(spec.template ?? {})).id;
    const body = {
      templateId,
      customerId: spec.customerId ?? customerId,
      businessId: spec.businessId ?? businessId,
      ...(spec.staffId === undefined ? {} : { staffId: spec.staffId }),
      ...(spec.purchaseTime === undefined ? {} : { purchaseTime: spec.purchaseTime }),
      ...(spec.startTime === undefined ? {} : { startTime: spec.startTime }),
      ...(spec.price === undefined ? {} : { price: asMoney(spec.price) }),
      ...(spec.invoice === undefined ? {} : { invoice: spec.invoice }),
    };
    return call('POST', '/packages:sell', body, headers);
  }
  const sell = async (spec: SellSpec = {}) => ok(await sellRaw(spec), 200, 'sell');

  const redeemBody = (spec: RedeemSpec) => ({ serviceId: spec.serviceId ?? serviceId, quantity: spec.quantity ?? 1, businessId: spec.businessId ?? businessId, ...spec });
  const redeem = (packageId: string, spec: RedeemSpec = {}, headers?: Record<string, string>) => call('POST', `/packages/${packageId}:redeem`, redeemBody(spec), headers);
  const redeemOk = async (packageId: string, spec: RedeemSpec = {}) => ok(await redeem(packageId, spec), 200, 'redeem');
  const hold = (packageId: string, spec: RedeemSpec = {}) => redeemOk(packageId, { ...spec, hold: true });
  const get = async (packageId: string) => ok(await call('GET', `/packages/${packageId}`), 200, 'get package');
  async function events(packageId: string) {
    const all: Json[] = [];
    let token = '';
    for (;;) {
      const r = ok(await call('GET', `/packages/${packageId}/events?pageSize=500${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`), 200, 'events');
      all.push(...r.events);
      if (!r.nextPageToken) return all;
      token = r.nextPageToken;
    }
  }

  return {
    t,
    c,
    businessId,
    customerId,
    serviceId,
    call,
    business,
    customer,
    service,
    product,
    templateBody,
    template,
    createTemplate,
    sell,
    sellRaw,
    redeem,
    redeemOk,
    hold,
    get,
    events,
  };
}

/** The google.rpc.Status of a FAILED_PRECONDITION refusal: HTTP 400, code 9, ErrorInfo with the reason. */
export function expectRefused(r: Reply, reason: string): void {
  expect(r.status, JSON.stringify(r.json)).toBe(400);
  expect(r.json).toMatchObject({
    code: 9,
    details: expect.arrayContaining([expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'punchcard' })]),
  });
  expect(JSON.stringify(r.json)).not.toMatch(/at .*\.(ts|js):\d+|SELECT|INSERT/);
}

/** An INVALID_ARGUMENT answer (HTTP 400, code 3) whose BadRequest names `field`. */
export function expectBadField(r: Reply, field: string | RegExp): void {
  expect(r.status, JSON.stringify(r.json)).toBe(400);
  expect(r.json.code).toBe(3);
  const bad = (r.json.details as Json[]).find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest');
  expect(bad, JSON.stringify(r.json)).toBeDefined();
  const fields = (bad.fieldViolations as Json[]).map((v) => v.field as string);
  if (typeof field === 'string') expect(fields).toContain(field);
  else expect(fields.some((f) => field.test(f)), fields.join(', ')).toBe(true);
}

export const reasonOf = (r: Reply): string | undefined =>
  (r.json?.details as Json[] | undefined)?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')?.reason;

/** The item of a package detail that offers this service (the first, in package order). */
export const itemOf = (pkg: Json, serviceId: string): Json =>
  (pkg.packageServices as Json[]).find((i) => (i.services as Json[]).some((s) => s.serviceId === serviceId));

/** The sum of the events' valueChange in cents. */
export const ledgerSum = (events: Json[]): number => events.reduce((n, e) => n + cents(e.valueChange), 0);
