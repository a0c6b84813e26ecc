// The catalog: a package template and how its price is spread over its items, exact to the minor unit.
import type { Validity } from './calendar.js';
import { invalidArgument } from './errors.js';
import type { Money } from './money.js';
import { allocate, compare, money, subtract, sum, times } from './money.js';

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

/** Re-spreads a sale price that differs from the template's over the items, in proportion to their values. */
export function reallocate(price: Money, values: readonly Money[]): Money[] {
  return allocate(price, values.map((v) => v.minor));
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
