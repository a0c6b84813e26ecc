// Rows of the catalog, package, redemption and ledger tables to domain records and back.
import type { Validity } from '../domain/calendar.js';
import type { EventType, LedgerEvent, Redemption, RedemptionStatus } from '../domain/ledger.js';
import type { Money } from '../domain/money.js';
import { money } from '../domain/money.js';
import type { CustomerPackage, ItemChoice, PackageItem } from '../domain/package.js';
import { derivedOf } from '../domain/package.js';
import type { Activation, ItemKind, PackageTemplate, PackageType, TemplateItem } from '../domain/template.js';
import { parseIdList } from './reference-mappers.js';
import type {
  PackageEventsTable,
  PackageItemsTable,
  PackageTemplatesTable,
  PackagesTable,
  RedemptionsTable,
} from './schema.js';

export function validityToColumns(v: Validity): { validity_kind: string; validity_value: number } {
  if ('days' in v) return { validity_kind: 'DAYS', validity_value: v.days };
  if ('months' in v) return { validity_kind: 'MONTHS', validity_value: v.months };
  return { validity_kind: 'NEVER', validity_value: 0 };
}

export function columnsToValidity(kind: string, value: number): Validity {
  if (kind === 'DAYS') return { days: Number(value) };
  if (kind === 'MONTHS') return { months: Number(value) };
  return { never: true };
}

interface StoredTemplateItem {
  refIds: string[];
  quantity: number;
  unitPriceMinor: number | null;
  valueMinor: number;
}

const itemsToJson = (items: readonly TemplateItem[], kind: ItemKind): string =>
  JSON.stringify(
    items
      .filter((i) => i.kind === kind)
      .map((i): StoredTemplateItem => ({
        refIds: [...i.refIds],
        quantity: i.quantity,
        unitPriceMinor: i.givenUnitPrice?.minor ?? null,
        valueMinor: i.value.minor,
      })),
  );

const jsonToItems = (text: string, kind: ItemKind, currency: string): TemplateItem[] =>
  (JSON.parse(text) as StoredTemplateItem[]).map((i) => ({
    kind,
    refIds: i.refIds,
    quantity: i.quantity,
    givenUnitPrice: i.unitPriceMinor === null ? null : money(currency, i.unitPriceMinor),
    value: money(currency, i.valueMinor),
  }));

export const templateToRow = (t: PackageTemplate): PackageTemplatesTable => ({
  company_id: t.companyId,
  template_id: t.id,
  name: t.name,
  description: t.description,
  type: t.type,
  price_currency: t.price.currency,
  price_minor: t.price.minor,
  items: itemsToJson(t.items, 'SERVICE'),
  product_items: itemsToJson(t.items, 'PRODUCT'),
  ...validityToColumns(t.validity),
  grace_period_days: t.gracePeriodDays,
  activation: t.activation,
  restrict_to_selling_business: t.restrictRedemptionToSellingBusiness ? 1 : 0,
  business_ids: JSON.stringify(t.businessIds),
  archived_at: t.archiveTime,
  created_at: t.createTime,
  updated_at: t.updateTime,
});

