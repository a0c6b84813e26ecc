// A company set up through the use cases themselves, as the application and storage tests need it: a business
// bus_1, a customer cus_1, a $30 service srv_1 and a template of `units` visits of it, and a way to sell it.
import type { Deps } from '../../src/application/context.js';
import type { Principal } from '../../src/domain/access.js';
import type { CustomerPackage } from '../../src/domain/package.js';
import { money } from '../../src/domain/money.js';
import { createCompany } from '../../src/application/keys.js';
import { upsertBusiness, upsertCustomer, upsertService } from '../../src/application/reference-data.js';
import { createTemplate } from '../../src/application/catalog.js';
import { sellPackage } from '../../src/application/selling.js';
import { uniqueId } from './app.js';

export const MASTER: Principal = { kind: 'master' };

/** One visit of srv_1 at bus_1: the redemption every such test makes. */
export const VISIT = { serviceId: 'srv_1', quantity: 1, businessId: 'bus_1' } as const;

export interface SalonOptions {
  readonly units?: number;
  readonly timeZone?: string;
  readonly validity?: { days: number };
}

export async function furnishSalon(deps: Deps, { units = 5, timeZone = 'UTC', validity = { days: 30 } }: SalonOptions = {}) {
  const companyId = uniqueId('cmp');
  await createCompany(deps, MASTER, { id: companyId, name: 'Salon' });
  await upsertBusiness(deps, MASTER, companyId, 'bus_1', { name: 'Main street', timeZone, currencyCode: 'USD' });
  await upsertCustomer(deps, MASTER, companyId, 'cus_1', { firstName: 'Ada', lastName: 'Lovelace' });
  await upsertService(deps, MASTER, companyId, 'srv_1', { name: 'Basic grooming', durationMinutes: 60, price: money('USD', 3000) });
  const template = await createTemplate(deps, MASTER, companyId, {
    name: `${units} visits`,
    price: money('USD', 3000 * units),
    items: [{ serviceIds: ['srv_1'], quantity: units, unitPrice: null }],
    validity,
  });
  const sell = async (key?: string): Promise<CustomerPackage> =>
    (await sellPackage(deps, MASTER, companyId, { templateId: template.id, customerId: 'cus_1', businessId: 'bus_1' }, key)).result.pkg;
  return { companyId, templateId: template.id, sell };
}
