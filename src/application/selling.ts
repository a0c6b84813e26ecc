// Selling a package: a snapshot of its template, priced exactly, with the sale as the first ledger entry.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import type { Invoice } from '../domain/package.js';
import { offeredAt } from '../domain/reference.js';
import { sell } from '../domain/sale.js';
import { assertOnSale } from './catalog.js';
import type { Deps } from './context.js';
import { newId } from './ids.js';
import type { Outcome } from './idempotency.js';
import { runIdempotent } from './idempotency.js';
import { PackageTx, type PackageView } from './package-tx.js';

export interface SellInput {
  readonly templateId: string;
  readonly customerId: string;
  readonly businessId: string;
  readonly staffId?: string | null;
  readonly purchaseTime?: number;
  readonly startTime?: number;
  readonly price?: Money;
  readonly invoice?: Invoice;
}

/** Sells a package to a customer at a business (STAFF or ADMIN). */
export async function sellPackage(
  deps: Deps,
  p: Principal,
  companyId: string,
  input: SellInput,
  idempotencyKey?: string,
): Promise<Outcome<PackageView>> {
  authorize(p, companyId, 'sell', input.businessId);
  const now = deps.clock.now();
  const read = deps.store.read;
  const [template, customer, business, staff] = await Promise.all([
    read.templates.get(companyId, input.templateId),
    read.customers.get(companyId, input.customerId),
    read.businesses.get(companyId, input.businessId),
    input.staffId ? read.staff.get(companyId, input.staffId) : Promise.resolve(null),
  ]);
  if (!template) throw notFound('package template', input.templateId);
  if (!customer) throw notFound('customer', input.customerId);
  if (!business) throw notFound('business', input.businessId);
  if (input.staffId && !staff) throw notFound('staff member', input.staffId);
  assertOnSale(template);
  if (!offeredAt(template.businessIds, business.id)) {
    throw invalidArgument('businessId', `template ${template.id} is not offered at business ${business.id}`);
  }
  const names = new Map<string, string>();
  const serviceIds = template.items.filter((i) => i.kind === 'SERVICE').flatMap((i) => i.refIds);
  const productIds = template.items.filter((i) => i.kind === 'PRODUCT').flatMap((i) => i.refIds);
  for (const s of await read.services.getMany(companyId, serviceIds)) names.set(`SERVICE:${s.id}`, s.name);
  for (const pr of await read.products.getMany(companyId, productIds)) names.set(`PRODUCT:${pr.id}`, pr.name);

  const sale = sell(
    {
      packageId: newId('package'),
      itemIds: template.items.map((t) => newId(t.kind === 'SERVICE' ? 'packageService' : 'packageProduct')),
      template,
      business,
      customerId: customer.id,
      staffId: input.staffId ?? null,
      purchaseTime: input.purchaseTime,
      startTime: input.startTime,
      price: input.price,
      invoice: input.invoice,
      names,
    },
    now,
  );
  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: 'sell', request: input, target: '' }, async (repos) => {
    const tx = await PackageTx.create(repos, sale, now, { principal: p, staffId: input.staffId ?? null }, deps.outbox);
    return tx.view();
  });
}
