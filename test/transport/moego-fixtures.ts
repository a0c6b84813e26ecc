// The front desk of the seeds, set up through the use cases: the MoeGo seed's company, business, customer,
// staff member, service and "Basic Grooming Package", plus what the Zenoti tests need (a second center, a
// product, templates of every kind). Shared by the MoeGo, gRPC and Zenoti tests.
import type { Principal } from '../../src/domain/access.js';
import { money } from '../../src/domain/money.js';
import { authenticate } from '../../src/application/keys.js';
import { createTemplate, type TemplateInput } from '../../src/application/catalog.js';
import { sellPackage, type SellInput } from '../../src/application/selling.js';
import { redeem } from '../../src/application/redemption.js';
import { upsertBusiness, upsertCustomer, upsertProduct, upsertService, upsertStaff } from '../../src/application/reference-data.js';
import type { PackageView } from '../../src/application/package-tx.js';
import { MASTER_KEY, type TestApp } from '../support/app.js';

export const usd = (units: number) => money('USD', Math.round(units * 100));

/** The seed's template: 5 basic groomings for $150 ($30 each), valid 365 days. */
export const BASIC5: TemplateInput = {
  id: 'tpl_basic5',
  name: 'Basic Grooming Package',
  description: 'Includes 5 basic grooming sessions',
  type: 'REGULAR',
  price: usd(150),
  items: [{ serviceIds: ['srv_001'], quantity: 5, unitPrice: usd(30) }],
  validity: { days: 365 },
  gracePeriodDays: 0,
  activation: 'ON_PURCHASE',
};

export interface World {
  readonly companyId: string;
  readonly key: string;
  readonly principal: Principal;
  /** Headers with the ADMIN key as Bearer. */
  readonly auth: { authorization: string };
  newKey(role: 'ADMIN' | 'STAFF' | 'VIEWER'): Promise<string>;
  template(input: Partial<TemplateInput> & { id: string }): Promise<void>;
  sell(customerId: string, input?: Partial<SellInput>): Promise<PackageView>;
  redeem(packageId: string, options?: { serviceId?: string; quantity?: number; businessId?: string; hold?: boolean }): Promise<PackageView>;
}

async function master(t: TestApp, url: string, payload: unknown) {
  const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${MASTER_KEY}` }, payload: payload as object });
  if (r.statusCode !== 201) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
  return r.json();
}

/** A company (default: the seed's cmp_001) with the seed's reference data and template. */
export async function seedWorld(t: TestApp, companyId = 'cmp_001'): Promise<World> {
  await master(t, '/v1/companies', { id: companyId, name: 'Seed Grooming' });
  const newKey = async (role: string) => (await master(t, `/v1/companies/${companyId}/apiKeys`, { role })).key as string;
  const key = await newKey('ADMIN');
  const p = await authenticate(t.deps, key);
  const d = t.deps;
  await upsertBusiness(d, p, companyId, 'bus_001', { name: 'Downtown', timeZone: 'America/New_York', currencyCode: 'USD' });
  await upsertBusiness(d, p, companyId, 'bus_002', { name: 'Uptown', timeZone: 'America/Los_Angeles', currencyCode: 'USD' });
  await upsertCustomer(d, p, companyId, 'cus_123', { firstName: 'Ada', lastName: 'Lovelace' });
  await upsertCustomer(d, p, companyId, 'cus_456', { firstName: 'Grace', lastName: 'Hopper' });
  await upsertStaff(d, p, companyId, 'staff_001', { firstName: 'Sam', lastName: 'Shears' });
  await upsertService(d, p, companyId, 'srv_001', { name: 'Basic Grooming', durationMinutes: 60, price: usd(35) });
  await upsertService(d, p, companyId, 'srv_002', { name: 'Bath', durationMinutes: 30, price: usd(20), businessIds: ['bus_002'] });
  await upsertProduct(d, p, companyId, 'prd_001', { name: 'Shampoo', price: usd(10) });
  await createTemplate(d, p, companyId, BASIC5);

  return {
    companyId,
    key,
    principal: p,
    auth: { authorization: `Bearer ${key}` },
    newKey,
    async template(input) {
      await createTemplate(d, p, companyId, { ...BASIC5, ...input });
    },
    async sell(customerId, input = {}) {
      const sold = await sellPackage(d, p, companyId, { templateId: 'tpl_basic5', customerId, businessId: 'bus_001', ...input });
      return sold.result;
    },
    async redeem(packageId, o = {}) {
      const r = await redeem(d, p, companyId, packageId, {
        serviceId: o.serviceId ?? 'srv_001',
        quantity: o.quantity ?? 1,
        businessId: o.businessId ?? 'bus_001',
        hold: o.hold ?? false,
      });
      return r.result.view;
    },
  };
}

/** The JSON type of a value, as the golden tests compare it ("null" apart from "object"). */
export function typeTree(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [typeTree(value[0])];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, typeTree(v)]));
  return typeof value;
}
