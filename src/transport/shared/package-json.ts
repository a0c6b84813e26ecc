// A package as MoeGo's Package / PackageDetail JSON: the shape the native surface extends and the MoeGo
// surface serves as it stands. Field meanings follow API.md "MoeGo field meanings".
import { formatInstant } from '../../domain/calendar.js';
import { toGoogleMoney } from '../../domain/money.js';
import type { PackageItem } from '../../domain/package.js';
import { expirationDate, totalRemaining } from '../../domain/package.js';
import type { PackageView } from '../../application/package-tx.js';

export const instantOrNull = (ms: number | null): string | null => (ms === null ? null : formatInstant(ms));

/** MoeGo's Package: `used` = at least one committed redemption, `applied` = at least one pending hold. */
export function packageInfoJson(view: PackageView) {
  const p = view.pkg;
  return {
    id: p.id,
    customerId: p.customerId,
    businessId: p.businessId,
    staffId: p.staffId ?? '',
    packageName: p.name,
    packageDesc: p.description,
    packagePrice: toGoogleMoney(p.paid),
    purchaseTime: formatInstant(p.purchaseTime),
    startTime: instantOrNull(p.startTime),
    endTime: instantOrNull(p.endTime),
    createTime: formatInstant(p.createTime),
    lastUpdateTime: formatInstant(p.updateTime),
    expirationDate: expirationDate(p),
    status: 'STATUS_NORMAL' as const,
    used: p.items.some((i) => i.used > 0),
    applied: view.holds.length > 0,
    totalRemainingQuantity: totalRemaining(p),
  };
}

export function packageServiceJson(packageId: string, item: PackageItem) {
  return {
    id: item.id,
    packageId,
    services: item.choices.map((c) => ({ serviceId: c.id, unitPrice: toGoogleMoney(item.unitPrice), name: c.name })),
    totalQuantity: item.total,
    remainingQuantity: item.remaining,
  };
}

/** MoeGo's PackageDetail: the package and its service items. */
export function packageDetailJson(view: PackageView) {
  return {
    packageInfo: packageInfoJson(view),
    packageServices: view.pkg.items.filter((i) => i.kind === 'SERVICE').map((i) => packageServiceJson(view.pkg.id, i)),
  };
}
