// Selling a package: a snapshot of its template, priced exactly in the business's currency, with the sale as
// the first event of its history.
import { addValidity } from './calendar.js';
import { invalidArgument } from './errors.js';
import type { Money } from './money.js';
import { splitIntoUnits } from './money.js';
import type { CustomerPackage, Invoice, PackageItem } from './package.js';
import type { PackageTemplate } from './template.js';
import { salePrice } from './template.js';
import type { Decision } from './decision.js';
import { Changes } from './decision.js';
import { CLOCK_SKEW_MS } from './visits.js';

export interface SaleCommand {
  readonly packageId: string;
  /** One id per template item, in the template's order. */
  readonly itemIds: readonly string[];
  readonly template: PackageTemplate;
  readonly business: { readonly id: string; readonly timeZone: string; readonly currencyCode: string };
  readonly customerId: string;
  readonly staffId: string | null;
  readonly purchaseTime?: number;
  readonly startTime?: number;
  readonly price?: Money;
  readonly invoice?: Invoice;
  /** Catalog names of the items' services and products, keyed "SERVICE:id" / "PRODUCT:id". */
  readonly names: ReadonlyMap<string, string>;
}

export function sell(cmd: SaleCommand, now: number): Decision {
  const { template, business } = cmd;
  const purchaseTime = cmd.purchaseTime ?? now;
  if (purchaseTime > now + CLOCK_SKEW_MS) throw invalidArgument('purchaseTime', 'must not lie in the future');
  if (cmd.startTime !== undefined && cmd.startTime < purchaseTime) throw invalidArgument('startTime', 'must not be before purchaseTime');
  const { price, listPrice, itemValues: values } = salePrice(template, business.currencyCode, cmd.price);
  const startTime = cmd.startTime ?? (template.activation === 'ON_PURCHASE' ? purchaseTime : null);
  const items: PackageItem[] = template.items.map((t, n) => ({
    id: cmd.itemIds[n]!,
    position: n,
    kind: t.kind,
    choices: t.refIds.map((id) => ({ id, name: cmd.names.get(`${t.kind}:${id}`) ?? id })),
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
    companyId: template.companyId,
    id: cmd.packageId,
    sourceId: null,
    customerId: cmd.customerId,
    businessId: business.id,
    staffId: cmd.staffId,
    templateId: template.id,
    name: template.name,
    description: template.description,
    type: template.type,
    listPrice,
    paid: price,
    timeZone: business.timeZone,
    purchaseTime,
    startTime,
    endTime: startTime === null ? null : addValidity(startTime, template.validity, business.timeZone),
    validity: template.validity,
    gracePeriodDays: template.gracePeriodDays,
    activation: template.activation,
    restrictToSellingBusiness: template.restrictRedemptionToSellingBusiness,
    freeze: null,
    cancelTime: null,
    refund: null,
    expiredTime: null,
    invoice: cmd.invoice ?? null,
    eventSeq: 0,
    createTime: now,
    updateTime: now,
    items,
  };
  const nothing = { ...pkg, cancelTime: now }; // before the sale there was no value outstanding
  return new Changes({ pkg, holds: [] })
    .event(nothing, { type: 'SOLD', time: purchaseTime, data: { templateId: template.id, listPrice, price, invoice: cmd.invoice ?? null } })
    .done();
}
