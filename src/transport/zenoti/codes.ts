// Zenoti's integer enums, as its guest packages API lists them, and how our states map onto them
// (API.md "Zenoti field meanings").
import type { Lifecycle } from '../../domain/package.js';
import type { PackageType } from '../../domain/template.js';

/** user_package_state: Closed = 0, Open = 1, WithProcessing = 2. */
export const USER_PACKAGE_STATE = { CLOSED: 0, OPEN: 1, WITH_PROCESSING: 2 } as const;

/** status: Active = 1 (also when fully used: the state says closed), Frozen = 3, Expired = 5, CancelledRefund = 6, NotStarted = 7. */
export const STATUS_OF: Record<Lifecycle, number> = {
  ACTIVE: 1,
  FULLY_REDEEMED: 1,
  FROZEN: 3,
  EXPIRED: 5,
  CANCELLED: 6,
  NOT_STARTED: 7,
};

/** The status codes a `status` filter may name; -1 means all. */
export const STATUS_CODES: readonly number[] = [1, 3, 5, 6, 7];

/** package.type: Regular = 0, Custom = 1, Offer = 2, CustomOffer = 3. */
export const PACKAGE_TYPE_OF: Record<PackageType, number> = { REGULAR: 0, CUSTOM: 1, OFFER: 2, CUSTOM_OFFER: 3 };

/** invoice.status: Open = 0, Processed = 1, Closed = 4, NotSpecified = 11, Default = 12, Void = 13. */
const INVOICE_STATUS_BY_NAME: Record<string, number> = { OPEN: 0, PROCESSED: 1, CLOSED: 4, NOTSPECIFIED: 11, DEFAULT: 12, VOID: 13 };
export const INVOICE_NOT_SPECIFIED = 11;
const INVOICE_PROCESSED = 1;

/**
 * The invoice status our invoice reference names: a number as given (Zenoti's own code), one of Zenoti's
 * names in any case or spacing ("Processed", "NOT_SPECIFIED"), and otherwise Processed, since a package is
 * only sold against an invoice that went through.
 */
export function invoiceStatusCode(status: string): number {
  const text = status.trim();
  if (/^-?\d{1,9}$/.test(text)) return Number(text);
  return INVOICE_STATUS_BY_NAME[text.toUpperCase().replace(/[\s_-]/g, '')] ?? INVOICE_PROCESSED;
}

/** services[].service_type_info.service_category_type: Category = 1, Service = 2. */
export const SERVICE_CATEGORY = { CATEGORY: 1, SERVICE: 2 } as const;
/** products[].product_type_info.product_category_type: Product = 2. */
export const PRODUCT_CATEGORY_PRODUCT = 2;
/** services[].book_with_partial_balance: NotApplicable = 1. */
export const BOOK_WITH_PARTIAL_BALANCE_NOT_APPLICABLE = 1;

// Zenoti's currency_id is an id of its own; we send the ISO 4217 numeric code, which a client can map, and 0
// for a currency missing from this list.
const ISO_NUMERIC: Record<string, number> = {
  AED: 784, ARS: 32, AUD: 36, BDT: 50, BHD: 48, BRL: 986, CAD: 124, CHF: 756, CLP: 152, CNY: 156, COP: 170,
  CZK: 203, DKK: 208, EGP: 818, EUR: 978, GBP: 826, HKD: 344, HUF: 348, IDR: 360, ILS: 376, INR: 356, ISK: 352,
  JOD: 400, JPY: 392, KES: 404, KRW: 410, KWD: 414, LKR: 144, MXN: 484, MYR: 458, NGN: 566, NOK: 578, NZD: 554,
  OMR: 512, PEN: 604, PHP: 608, PKR: 586, PLN: 985, QAR: 634, RON: 946, SAR: 682, SEK: 752, SGD: 702, THB: 764,
  TRY: 949, TWD: 901, UAH: 980, USD: 840, VND: 704, ZAR: 710,
};

/** currency_id for a currency code: its ISO 4217 numeric code, or 0 when unknown here. */
export const currencyId = (code: string): number => ISO_NUMERIC[code] ?? 0;
