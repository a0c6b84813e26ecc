// A package as one entry of Zenoti's guest packages list: the seed's fields plus never_expires,
// start_validity_at_first_redemption, expiration_days and purchase_price, with the meanings of API.md
// "Zenoti field meanings". Decimals are JSON numbers; times are the center's local midnight without offset.
import type { LocalDate } from '../../domain/calendar.js';
import { NEVER_EXPIRES, addDays, addValidity, daysBetween, localDateOf } from '../../domain/calendar.js';
import type { Money } from '../../domain/money.js';
import { toDecimalNumber } from '../../domain/money.js';
import type { CustomerPackage, Invoice, ItemChoice, Lifecycle, PackageItem } from '../../domain/package.js';
import { expirationDate, itemValueAt } from '../../domain/package.js';
import type { Product, Service } from '../../domain/reference.js';
import { offeredAt } from '../../domain/reference.js';
import type { PackageView } from '../../application/package-tx.js';
import {
  BOOK_WITH_PARTIAL_BALANCE_NOT_APPLICABLE,
  INVOICE_NOT_SPECIFIED,
  PACKAGE_TYPE_OF,
  PRODUCT_CATEGORY_PRODUCT,
  SERVICE_CATEGORY,
  STATUS_OF,
  USER_PACKAGE_STATE,
  currencyId,
  invoiceStatusCode,
} from './codes.js';
import type { ZenotiGuestPackageJson } from './schemas.js';

/** What the list computes once per package: its lifecycle now and whether it is redeemable at the center. */
export interface GuestPackage {
  readonly view: PackageView;
  readonly lifecycle: Lifecycle;
  readonly redeemable: boolean;
}

/** Reference data the entries name: selling businesses' names and the catalog's services and products. */
export interface Catalog {
  readonly businessNames: ReadonlyMap<string, string>;
  readonly services: ReadonlyMap<string, Service>;
  readonly products: ReadonlyMap<string, Product>;
}

const dec = toDecimalNumber;
const midnight = (date: LocalDate) => `${date}T00:00:00`;

/** What the state codes are read from: the package as of a moment and its lifecycle then (the list's and the webhooks'). */
export type PackageAt = Pick<GuestPackage, 'view' | 'lifecycle'>;

/** 0 closed (cancelled, expired or fully used), 2 with processing (a hold is pending), else 1 open. */
export function userPackageState(g: PackageAt): number {
  if (g.lifecycle === 'CANCELLED' || g.lifecycle === 'EXPIRED' || g.lifecycle === 'FULLY_REDEEMED') return USER_PACKAGE_STATE.CLOSED;
  return g.view.holds.length > 0 ? USER_PACKAGE_STATE.WITH_PROCESSING : USER_PACKAGE_STATE.OPEN;
}

/** Zenoti's status code for the package's lifecycle now. */
export const statusCode = (g: PackageAt): number => STATUS_OF[g.lifecycle];

export const priceJson = (unit: Money) => ({ currency_id: currencyId(unit.currency), sales: dec(unit), tax: 0, final: dec(unit) });

/**
 * Quantities of an item: committed units are used; balance is what can still be redeemed (held units excluded);
 * balance_amount is the item's remainingValue, as API.md says: the value of its paid units not yet used (a held
 * unit is not used yet), its last unit carrying the allocation's remainder; 0 once cancelled or expired.
 */
const quantities = (view: PackageView, i: PackageItem) => ({
  total: i.total,
  used: i.used,
  balance: i.remaining,
  balance_amount: dec(itemValueAt(view.pkg, i, view.asOf)),
  price: priceJson(i.unitPrice),
});

/** The service an item offers, or, given one of its choices, that service. */
export function serviceTypeInfo(i: PackageItem, catalog: Catalog, choices: readonly ItemChoice[] = i.choices) {
  const first = choices[0]!;
  // An item redeemable for any one of several services is Zenoti's "category" entry, named after the item.
  const many = choices.length > 1;
  return {
    service_category_type: many ? SERVICE_CATEGORY.CATEGORY : SERVICE_CATEGORY.SERVICE,
    id: many ? i.id : first.id,
    name: choices.map((c) => c.name).join(' / '),
    duration: catalog.services.get(first.id)?.durationMinutes ?? 0,
    has_segments: false,
  };
}

