// What the write-path benchmarks share: a company ready to sell a 10,000-visit package, and a timed loop.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const dist = path.join(path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url)))), 'dist', 'src');
const load = (p) => import(path.join(dist, p));
const { createCompany } = await load('application/keys.js');
const { upsertBusiness, upsertCustomer, upsertService } = await load('application/reference-data.js');
const { createTemplate } = await load('application/catalog.js');
const { sellPackage } = await load('application/selling.js');
const { parseMoney } = await load('domain/money.js');

export const master = { kind: 'master' };
export const benchId = (prefix) => `${prefix}_${randomBytes(8).toString('hex')}`;

/** A new company with business bus_1 (in `timeZone`), customer cus_1, service srv_1 and template tpl_1 (10,000 visits). */
export async function benchCompany(deps, timeZone = 'UTC') {
  const companyId = benchId('cmp');
  await createCompany(deps, master, { id: companyId, name: 'Bench' });
  await upsertBusiness(deps, master, companyId, 'bus_1', { name: 'Main', timeZone, currencyCode: 'USD' });
  await upsertCustomer(deps, master, companyId, 'cus_1', { firstName: 'A', lastName: 'B' });
  await upsertService(deps, master, companyId, 'srv_1', { name: 'Groom', durationMinutes: 60, price: parseMoney({ currencyCode: 'USD', units: 30 }, 'price') });
  await createTemplate(deps, master, companyId, {
    id: 'tpl_1',
    name: 'Many',
    price: parseMoney({ currencyCode: 'USD', units: 100000 }, 'price'),
    items: [{ serviceIds: ['srv_1'], quantity: 10000 }],
    validity: { days: 365 },
  });
  const sell = async () => (await sellPackage(deps, master, companyId, { templateId: 'tpl_1', customerId: 'cus_1', businessId: 'bus_1' })).result.pkg;
  return { companyId, sell };
}

/** Runs `once` from `workers` loops for `seconds`; returns operations per second. */
export async function measure(seconds, workers, once) {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await once();
        done++;
      }
    }),
  );
  return Math.round(done / seconds);
}
