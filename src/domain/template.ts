// The catalog: a package template and how its price is spread over its items, exact to the minor unit.
import type { Validity } from './calendar.js';
import { failedPrecondition, invalidArgument } from './errors.js';
import type { Money } from './money.js';
import { allocate, compare, isNegative, money, subtract, sum, times } from './money.js';

export const PACKAGE_TYPES = ['REGULAR', 'CUSTOM', 'OFFER', 'CUSTOM_OFFER'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];
export const ACTIVATIONS = ['ON_PURCHASE', 'ON_FIRST_REDEMPTION'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type ItemKind = 'SERVICE' | 'PRODUCT';

export interface TemplateItem {
  readonly kind: ItemKind;
  /** Interchangeable services ("any one of these"), or the one product. */
  readonly refIds: readonly string[];
  readonly quantity: number;
  /** As the catalog manager gave it, or null to have it allocated. */
  readonly givenUnitPrice: Money | null;
  /** The item's share of the template price, exact. */
  readonly value: Money;
}

export interface PackageTemplate {
  readonly companyId: string;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: PackageType;
  readonly price: Money;
  readonly items: readonly TemplateItem[];
  readonly validity: Validity;
  readonly gracePeriodDays: number;
  readonly activation: Activation;
  readonly restrictRedemptionToSellingBusiness: boolean;
  readonly businessIds: readonly string[];
  readonly archiveTime: number | null;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface PricedItemInput {
  readonly kind: ItemKind;
  readonly refIds: readonly string[];
  readonly quantity: number;
  readonly givenUnitPrice: Money | null;
  /** The list price of one unit: the item's first service's (or the product's) catalog price. */
  readonly listUnitPrice: Money;
  /** Where a refusal should point, e.g. "items[1].unitPrice". */
  readonly field: string;
}

/**
 * Spreads the price over the items. Items with a given unit price take exactly that × quantity; the rest of the
 * price is allocated over the other items in proportion to list price × quantity (largest remainder). When
 * every item has a given price they must add up to the price.
 */
export function allocateTemplatePrice(price: Money, items: readonly PricedItemInput[]): Money[] {
  const given = items.filter((i) => i.givenUnitPrice !== null);
  const givenTotal = sum(price.currency, given.map((i) => times(i.givenUnitPrice!, i.quantity)));
  const rest = subtract(price, givenTotal);
  const open = items.filter((i) => i.givenUnitPrice === null);
  if (open.length === 0 && compare(rest, money(price.currency, 0)) !== 0) {
    throw invalidArgument('items', `unit prices × quantities add up to ${givenTotal.minor} minor units, not the price ${price.minor}`);
  }
  if (rest.minor < 0) {
    throw invalidArgument('items', 'the given unit prices × quantities add up to more than the price');
  }
  const shares = allocate(
    rest,
    open.map((i) => i.listUnitPrice.minor * i.quantity),
  );
  let k = 0;
  return items.map((i) => (i.givenUnitPrice !== null ? times(i.givenUnitPrice, i.quantity) : shares[k++]!));
}

/**
 * An archived service or product is never put into a template. One the template already holds may stay, so editing
 * a template never forces out what it was built with: until the template itself is archived it sells as it is.
 */
export function assertNotNewlyArchived(
  kind: ItemKind,
  entry: { readonly id: string; readonly archiveTime: number | null },
  alreadyHeld: boolean,
  field: string,
): void {
  if (entry.archiveTime === null || alreadyHeld) return;
  throw kind === 'SERVICE'
    ? failedPrecondition('SERVICE_ARCHIVED', `service ${entry.id} is archived`, { serviceId: entry.id, field })
    : failedPrecondition('PRODUCT_ARCHIVED', `product ${entry.id} is archived`, { productId: entry.id, field });
}

/** Re-spreads a sale price that differs from the template's over the items, in proportion to their values. */
export function reallocate(price: Money, values: readonly Money[]): Money[] {
  return allocate(price, values.map((v) => v.minor));
}

export interface SalePrice {
  /** What the customer pays, in the business's currency. */
  readonly price: Money;
  /** The package's list price: the template's, or the price given where the template's is in another currency. */
  readonly listPrice: Money;
  /** The items' values, in template order, adding up to the price exactly. */
  readonly itemValues: Money[];
}

/**
 * What a sale of the template at a business costs and how that spreads over the items. A package is sold in its
 * business's currency: a template priced in another one needs a price given in the business's currency, which is
 * then spread in proportion to the template's item values (there is no exchange rate to apply).
 */
export function salePrice(template: PackageTemplate, businessCurrency: string, given?: Money): SalePrice {
  const listed = template.price;
  if (given && given.currency !== businessCurrency && given.currency !== listed.currency) {
    throw invalidArgument('price.currencyCode', `must be ${businessCurrency}, the currency of the business`);
  }
  if (listed.currency !== businessCurrency && given?.currency !== businessCurrency) {
    throw failedPrecondition(
      'CURRENCY_MISMATCH',
      `template ${template.id} is priced in ${listed.currency} and the business sells in ${businessCurrency}: give a price in ${businessCurrency}`,
      { templateId: template.id, templateCurrency: listed.currency, businessCurrency },
    );
  }
  const price = given ?? listed;
  if (isNegative(price)) throw invalidArgument('price', 'must not be negative');
  const values = template.items.map((i) => i.value);
  const itemValues = price.currency === listed.currency && compare(price, listed) === 0 ? values : reallocate(price, values);
  return { price, listPrice: listed.currency === businessCurrency ? listed : price, itemValues };
}

export function validityFromInput(v: { days?: number; months?: number; never?: boolean }, field = 'validity'): Validity {
  const keys = (['days', 'months', 'never'] as const).filter((k) => v[k] !== undefined);
  if (keys.length !== 1) throw invalidArgument(field, 'give exactly one of days, months or never');
  if (v.never !== undefined) {
    if (v.never !== true) throw invalidArgument(`${field}.never`, 'must be true');
    return { never: true };
  }
  if (v.days !== undefined) {
    if (!Number.isInteger(v.days) || v.days < 1 || v.days > 36500) throw invalidArgument(`${field}.days`, 'must be from 1 to 36500');
    return { days: v.days };
  }
  if (!Number.isInteger(v.months) || v.months! < 1 || v.months! > 1200) throw invalidArgument(`${field}.months`, 'must be from 1 to 1200');
  return { months: v.months! };
}