/** A product item's one product. */
export function productTypeInfo(i: PackageItem) {
  const product = i.choices[0]!;
  return { product_category_type: PRODUCT_CATEGORY_PRODUCT, name: product.name, id: product.id };
}

/** One `services[]` entry: the service (or category), where it is offered, and the item's quantities. */
export function serviceJson(view: PackageView, i: PackageItem, catalog: Catalog, centerId: string) {
  return {
    service_type_info: serviceTypeInfo(i, catalog),
    exists_in_current_center: i.choices.some((c) => {
      const service = catalog.services.get(c.id);
      return service !== undefined && offeredAt(service.businessIds, centerId);
    }),
    ...quantities(view, i),
    package_service_price: dec(i.value),
    sale_as_part_of_package_or_membership_only: false,
    book_with_partial_balance: BOOK_WITH_PARTIAL_BALANCE_NOT_APPLICABLE,
  };
}

function productJson(view: PackageView, i: PackageItem, catalog: Catalog, centerId: string) {
  const known = catalog.products.get(i.choices[0]!.id);
  return {
    product_type_info: productTypeInfo(i),
    exists_in_current_center: known !== undefined && offeredAt(known.businessIds, centerId),
    ...quantities(view, i),
  };
}

/** Start date (the purchase date until a package that starts at first use is used), expiration date, and that plus grace. */
export function datesJson(p: CustomerPackage) {
  const end = expirationDate(p);
  return {
    start: midnight(localDateOf(p.startTime ?? p.purchaseTime, p.timeZone)),
    end: midnight(end),
    end_date_with_grace: midnight(end === NEVER_EXPIRES ? end : addDays(end, p.gracePeriodDays)),
  };
}

export function invoiceJson(invoice: Invoice | null) {
  if (!invoice) return { status: INVOICE_NOT_SPECIFIED, receipt_no: '', id: '', no: '' };
  return { status: invoiceStatusCode(invoice.status ?? ''), receipt_no: invoice.receiptNo ?? '', id: invoice.id ?? '', no: invoice.no ?? '' };
}

/** A package that starts at first use has no end yet; it is not "never expires" unless its validity says so. */
export const neverExpires = (p: CustomerPackage): boolean => p.endTime === null && (p.startTime !== null || 'never' in p.validity);

/** Days of validity as sold: the days, or the length in days of this package's months; 0 when it never expires. */
export function expirationDays(p: CustomerPackage): number {
  const v = p.validity;
  if ('never' in v) return 0;
  if ('days' in v) return v.days;
  const start = p.startTime ?? p.purchaseTime;
  return daysBetween(localDateOf(start, p.timeZone), localDateOf(addValidity(start, v, p.timeZone)!, p.timeZone));
}

/** One entry of Zenoti's `packages` list. */
export function guestPackageJson(g: GuestPackage, catalog: Catalog, centerId: string): ZenotiGuestPackageJson {
  const p = g.view.pkg;
  const state = userPackageState(g);
  const products = p.items.filter((i) => i.kind === 'PRODUCT');
  return {
    user_package_id: p.id,
    user_package_state: state,
    redeemable: g.redeemable,
    invoice: invoiceJson(p.invoice),
    status: statusCode(g),
    package: { type: PACKAGE_TYPE_OF[p.type], id: p.templateId, name: p.name },
    date: datesJson(p),
    products: products.map((i) => productJson(g.view, i, catalog, centerId)),
    services: p.items.filter((i) => i.kind === 'SERVICE').map((i) => serviceJson(g.view, i, catalog, centerId)),
    redemption_setting_details: {
      total_payment: dec(p.paid),
      intial_recognized_revenue: 0,
      service_frequency_factor: 0,
      closed: state === USER_PACKAGE_STATE.CLOSED,
      allowed_redeemable_amount_for_partial_payment: 0,
      is_frozen: g.lifecycle === 'FROZEN',
      has_products: products.length > 0,
      partial_payment_without_initially_recognized_amount: 0,
      restrict_redemption_in_this_center: p.restrictToSellingBusiness,
      center_name: catalog.businessNames.get(p.businessId) ?? '',
    },
    never_expires: neverExpires(p),
    start_validity_at_first_redemption: p.activation === 'ON_FIRST_REDEMPTION',
    expiration_days: expirationDays(p),
    purchase_price: dec(p.paid),
  };
}

export type GuestPackageJson = ZenotiGuestPackageJson;
