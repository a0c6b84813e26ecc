// Records as the native API answers them, with defaults a test overrides field by field.
import type { Business, Customer, Me, Money, PackageDetail, PackageTemplate, Service } from '../../src/api/types';

export const COMPANY = 'cmp_test';
export const base = `/v1/companies/${COMPANY}`;
/** An amount as answers carry it (units a number). */
export const usd = (units: number, nanos = 0) => ({ currencyCode: 'USD', units, nanos }) satisfies Money;
const T0 = '2026-01-01T00:00:00Z';

export const me = (role: Me['role'] = 'STAFF', businessIds: string[] = []): Me => ({ companyId: COMPANY, keyId: 'key_1', role, businessIds, name: 'front desk' });

export const business = (over: Partial<Business> = {}): Business => ({
  id: 'biz_sf',
  companyId: COMPANY,
  name: 'Happy Paws SF',
  timeZone: 'America/Los_Angeles',
  currencyCode: 'USD',
  createTime: T0,
  updateTime: T0,
  ...over,
});

export const customer = (over: Partial<Customer> = {}): Customer => ({
  id: 'cus_alice',
  companyId: COMPANY,
  firstName: 'Alice',
  lastName: 'Nguyen',
  email: 'alice@example.com',
  phone: '+1 415 555 0101',
  createTime: T0,
  updateTime: T0,
  ...over,
});

export const service = (over: Partial<Service> = {}): Service => ({
  id: 'srv_groom',
  name: 'Basic grooming',
  durationMinutes: 60,
  price: usd(35),
  businessIds: [],
  companyId: COMPANY,
  archived: false,
  archiveTime: null,
  createTime: T0,
  updateTime: T0,
  ...over,
});

export function template(over: Partial<PackageTemplate> = {}): PackageTemplate {
  return {
    id: 'tpl_basic5',
    name: 'Basic Grooming Package',
    description: '5 basic grooming sessions',
    type: 'REGULAR',
    price: usd(150),
    items: [{ serviceIds: ['srv_groom'], quantity: 5, unitPrice: usd(30), unitPriceGiven: false, value: usd(150) }],
    productItems: [],
    validity: { days: 365 },
    gracePeriodDays: 0,
    activation: 'ON_PURCHASE',
    restrictRedemptionToSellingBusiness: false,
    businessIds: [],
    archived: false,
    archiveTime: null,
    createTime: T0,
    updateTime: T0,
    ...over,
  } as PackageTemplate;
}

export function pkg(over: { id?: string; used?: number; held?: number; total?: number; lifecycle?: PackageDetail['lifecycle']; expirationDate?: string } & Partial<PackageDetail> = {}): PackageDetail {
  const { id = 'pkg_1', used = 1, held = 1, total = 5, lifecycle = 'ACTIVE', expirationDate = '2099-06-30', ...rest } = over;
  const left = total - used - held;
  return {
    packageInfo: {
      id,
      customerId: 'cus_alice',
      businessId: 'biz_sf',
      staffId: '',
      packageName: 'Basic Grooming Package',
      packageDesc: '',
      packagePrice: usd(150),
      purchaseTime: '2026-01-15T18:00:00Z',
      startTime: '2026-01-15T18:00:00Z',
      endTime: '2099-06-30T18:00:00Z',
      createTime: '2026-01-15T18:00:00Z',
      lastUpdateTime: '2026-01-15T18:00:00Z',
      expirationDate,
      status: 'STATUS_NORMAL',
      used: used > 0,
      applied: held > 0,
      totalRemainingQuantity: left,
      lifecycle,
    },
    packageServices: [
      {
        id: 'psv_1',
        packageId: id,
        services: [{ serviceId: 'srv_groom', unitPrice: usd(30), name: 'Basic grooming' }],
        totalQuantity: total,
        remainingQuantity: left,
        usedQuantity: used,
        heldQuantity: held,
        value: usd(150),
        remainingValue: usd(30 * (total - used)),
      },
    ],
    packageProducts: [],
    lifecycle,
    redeemable: lifecycle === 'ACTIVE' && left > 0,
    notRedeemableReason: lifecycle === 'FROZEN' ? 'PACKAGE_FROZEN' : '',
    notRedeemableMessage: lifecycle === 'FROZEN' ? `package ${id} is frozen` : '',
    templateId: 'tpl_basic5',
    type: 'REGULAR',
    timeZone: 'America/Los_Angeles',
    activation: 'ON_PURCHASE',
    validity: { days: 365 },
    gracePeriodDays: 0,
    graceEndTime: null,
    restrictRedemptionToSellingBusiness: false,
    listPrice: usd(150),
    paidAmount: usd(150),
    remainingValue: usd(30 * (total - used)),
    holds: [],
    freeze: lifecycle === 'FROZEN' ? { startDate: '2026-03-01', endDate: '', reason: 'travelling' } : null,
    freezes: lifecycle === 'FROZEN' ? [{ startDate: '2026-03-01', endDate: '', reason: 'travelling' }] : [],
    invoice: null,
    cancelTime: null,
    refund: null,
    asOfTime: '2026-03-10T15:00:00Z',
    imported: false,
    sourceId: '',
    ...rest,
  };
}
