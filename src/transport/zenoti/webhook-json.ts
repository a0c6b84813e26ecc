// Zenoti's guest-package webhooks as a mapping of one history event and the package after it: which of Zenoti's
// five events it becomes (API.md "Webhooks") and the `data` each carries (ZENOTI-WEBHOOKS.md), built from the
// guest packages list's own mapping so that the list and the webhooks say the same of a package.
import { localDateTimeOf } from '../../domain/calendar.js';
import type { EventType, LedgerEvent, Redemption } from '../../domain/ledger.js';
import { isZero } from '../../domain/money.js';
import type { PackageItem } from '../../domain/package.js';
import { lifecycleAt, totalUsed } from '../../domain/package.js';
import type { PackageView } from '../../application/package-tx.js';
import { INVOICE_NOT_SPECIFIED, PACKAGE_TYPE_OF } from './codes.js';
import type { Catalog } from './package-json.js';
import {
  datesJson,
  expirationDays,
  invoiceJson,
  neverExpires,
  priceJson,
  productTypeInfo,
  serviceJson,
  serviceTypeInfo,
  statusCode,
  userPackageState,
} from './package-json.js';

export const ZENOTI_EVENT_TYPES = [
  'GuestPackage.Created',
  'GuestPackage.Redeemed',
  'GuestPackage.RedemptionReversed',
  'GuestPackage.StatusUpdated',
  'GuestPackage.ValidityUpdated',
] as const;
export type ZenotiEventType = (typeof ZENOTI_EVENT_TYPES)[number];

/** The Zenoti event of each history event type: a Record, so a new history type without one does not compile. */
const ZENOTI_EVENT_OF: Record<EventType, ZenotiEventType> = {
  SOLD: 'GuestPackage.Created',
  IMPORTED: 'GuestPackage.Created',
  REDEEMED: 'GuestPackage.Redeemed',
  COMMITTED: 'GuestPackage.Redeemed',
  REVERSED: 'GuestPackage.RedemptionReversed',
  FROZEN: 'GuestPackage.StatusUpdated',
  UNFROZEN: 'GuestPackage.StatusUpdated',
  CANCELLED: 'GuestPackage.StatusUpdated',
  EXPIRED: 'GuestPackage.StatusUpdated',
  HELD: 'GuestPackage.StatusUpdated',
  RELEASED: 'GuestPackage.StatusUpdated',
  HOLD_EXPIRED: 'GuestPackage.StatusUpdated',
  ADJUSTED: 'GuestPackage.StatusUpdated',
  EXTENDED: 'GuestPackage.ValidityUpdated',
};

/**
 * The Zenoti events one history event becomes, in the order to send them: none for an expiry's correction (a
 * late visit shrank the breakage; the package did not expire again), and a status update followed by a validity
 * update for a freeze or unfreeze that moved the expiration.
 */
export function zenotiEventTypesOf(event: LedgerEvent): readonly ZenotiEventType[] {
  if (event.type === 'EXPIRED' && event.data.correction) return [];
  if ((event.type === 'FROZEN' || event.type === 'UNFROZEN') && event.data.daysMoved !== 0) {
    return ['GuestPackage.StatusUpdated', 'GuestPackage.ValidityUpdated'];
  }
  return [ZENOTI_EVENT_OF[event.type]];
}

/** The list's reference data, plus the names of the staff who redeem (Zenoti's therapists). */
export interface WebhookCatalog extends Catalog {
  readonly staffNames: ReadonlyMap<string, string>;
  /** Businesses' time zones, for a visit at another center than the selling one (the package's zone otherwise). */
  readonly timeZones: ReadonlyMap<string, string>;
}

/**
 * The redemption record of a visit, when the caller has it: the history event names the package's center and,
 * for a commit or reversal, only the item, so the record tells which service and which center exactly.
 */
export type VisitRecord = Pick<Redemption, 'serviceId' | 'businessId'>;

