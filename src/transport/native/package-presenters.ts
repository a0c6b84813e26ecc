// Packages, redemptions, templates and history as the native surface's JSON: MoeGo's PackageDetail plus
// everything the front desk needs (lifecycle, holds, freeze, values, why it cannot be redeemed now).
import { formatInstant } from '../../domain/calendar.js';
import { DomainError } from '../../domain/errors.js';
import type { LedgerEvent, Redemption } from '../../domain/ledger.js';
import { parseDecimalAmount, toGoogleMoney } from '../../domain/money.js';
import { assertRedeemable, graceEndTime, itemValueAt, lifecycleAt, remainingValueAt } from '../../domain/package.js';
import type { PackageTemplate } from '../../domain/template.js';
import type { Validity } from '../../domain/calendar.js';
import { splitIntoUnits } from '../../domain/money.js';
import type { PackageView } from '../../application/package-tx.js';
import { instantOrNull, packageInfoJson, packageServiceJson } from '../shared/package-json.js';
import type { PackageDetailJson, PackageEventJson, PackageTemplateJson, RedemptionJson } from './package-schemas.js';

const validityJson = (v: Validity) => ('days' in v ? { days: v.days } : 'months' in v ? { months: v.months } : { never: true });

/** Why the front desk cannot redeem from it now (at its own business), or null. */
function blocked(view: PackageView): { reason: string; message: string } | null {
  const p = view.pkg;
  try {
    assertRedeemable(p, view.asOf, p.businessId);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return { reason: error.reason ?? error.code, message: error.message };
    throw error;
  }
}

export function presentPackage(view: PackageView): PackageDetailJson {
  const p = view.pkg;
  const lifecycle = lifecycleAt(p, view.asOf);
  const info = packageInfoJson(view);
  const notRedeemable = blocked(view);
  return {
    packageInfo: { ...info, lifecycle },
    packageServices: p.items
      .filter((i) => i.kind === 'SERVICE')
      .map((i) => ({ ...packageServiceJson(p.id, i), usedQuantity: i.used, heldQuantity: i.held, value: toGoogleMoney(i.value), remainingValue: toGoogleMoney(itemValueAt(p, i, view.asOf)) })),
    packageProducts: p.items
      .filter((i) => i.kind === 'PRODUCT')
      .map((i) => ({
        id: i.id,
        packageId: p.id,
        products: i.choices.map((c) => ({ productId: c.id, unitPrice: toGoogleMoney(i.unitPrice), name: c.name })),
        totalQuantity: i.total,
        remainingQuantity: i.remaining,
        usedQuantity: i.used,
        heldQuantity: i.held,
        value: toGoogleMoney(i.value),
        remainingValue: toGoogleMoney(itemValueAt(p, i, view.asOf)),
      })),
    lifecycle,
    // Brought from another system by an import (its id there), or sold here (its own id).
    imported: p.sourceId !== null,
    sourceId: p.sourceId ?? p.id,
    redeemable: notRedeemable === null,
    notRedeemableReason: notRedeemable?.reason ?? '',
    notRedeemableMessage: notRedeemable?.message ?? '',
    templateId: p.templateId,
    type: p.type,
    timeZone: p.timeZone,
    activation: p.activation,
    validity: validityJson(p.validity),
    gracePeriodDays: p.gracePeriodDays,
    graceEndTime: instantOrNull(graceEndTime(p)),
    restrictRedemptionToSellingBusiness: p.restrictToSellingBusiness,
    listPrice: toGoogleMoney(p.listPrice),
    paidAmount: toGoogleMoney(p.paid),
    remainingValue: toGoogleMoney(remainingValueAt(p, view.asOf)),
    holds: view.holds.map(presentRedemption),
    freeze: p.freeze ? { startDate: p.freeze.startDate, endDate: p.freeze.endDate ?? '', reason: p.freeze.reason } : null,
    // The running or scheduled freeze as a list (API.md's "freezes"); past ones are in the history (FROZEN, UNFROZEN).
    freezes: p.freeze ? [{ startDate: p.freeze.startDate, endDate: p.freeze.endDate ?? '', reason: p.freeze.reason }] : [],
    invoice: p.invoice ? { ...p.invoice } : null,
    cancelTime: instantOrNull(p.cancelTime),
    refund: p.refund ? toGoogleMoney(p.refund) : null,
    asOfTime: formatInstant(view.asOf),
  };
}

