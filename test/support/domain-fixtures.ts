// Domain records for unit tests: a package item, the contract's example package (bought 2023-01-15T02:00:00Z
// for 365 days at a business in Los Angeles) and a pending hold, each with fields to override.
import type { Redemption } from '../../src/domain/ledger.js';
import { money, type Money } from '../../src/domain/money.js';
import type { CustomerPackage, PackageItem } from '../../src/domain/package.js';

export const usd = (minor: number): Money => money('USD', minor);
export const at = (iso: string) => Date.parse(iso);

export function item(over: Partial<PackageItem> & { services?: string[] } = {}): PackageItem {
  const quantity = over.quantity ?? 5;
  const total = over.total ?? quantity;
  const used = over.used ?? 0;
  const held = over.held ?? 0;
  return {
    id: over.id ?? 'psv_1',
    position: over.position ?? 0,
    kind: over.kind ?? 'SERVICE',
    choices: (over.services ?? ['srv_a']).map((id) => ({ id, name: id })),
    quantity,
    total,
    used,
    held,
    remaining: over.remaining ?? total - used - held,
    free: over.free ?? 0,
    value: over.value ?? usd(15_000),
    unitPrice: over.unitPrice ?? usd(3000),
  };
}

export function pkg(over: Partial<CustomerPackage> = {}): CustomerPackage {
  return {
    companyId: 'cmp_1',
    id: 'pkg_1',
    sourceId: null,
    customerId: 'cus_1',
    businessId: 'bus_1',
    staffId: null,
    templateId: 'tpl_1',
    name: 'Basic',
    description: '',
    type: 'REGULAR',
    listPrice: usd(15_000),
    paid: usd(15_000),
    timeZone: 'America/Los_Angeles',
    purchaseTime: at('2023-01-15T02:00:00Z'),
    startTime: at('2023-01-15T02:00:00Z'),
    endTime: at('2024-01-15T02:00:00Z'),
    validity: { days: 365 },
    gracePeriodDays: 0,
    activation: 'ON_PURCHASE',
    restrictToSellingBusiness: false,
    freeze: null,
    cancelTime: null,
    refund: null,
    expiredTime: null,
    invoice: null,
    eventSeq: 1,
    createTime: at('2023-01-15T02:00:00Z'),
    updateTime: at('2023-01-15T02:00:00Z'),
    items: [item()],
    ...over,
  };
}

export function hold(over: Partial<Redemption> = {}): Redemption {
  return {
    companyId: 'cmp_1',
    id: over.id ?? 'red_1',
    packageId: 'pkg_1',
    itemId: over.itemId ?? 'psv_1',
    serviceId: over.serviceId ?? 'srv_a',
    quantity: over.quantity ?? 1,
    businessId: 'bus_1',
    staffId: null,
    appointmentId: null,
    status: 'PENDING',
    redeemTime: over.redeemTime ?? at('2023-02-01T00:00:00Z'),
    holdExpireTime: over.holdExpireTime === undefined ? at('2023-02-02T00:00:00Z') : over.holdExpireTime,
    value: usd(0),
    createTime: at('2023-02-01T00:00:00Z'),
    updateTime: at('2023-02-01T00:00:00Z'),
    ...over,
  };
}