/** Zenoti's usage_date: local wall-clock time without offset, `2022-03-01 20:00:00.000`. */
function usageDate(ms: number, timeZone: string): string {
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${localDateTimeOf(ms, timeZone).replace('T', ' ')}.${millis}`;
}

/** The fields of every package event, as of the change. */
function commonJson(view: PackageView, catalog: Catalog) {
  const p = view.pkg;
  const at = { view, lifecycle: lifecycleAt(p, view.asOf) };
  const invoice = invoiceJson(p.invoice);
  return {
    user_package_id: p.id,
    status: statusCode(at),
    user_package_state: userPackageState(at),
    is_refunded: p.cancelTime !== null && p.refund !== null && !isZero(p.refund),
    lookup_package_user_id: null,
    start_validity_at_first_redemption: p.activation === 'ON_FIRST_REDEMPTION',
    never_expires: neverExpires(p),
    has_first_redemption: totalUsed(p) > 0,
    // ZENOTI-WEBHOOKS.md: null when the validity is not in days; the list's figure otherwise (months as this package's days).
    expiration_days: 'never' in p.validity ? null : expirationDays(p),
    invoice,
    // We keep no package code apart from the template's id.
    package: { code: p.templateId, is_OTP_required: false, type: PACKAGE_TYPE_OF[p.type], id: p.templateId, name: p.name },
    purchase: { price: priceJson(p.paid), date: localDateTimeOf(p.purchaseTime, p.timeZone) },
    date: datesJson(p),
    schedule: { completed_schedules: 0, next_schedule_date: null },
    center: { id: p.businessId, name: catalog.businessNames.get(p.businessId) ?? '' },
    sale_invoice: { id: invoice.id, no: invoice.no },
  };
}

interface RedemptionEntries {
  readonly services: ReturnType<typeof serviceEntry>[];
  readonly products: ReturnType<typeof productEntry>[];
}

/** Where, when and by whom a visit was redeemed, and the line it is: the common part of both entry kinds. */
function visitJson(event: LedgerEvent, view: PackageView, catalog: WebhookCatalog, visit: VisitRecord | undefined) {
  const centerId = visit?.businessId ?? event.businessId;
  const staffId = event.actorStaffId;
  return {
    // A visit has no invoice of ours; item_id is the redemption, which its reversal names again.
    invoice: { status: INVOICE_NOT_SPECIFIED, id: '', no: '', item_id: event.redemptionId ?? '' },
    therapist: { id: staffId ?? '', name: staffId === null ? '' : (catalog.staffNames.get(staffId) ?? '') },
    usage_date: usageDate(event.time, catalog.timeZones.get(centerId) ?? view.pkg.timeZone),
    center: { id: centerId, name: catalog.businessNames.get(centerId) ?? '' },
  };
}

function serviceEntry(item: PackageItem, serviceId: string | undefined, catalog: Catalog, where: ReturnType<typeof visitJson>) {
  // The service the visit named; an item of several services whose visit is not known is its category entry.
  const named = item.choices.filter((c) => c.id === serviceId);
  const info = serviceTypeInfo(item, catalog, named.length > 0 ? named : item.choices);
  const { invoice, therapist, usage_date, center } = where;
  return { invoice, service: { id: info.id, name: info.name }, service_type_info: info, therapist, usage_date, center };
}

function productEntry(item: PackageItem, where: ReturnType<typeof visitJson>) {
  const info = productTypeInfo(item);
  const { invoice, therapist, usage_date, center } = where;
  return { invoice, product: { id: info.id, name: info.name }, product_type_info: info, therapist, usage_date, center };
}

/** The event's redemption as Zenoti's entries: one per unit, since an entry carries no quantity. */
function redemptionEntries(event: LedgerEvent, view: PackageView, catalog: WebhookCatalog, visit: VisitRecord | undefined): RedemptionEntries {
  const item = view.pkg.items.find((i) => i.id === event.itemId);
  if (!item) return { services: [], products: [] };
  const units = event.quantity ?? 1;
  const where = visitJson(event, view, catalog, visit);
  if (item.kind === 'PRODUCT') return { services: [], products: Array.from({ length: units }, () => productEntry(item, where)) };
  const serviceId = visit?.serviceId ?? (event.type === 'REDEEMED' ? event.data.serviceId : undefined);
  return { services: Array.from({ length: units }, () => serviceEntry(item, serviceId, catalog, where)), products: [] };
}

/**
 * The `data` of a Zenoti webhook of `type` for one history event, given the package after the change as of the
 * change: the common fields, plus the services on creation and the visit's entries on a redemption or reversal.
 */
export function zenotiWebhookData(type: ZenotiEventType, event: LedgerEvent, view: PackageView, catalog: WebhookCatalog, visit?: VisitRecord) {
  const common = commonJson(view, catalog);
  switch (type) {
    case 'GuestPackage.Created': {
      const services = view.pkg.items.filter((i) => i.kind === 'SERVICE').map((i) => serviceJson(view, i, catalog, view.pkg.businessId));
      return { ...common, services };
    }
    case 'GuestPackage.Redeemed': {
      const r = redemptionEntries(event, view, catalog, visit);
      return { ...common, service_redemptions: r.services, product_redemptions: r.products };
    }
    case 'GuestPackage.RedemptionReversed': {
      const r = redemptionEntries(event, view, catalog, visit);
      return { ...common, service_redemptions_reversal: r.services, product_redemptions_reversal: r.products };
    }
    case 'GuestPackage.StatusUpdated':
    case 'GuestPackage.ValidityUpdated':
      return common;
  }
}

export type ZenotiWebhookData = ReturnType<typeof zenotiWebhookData>;