export function presentRedemption(r: Redemption): RedemptionJson {
  return {
    id: r.id,
    packageId: r.packageId,
    packageServiceId: r.itemId,
    serviceId: r.serviceId,
    quantity: r.quantity,
    businessId: r.businessId,
    staffId: r.staffId ?? '',
    appointmentId: r.appointmentId ?? '',
    status: r.status,
    redeemTime: formatInstant(r.redeemTime),
    holdExpireTime: instantOrNull(r.holdExpireTime),
    value: toGoogleMoney(r.value),
    createTime: formatInstant(r.createTime),
    updateTime: formatInstant(r.updateTime),
  };
}

/** Event details in the API's own forms (Money as google.type.Money, instants as RFC 3339), by event type. */
function detailsJson(e: LedgerEvent): Record<string, unknown> {
  switch (e.type) {
    case 'SOLD':
      return { ...e.data, listPrice: toGoogleMoney(e.data.listPrice), price: toGoogleMoney(e.data.price) };
    case 'HELD':
      return { ...e.data, holdExpireTime: formatInstant(e.data.holdExpireTime) };
    case 'IMPORTED': {
      const amount = (text: string) => toGoogleMoney(parseDecimalAmount(text, e.data.currency, 'amount'));
      return {
        ...e.data,
        price: amount(e.data.price),
        paidAmount: amount(e.data.paidAmount),
        items: e.data.items.map((i) => ({ ...i, value: amount(i.value) })),
      };
    }
    default:
      return { ...e.data };
  }
}

export function presentEvent(e: LedgerEvent & { readonly actorName: string }): PackageEventJson {
  return {
    id: e.id,
    sequence: e.seq,
    type: e.type,
    time: formatInstant(e.time),
    recordTime: formatInstant(e.recordTime),
    actor: e.actorKeyId ?? 'system',
    actorName: e.actorName,
    staffId: e.actorStaffId ?? '',
    businessId: e.businessId,
    redemptionId: e.redemptionId ?? '',
    packageServiceId: e.itemId ?? '',
    quantity: e.quantity ?? 0,
    totalRemainingQuantityAfter: e.totalRemainingAfter,
    valueChange: toGoogleMoney(e.valueDelta),
    breakageChange: toGoogleMoney(e.breakageDelta),
    refund: toGoogleMoney(e.refund),
    details: detailsJson(e),
  };
}

export function presentTemplate(t: PackageTemplate): PackageTemplateJson {
  const item = (i: PackageTemplate['items'][number]) => ({
    quantity: i.quantity,
    unitPrice: toGoogleMoney(i.givenUnitPrice ?? splitIntoUnits(i.value, i.quantity).unit),
    unitPriceGiven: i.givenUnitPrice !== null,
    value: toGoogleMoney(i.value),
  });
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    type: t.type,
    price: toGoogleMoney(t.price),
    items: t.items.filter((i) => i.kind === 'SERVICE').map((i) => ({ serviceIds: [...i.refIds], ...item(i) })),
    productItems: t.items.filter((i) => i.kind === 'PRODUCT').map((i) => ({ productId: i.refIds[0]!, ...item(i) })),
    validity: validityJson(t.validity),
    gracePeriodDays: t.gracePeriodDays,
    activation: t.activation,
    restrictRedemptionToSellingBusiness: t.restrictRedemptionToSellingBusiness,
    businessIds: [...t.businessIds],
    archived: t.archiveTime !== null,
    archiveTime: instantOrNull(t.archiveTime),
    createTime: formatInstant(t.createTime),
    updateTime: formatInstant(t.updateTime),
  };
}