export const templateRowToTemplate = (r: PackageTemplatesTable): PackageTemplate => ({
  companyId: r.company_id,
  id: r.template_id,
  name: r.name,
  description: r.description,
  type: r.type as PackageType,
  price: money(r.price_currency, Number(r.price_minor)),
  items: [...jsonToItems(r.items, 'SERVICE', r.price_currency), ...jsonToItems(r.product_items, 'PRODUCT', r.price_currency)],
  validity: columnsToValidity(r.validity_kind, r.validity_value),
  gracePeriodDays: Number(r.grace_period_days),
  activation: r.activation as Activation,
  restrictRedemptionToSellingBusiness: Number(r.restrict_to_selling_business) === 1,
  businessIds: parseIdList(r.business_ids),
  archiveTime: r.archived_at === null ? null : Number(r.archived_at),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

const num = (v: number | null): number | null => (v === null ? null : Number(v));
const moneyOrNull = (currency: string, minor: number | null): Money | null => (minor === null ? null : money(currency, Number(minor)));

export const itemRowToItem = (r: PackageItemsTable, currency: string): PackageItem => ({
  id: r.item_id,
  position: Number(r.position),
  kind: r.kind as ItemKind,
  choices: JSON.parse(r.choices) as ItemChoice[],
  quantity: Number(r.quantity),
  total: Number(r.total),
  used: Number(r.used),
  held: Number(r.held),
  remaining: Number(r.remaining),
  free: Number(r.free),
  value: money(currency, Number(r.value_minor)),
  unitPrice: money(currency, Number(r.unit_minor)),
});

export const itemToRow = (p: CustomerPackage, i: PackageItem): PackageItemsTable => ({
  company_id: p.companyId,
  package_id: p.id,
  item_id: i.id,
  position: i.position,
  kind: i.kind,
  choices: JSON.stringify(i.choices),
  quantity: i.quantity,
  total: i.total,
  used: i.used,
  held: i.held,
  remaining: i.remaining,
  value_minor: i.value.minor,
  unit_minor: i.unitPrice.minor,
  free: i.free,
});

export const packageRowToPackage = (r: PackagesTable, items: readonly PackageItemsTable[]): CustomerPackage => ({
  companyId: r.company_id,
  id: r.package_id,
  sourceId: r.source_id ?? null,
  customerId: r.customer_id,
  businessId: r.business_id,
  staffId: r.staff_id,
  templateId: r.template_id,
  name: r.name,
  description: r.description,
  type: r.type as PackageType,
  listPrice: money(r.currency, Number(r.list_price_minor)),
  paid: money(r.currency, Number(r.paid_minor)),
  timeZone: r.time_zone,
  purchaseTime: Number(r.purchase_time),
  startTime: num(r.start_time),
  endTime: num(r.end_time),
  validity: columnsToValidity(r.validity_kind, r.validity_value),
  gracePeriodDays: Number(r.grace_period_days),
  activation: r.activation as Activation,
  restrictToSellingBusiness: Number(r.restrict_to_selling_business) === 1,
  freeze: r.freeze_start_date
    ? { startDate: r.freeze_start_date, endDate: r.freeze_end_date, reason: r.freeze_reason ?? '', keepEndTime: num(r.freeze_keep_end_time) }
    : null,
  cancelTime: num(r.cancelled_at),
  refund: moneyOrNull(r.currency, r.refund_minor),
  expiredTime: num(r.expired_at),
  invoice:
    r.invoice_id || r.invoice_no || r.invoice_receipt_no
      ? { id: r.invoice_id ?? '', no: r.invoice_no ?? '', receiptNo: r.invoice_receipt_no ?? '', status: r.invoice_status ?? '' }
      : null,
  eventSeq: Number(r.event_seq),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
  items: [...items].sort((a, b) => Number(a.position) - Number(b.position)).map((i) => itemRowToItem(i, r.currency)),
});

export const packageToRow = (p: CustomerPackage): PackagesTable => ({
  company_id: p.companyId,
  package_id: p.id,
  source_id: p.sourceId,
  customer_id: p.customerId,
  business_id: p.businessId,
  staff_id: p.staffId,
  template_id: p.templateId,
  name: p.name,
  description: p.description,
  type: p.type,
  currency: p.paid.currency,
  list_price_minor: p.listPrice.minor,
  paid_minor: p.paid.minor,
  time_zone: p.timeZone,
  purchase_time: p.purchaseTime,
  start_time: p.startTime,
  end_time: p.endTime,
  ...validityToColumns(p.validity),
  grace_period_days: p.gracePeriodDays,
  activation: p.activation,
  restrict_to_selling_business: p.restrictToSellingBusiness ? 1 : 0,
  freeze_start_date: p.freeze?.startDate ?? null,
  freeze_end_date: p.freeze?.endDate ?? null,
  freeze_reason: p.freeze?.reason ?? null,
  cancelled_at: p.cancelTime,
  refund_minor: p.refund?.minor ?? null,
  expired_at: p.expiredTime,
  invoice_id: p.invoice?.id ?? null,
  invoice_no: p.invoice?.no ?? null,
  invoice_receipt_no: p.invoice?.receiptNo ?? null,
  invoice_status: p.invoice?.status ?? null,
  event_seq: p.eventSeq,
  created_at: p.createTime,
  updated_at: p.updateTime,
  freeze_keep_end_time: p.freeze?.keepEndTime ?? null,
  ...derivedColumns(p),
});

/** What the one package query filters on, derived from the state by the domain. */
export function derivedColumns(p: CustomerPackage) {
  const d = derivedOf(p);
  return {
    grace_end_time: d.graceEndTime,
    freeze_start_time: d.freezeStartTime,
    freeze_end_time: d.freezeEndTime,
    units_left: d.unitsLeft,
    service_units_left: d.serviceUnitsLeft,
  };
}

export const redemptionRowToRedemption = (r: RedemptionsTable, currency: string): Redemption => ({
  companyId: r.company_id,
  id: r.redemption_id,
  packageId: r.package_id,
  itemId: r.item_id,
  serviceId: r.service_id,
  quantity: Number(r.quantity),
  businessId: r.business_id,
  staffId: r.staff_id,
  appointmentId: r.appointment_id,
  status: r.status as RedemptionStatus,
  redeemTime: Number(r.redeem_time),
  holdExpireTime: num(r.hold_expire_time),
  value: money(currency, Number(r.value_minor)),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const redemptionToRow = (r: Redemption): RedemptionsTable => ({
  company_id: r.companyId,
  redemption_id: r.id,
  package_id: r.packageId,
  item_id: r.itemId,
  service_id: r.serviceId,
  quantity: r.quantity,
  business_id: r.businessId,
  staff_id: r.staffId,
  appointment_id: r.appointmentId,
  status: r.status,
  redeem_time: r.redeemTime,
  hold_expire_time: r.holdExpireTime,
  value_minor: r.value.minor,
  created_at: r.createTime,
  updated_at: r.updateTime,
});

export const eventRowToEvent = (r: PackageEventsTable, currency: string): LedgerEvent =>
  ({
  companyId: r.company_id,
  packageId: r.package_id,
  seq: Number(r.seq),
  id: r.event_id,
  type: r.type as EventType,
  time: Number(r.time),
  recordTime: Number(r.recorded_at),
  businessId: r.business_id,
  actorKeyId: r.actor_key_id,
  actorStaffId: r.actor_staff_id,
  redemptionId: r.redemption_id,
  itemId: r.item_id,
  quantity: num(r.quantity),
  valueDelta: money(currency, Number(r.value_delta_minor)),
  breakageDelta: money(currency, Number(r.breakage_delta_minor)),
  refund: money(currency, Number(r.refund_minor)),
  totalRemainingAfter: Number(r.total_remaining_after),
  data: JSON.parse(r.data) as Record<string, unknown>,
  }) as LedgerEvent;

export const eventToRow = (e: LedgerEvent): PackageEventsTable => ({
  company_id: e.companyId,
  package_id: e.packageId,
  seq: e.seq,
  event_id: e.id,
  type: e.type,
  time: e.time,
  recorded_at: e.recordTime,
  business_id: e.businessId,
  actor_key_id: e.actorKeyId,
  actor_staff_id: e.actorStaffId,
  redemption_id: e.redemptionId,
  item_id: e.itemId,
  quantity: e.quantity,
  value_delta_minor: e.valueDelta.minor,
  breakage_delta_minor: e.breakageDelta.minor,
  refund_minor: e.refund.minor,
  total_remaining_after: e.totalRemainingAfter,
  data: JSON.stringify(e.data),
});
