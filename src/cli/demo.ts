// punchcard demo [--company cmp_demo]: fills a company with businesses, customers, services, products,
// templates and packages in every state, so that every screen has something to show. Safe to run twice:
// reference data is upserted and packages are added again.
import type { Command } from 'commander';
import { parseMoney } from '../domain/money.js';
import type { Deps } from '../application/context.js';
import { DEMO_COMPANY_ID } from '../application/first-start.js';
import { upsertBusiness, upsertCustomer, upsertProduct, upsertService, upsertStaff } from '../application/reference-data.js';
import { createTemplate } from '../application/catalog.js';
import { sellPackage } from '../application/selling.js';
import { redeem } from '../application/redemption.js';
import { cancelPackage, freezePackage } from '../application/package-admin.js';
import { MASTER, withDeps } from './common.js';

const usd = (units: number, nanos = 0) => parseMoney({ currencyCode: 'USD', units, nanos }, 'price');
const DAY = 86_400_000;

/** Fills the company (creating it if need be) with sample data in every state. */
export async function fillDemo(deps: Deps, companyId: string): Promise<void> {
  const { store, clock } = deps;
  const admin = MASTER;
  if (!(await store.read.companies.get(companyId))) {
    const now = clock.now();
    await store.transaction((repos) => repos.companies.insert({ id: companyId, name: 'Demo Grooming Co.', createTime: now, updateTime: now }));
  }
  await upsertBusiness(deps, admin, companyId, 'bus_downtown', { name: 'Downtown Salon', timeZone: 'America/New_York', currencyCode: 'USD' });
  await upsertBusiness(deps, admin, companyId, 'bus_uptown', { name: 'Uptown Spa', timeZone: 'America/Los_Angeles', currencyCode: 'USD' });
  await upsertStaff(deps, admin, companyId, 'staff_sam', { firstName: 'Sam', lastName: 'Shears' });
  await upsertStaff(deps, admin, companyId, 'staff_kim', { firstName: 'Kim', lastName: 'Comb' });
  await upsertService(deps, admin, companyId, 'srv_basic', { name: 'Basic Grooming', durationMinutes: 60, price: usd(35) });
  await upsertService(deps, admin, companyId, 'srv_bath', { name: 'Bath & Brush', durationMinutes: 30, price: usd(20) });
  await upsertService(deps, admin, companyId, 'srv_nails', { name: 'Nail Trim', durationMinutes: 15, price: usd(12) });
  await upsertService(deps, admin, companyId, 'srv_massage', { name: 'Deep Tissue Massage', durationMinutes: 60, price: usd(90) });
  await upsertProduct(deps, admin, companyId, 'prd_shampoo', { name: 'Oatmeal Shampoo', price: usd(15) });
  const customers = [
    ['cus_ada', 'Ada', 'Lovelace', 'ada@example.com', '+1 (555) 010-1815'],
    ['cus_grace', 'Grace', 'Hopper', 'grace@example.com', '+1 (555) 010-1906'],
    ['cus_alan', 'Alan', 'Turing', 'alan@example.com', '+1 (555) 010-1912'],
    ['cus_katherine', 'Katherine', 'Johnson', 'kj@example.com', '+1 (555) 010-1918'],
    ['cus_edsger', 'Edsger', 'Dijkstra', 'ewd@example.com', '+1 (555) 010-1930'],
  ] as const;
  for (const [id, firstName, lastName, email, phone] of customers) await upsertCustomer(deps, admin, companyId, id, { firstName, lastName, email, phone });

  const template = async (id: string, input: Parameters<typeof createTemplate>[3]) => {
    if (!(await store.read.templates.get(companyId, id))) await createTemplate(deps, admin, companyId, { id, ...input });
  };
  await template('tpl_basic5', {
    name: 'Basic Grooming Package',
    description: 'Includes 5 basic grooming sessions',
    price: usd(150),
    items: [{ serviceIds: ['srv_basic'], quantity: 5, unitPrice: usd(30) }],
    validity: { days: 365 },
  });
  await template('tpl_spa10', {
    name: 'Spa Day Bundle',
    description: '10 baths or brushes, 4 nail trims and 2 shampoos',
    type: 'OFFER',
    price: usd(199, 990000000),
    items: [
      { serviceIds: ['srv_bath', 'srv_basic'], quantity: 10 },
      { serviceIds: ['srv_nails'], quantity: 4 },
    ],
    productItems: [{ productId: 'prd_shampoo', quantity: 2 }],
    validity: { months: 6 },
    gracePeriodDays: 7,
  });
  await template('tpl_massage3', {
    name: 'Massage Trio',
    description: 'Three deep tissue massages, starts at the first visit',
    price: usd(240),
    items: [{ serviceIds: ['srv_massage'], quantity: 3 }],
    validity: { days: 90 },
    activation: 'ON_FIRST_REDEMPTION',
    restrictRedemptionToSellingBusiness: true,
  });

  const now = clock.now();
  const sell = async (customerId: string, templateId: string, extra: Partial<Parameters<typeof sellPackage>[3]> = {}) =>
    (await sellPackage(deps, admin, companyId, { templateId, customerId, businessId: 'bus_downtown', staffId: 'staff_sam', ...extra })).result.pkg.id;
  const use = (packageId: string, serviceId: string, quantity = 1, hold = false) =>
    redeem(deps, admin, companyId, packageId, { serviceId, quantity, businessId: 'bus_downtown', staffId: 'staff_kim', hold });

  const active = await sell('cus_ada', 'tpl_basic5', { invoice: { id: 'inv_1001', no: '1001', receiptNo: 'R-1001', status: '1' } });
  await use(active, 'srv_basic', 2);
  await use(active, 'srv_basic', 1, true);
  const spa = await sell('cus_ada', 'tpl_spa10', { purchaseTime: now - 170 * DAY });
  await use(spa, 'srv_bath', 3);
  await use(spa, 'srv_nails');
  const frozen = await sell('cus_grace', 'tpl_basic5');
  await use(frozen, 'srv_basic');
  await freezePackage(deps, admin, companyId, frozen, { reason: 'Dog recovering from surgery' });
  await sell('cus_grace', 'tpl_basic5', { purchaseTime: now - 400 * DAY }); // expired
  const cancelled = await sell('cus_alan', 'tpl_basic5');
  await use(cancelled, 'srv_basic');
  await cancelPackage(deps, admin, companyId, cancelled, { refund: 'PRORATED', reason: 'Moved away' });
  await sell('cus_alan', 'tpl_basic5', { startTime: now + 14 * DAY }); // not started
  await sell('cus_katherine', 'tpl_massage3'); // starts at the first visit
  const done = await sell('cus_edsger', 'tpl_basic5', { purchaseTime: now - 30 * DAY });
  await use(done, 'srv_basic', 5);
  console.log(`demo data in ${companyId}: 2 businesses, 5 customers, 4 services, 1 product, 3 templates, 8 packages in every state`);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('fill a company with sample data in every state (safe to run twice: it adds packages again)')
    .option('--company <id>', 'the company, created if it does not exist', DEMO_COMPANY_ID)
    .addHelpText('after', '\nExample:\n  punchcard demo --company cmp_demo')
    .action((options: { company: string }) => withDeps((deps) => fillDemo(deps, options.company)));
}
