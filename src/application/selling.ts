// Selling a package: a snapshot of its template, priced exactly, with the sale as the first ledger entry.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { addValidity } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import { assertSameCurrency, compare, isNegative, splitIntoUnits } from '../domain/money.js';
import type { CustomerPackage, Invoice, PackageItem } from '../domain/package.js';
import { offeredAt } from '../domain/reference.js';
import { reallocate } from '../domain/template.js';
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

/** How far ahead of the server's clock a client's "now" may run. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

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
  const purchaseTime = input.purchaseTime ?? now;
  if (purchaseTime > now + CLOCK_SKEW_MS) throw invalidArgument('purchaseTime', 'must not lie in the future');
  const price = input.price ?? template.price;
  assertSameCurrency(template.price, price, 'price.currencyCode');
  if (isNegative(price)) throw invalidArgument('price', 'must not be negative');
  if (input.startTime !== undefined && input.startTime < purchaseTime) throw invalidArgument('startTime', 'must not be before purchaseTime');

  const startTime = input.startTime ?? (template.activation === 'ON_PURCHASE' ? purchaseTime : null);
  const endTime = startTime === null ? null : addValidity(startTime, template.validity, business.timeZone);
  const values =
    compare(price, template.price) === 0 ? template.items.map((i) => i.value) : reallocate(price, template.items.map((i) => i.value));

  const names = new Map<string, string>();
  const serviceIds = template.items.filter((i) => i.kind === 'SERVICE').flatMap((i) => i.refIds);
  const productIds = template.items.filter((i) => i.kind === 'PRODUCT').flatMap((i) => i.refIds);
  for (const s of await read.services.getMany(companyId, serviceIds)) names.set(`SERVICE:${s.id}`, s.name);
  for (const pr of await read.products.getMany(companyId, productIds)) names.set(`PRODUCT:${pr.id}`, pr.name);

  const items: PackageItem[] = template.items.map((t, n) => ({
    id: newId(t.kind === 'SERVICE' ? 'packageService' : 'packageProduct'),
    position: n,
    kind: t.kind,
    choices: t.refIds.map((id) => ({ id, name: names.get(`${t.kind}:${id}`) ?? id })),
    quantity: t.quantity,
    total: t.quantity,
    used: 0,
    held: 0,
    remaining: t.quantity,
    free: 0,
    value: values[n]!,
    unitPrice: splitIntoUnits(values[n]!, t.quantity).unit,
  }));

  const pkg: CustomerPackage = {
    companyId,
    id: newId('package'),
    customerId: customer.id,
    businessId: business.id,
    staffId: input.staffId ?? null,
    templateId: template.id,
    name: template.name,
    description: template.description,
    type: template.type,
    listPrice: template.price,
    paid: price,
    timeZone: business.timeZone,
    purchaseTime,
    startTime,
    endTime,
    validity: template.validity,
    gracePeriodDays: template.gracePeriodDays,
    activation: template.activation,
    restrictToSellingBusiness: template.restrictRedemptionToSellingBusiness,
    freeze: null,
    cancelTime: null,
    refund: null,
    expiredTime: null,
    invoice: input.invoice ?? null,
    eventSeq: 0,
    createTime: now,
    updateTime: now,
    items,
  };

  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: 'sell', request: input }, async (repos) => {
    const tx = await PackageTx.create(repos, pkg, now, { principal: p, staffId: input.staffId ?? null });
    await tx.append('SOLD', price, {
      time: purchaseTime,
      data: { templateId: template.id, listPrice: template.price, price, invoice: input.invoice ?? null },
    });
    await tx.finish();
    return tx.view();
  });
}
