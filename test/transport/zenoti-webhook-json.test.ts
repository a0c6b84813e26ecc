// Zenoti's guest-package webhooks as a pure mapping: packages built by the domain's own commands, each history
// event mapped to Zenoti's events (API.md "Webhooks") and their `data` (ZENOTI-WEBHOOKS.md). No database.
import { describe, expect, it } from 'vitest';
import { viewAt } from '../../src/application/package-tx.js';
import type { PackageView } from '../../src/application/package-tx.js';
import type { Decision, PackageState } from '../../src/domain/decision.js';
import { insertedRedemption } from '../../src/domain/decision.js';
import type { EventType, LedgerEvent } from '../../src/domain/ledger.js';
import { EVENT_TYPES } from '../../src/domain/ledger.js';
import type { Money } from '../../src/domain/money.js';
import { money } from '../../src/domain/money.js';
import { adjust, cancel, extend, freeze, unfreeze } from '../../src/domain/package-changes.js';
import type { Invoice } from '../../src/domain/package.js';
import type { Product, Service } from '../../src/domain/reference.js';
import type { SaleCommand } from '../../src/domain/sale.js';
import { sell } from '../../src/domain/sale.js';
import type { PackageTemplate, TemplateItem } from '../../src/domain/template.js';
import { catchUp } from '../../src/domain/time-passes.js';
import { commit, redeem, release, reverse } from '../../src/domain/visits.js';
import { guestPackageJson } from '../../src/transport/zenoti/package-json.js';
import type { WebhookCatalog, ZenotiEventType } from '../../src/transport/zenoti/webhook-json.js';
import { zenotiEventTypesOf, zenotiWebhookData } from '../../src/transport/zenoti/webhook-json.js';

const usd = (minor: number): Money => money('USD', minor);
const at = (iso: string) => Date.parse(iso);
// 15:00 UTC is already the next day in Tokyo (UTC+9, no DST): a UTC date would show here as the day before.
const TZ = 'Asia/Tokyo';
const SOLD_AT = at('2026-03-10T15:30:00Z'); // 2026-03-11 00:30 in Tokyo
const INVOICE: Invoice = { id: 'inv_1', no: 'INV-0001', receiptNo: 'R-77', status: 'Closed' };

const SERVICE_ITEM: TemplateItem = { kind: 'SERVICE', refIds: ['srv_a'], quantity: 5, givenUnitPrice: null, value: usd(10_000) };
const CHOICE_ITEM: TemplateItem = { kind: 'SERVICE', refIds: ['srv_b', 'srv_c'], quantity: 2, givenUnitPrice: null, value: usd(3000) };
const PRODUCT_ITEM: TemplateItem = { kind: 'PRODUCT', refIds: ['prd_1'], quantity: 3, givenUnitPrice: null, value: usd(2000) };

function template(over: Partial<PackageTemplate> = {}): PackageTemplate {
  return {
    companyId: 'cmp_1',
    id: 'tpl_1',
    name: 'Spa ×5',
    description: '',
    type: 'OFFER',
    price: usd(15_000),
    items: [SERVICE_ITEM, CHOICE_ITEM, PRODUCT_ITEM],
    validity: { days: 30 },
    gracePeriodDays: 2,
    activation: 'ON_PURCHASE',
    restrictRedemptionToSellingBusiness: false,
    businessIds: [],
    archiveTime: null,
    createTime: 0,
    updateTime: 0,
    ...over,
  };
}

const NAMES = new Map([
  ['SERVICE:srv_a', 'Massage'],
  ['SERVICE:srv_b', 'Facial'],
  ['SERVICE:srv_c', 'Peel'],
  ['PRODUCT:prd_1', 'Oil'],
]);

function sale(over: Partial<PackageTemplate> = {}, command: Partial<SaleCommand> = {}): Decision {
  const t = template(over);
  return sell(
    {
      packageId: 'pkg_1',
      itemIds: t.items.map((_, n) => `psv_${n}`),
      template: t,
      business: { id: 'bus_1', timeZone: TZ, currencyCode: 'USD' },
      customerId: 'cus_1',
      staffId: null,
      names: NAMES,
      invoice: INVOICE,
      ...command,
    },
    SOLD_AT,
  );
}

const service = (id: string, name: string, durationMinutes: number): Service => ({
  companyId: 'cmp_1',
  id,
  name,
  durationMinutes,
  price: usd(0),
  businessIds: [],
  archiveTime: null,
  createTime: 0,
  updateTime: 0,
});
const product = (id: string, name: string): Product => ({ companyId: 'cmp_1', id, name, price: usd(0), businessIds: [], archiveTime: null, createTime: 0, updateTime: 0 });

const CATALOG: WebhookCatalog = {
  businessNames: new Map([
    ['bus_1', 'Shibuya'],
    ['bus_2', 'Honolulu'],
  ]),
  services: new Map([
    ['srv_a', service('srv_a', 'Massage', 60)],
    ['srv_b', service('srv_b', 'Facial', 45)],
    ['srv_c', service('srv_c', 'Peel', 30)],
  ]),
  products: new Map([['prd_1', product('prd_1', 'Oil')]]),
  staffNames: new Map([['stf_1', 'Aiko']]),
  timeZones: new Map([
    ['bus_1', TZ],
    ['bus_2', 'Pacific/Honolulu'],
  ]),
};

let seq = 0;
/** The history events a decision appends, as the application records them (its ids, its actor). */
const recorded = (d: Decision, actorStaffId: string | null = null): LedgerEvent[] =>
  d.events.map(
    (e) =>
      ({
        ...e,
        companyId: 'cmp_1',
        packageId: d.state.pkg.id,
        seq: ++seq,
        id: `evt_${seq}`,
        recordTime: e.time,
        businessId: d.state.pkg.businessId,
        actorKeyId: null,
        actorStaffId,
      }) as LedgerEvent,
  );
const only = (d: Decision, actorStaffId: string | null = null): LedgerEvent => {
  const events = recorded(d, actorStaffId);
  expect(events).toHaveLength(1);
  return events[0]!;
};
const view = (d: Decision, asOf: number): PackageView => viewAt(d.state, asOf);
const state = (d: Decision): PackageState => d.state;

let ids = 0;
const visit = (over: Partial<Parameters<typeof redeem>[1]> = {}) => ({
  redemptionId: `red_${++ids}`,
  serviceId: 'srv_a',
  quantity: 1,
  businessId: 'bus_1',
  staffId: 'stf_1',
  appointmentId: null,
  ...over,
});

/** The data of the one Zenoti event of a decision's one history event, as of `asOf`. */
function dataOf(d: Decision, asOf: number, staff: string | null = null) {
  const event = only(d, staff);
  const [type, ...more] = zenotiEventTypesOf(event);
  expect(more).toEqual([]);
  return zenotiWebhookData(type!, event, view(d, asOf), CATALOG);
}

describe('which Zenoti events a history event becomes', () => {
  it('maps each history event type, made by the domain, to its Zenoti event', () => {
    const sold = sale();
    const t0 = SOLD_AT + 1000;
    const redeemed = redeem(state(sold), visit(), t0);
    const held = redeem(state(redeemed), visit({ hold: true }), t0);
    const committed = commit(state(held), insertedRedemption(held), t0);
    const held2 = redeem(state(committed), visit({ hold: true }), t0);
    const released = release(state(held2), insertedRedemption(held2), t0);
    const held3 = redeem(state(released), visit({ hold: true, holdExpireTime: t0 + 60_000 }), t0);
    const lapsed = catchUp(state(held3), t0 + 60_001);
    const reversed = reverse(state(lapsed), insertedRedemption(redeemed), t0 + 60_001, 'mistake');
    const frozen = freeze(state(reversed), {}, t0 + 60_001);
    const unfrozen = unfreeze(state(frozen), t0 + 60_001); // the same day: no days counted, the expiration stays
    const extended = extend(state(unfrozen), '2026-12-31', t0 + 60_001);
    const adjusted = adjust(state(extended), { packageServiceId: 'psv_0', delta: 1, reason: 'goodwill' }, t0 + 60_001);
    const cancelled = cancel(state(adjusted), { refund: 'NONE', reason: 'moved' }, t0 + 60_001);
    const expired = catchUp(state(sale({ validity: { days: 1 } })), at('2026-04-30T00:00:00Z'));
    const soldEvent = only(sold);
    const imported = { ...soldEvent, type: 'IMPORTED', data: {} } as LedgerEvent;

    const history = [soldEvent, imported, ...[redeemed, held, committed, held2, released, lapsed, reversed, frozen, unfrozen, extended, adjusted, cancelled, expired].map((d) => only(d))];
    const mapped = Object.fromEntries(history.map((e) => [e.type, zenotiEventTypesOf(e)]));
    const expected: Record<EventType, ZenotiEventType[]> = {
      SOLD: ['GuestPackage.Created'],
      IMPORTED: ['GuestPackage.Created'],
      REDEEMED: ['GuestPackage.Redeemed'],
      COMMITTED: ['GuestPackage.Redeemed'],
      REVERSED: ['GuestPackage.RedemptionReversed'],
      FROZEN: ['GuestPackage.StatusUpdated'],
      UNFROZEN: ['GuestPackage.StatusUpdated'],
      CANCELLED: ['GuestPackage.StatusUpdated'],
      EXPIRED: ['GuestPackage.StatusUpdated'],
      HELD: ['GuestPackage.StatusUpdated'],
      RELEASED: ['GuestPackage.StatusUpdated'],
      HOLD_EXPIRED: ['GuestPackage.StatusUpdated'],
      ADJUSTED: ['GuestPackage.StatusUpdated'],
      EXTENDED: ['GuestPackage.ValidityUpdated'],
    };
    expect(Object.keys(mapped).sort()).toEqual([...EVENT_TYPES].sort());
    expect(mapped).toEqual(expected);
  });

  it('sends a status update and then a validity update for a freeze that moves the expiration, one for an open freeze', () => {
    const sold = state(sale());
    const dated = freeze(sold, { startDate: '2026-03-12', endDate: '2026-03-19' }, SOLD_AT);
    expect(only(dated)).toMatchObject({ type: 'FROZEN', data: { daysMoved: 7 } });
    expect(zenotiEventTypesOf(only(dated))).toEqual(['GuestPackage.StatusUpdated', 'GuestPackage.ValidityUpdated']);

    const open = freeze(sold, {}, SOLD_AT);
    expect(only(open)).toMatchObject({ type: 'FROZEN', data: { daysMoved: 0 } });
    expect(zenotiEventTypesOf(only(open))).toEqual(['GuestPackage.StatusUpdated']);

    // An open freeze ended after three days moves the expiration then.
    const ended = unfreeze(state(open), at('2026-03-14T03:00:00Z'));
    expect(only(ended)).toMatchObject({ type: 'UNFROZEN', data: { daysMoved: 3 } });
    expect(zenotiEventTypesOf(only(ended))).toEqual(['GuestPackage.StatusUpdated', 'GuestPackage.ValidityUpdated']);

    // Both messages carry the package as it is after the freeze: frozen, expiring a week later.
    const event = only(dated);
    const frozenNow = view(dated, at('2026-03-13T00:00:00Z'));
    const [status, validity] = zenotiEventTypesOf(event).map((type) => zenotiWebhookData(type, event, frozenNow, CATALOG));
    expect(status).toEqual(validity);
    expect(validity).toMatchObject({ status: 3, date: { end: '2026-04-17T00:00:00' } });
  });

  it('sends nothing for the correction of an expiry after a late visit, but the visit itself', () => {
    const sold = state(sale({ validity: { days: 1 } }));
    const expired = catchUp(sold, at('2026-03-20T00:00:00Z'));
    expect(zenotiEventTypesOf(only(expired))).toEqual(['GuestPackage.StatusUpdated']);
    const late = redeem(state(expired), visit({ redeemTime: at('2026-03-11T10:00:00Z') }), at('2026-03-20T00:00:00Z'));
    const [visitEvent, correction] = recorded(late);
    expect(correction).toMatchObject({ type: 'EXPIRED', data: { correction: true } });
    expect(zenotiEventTypesOf(correction!)).toEqual([]);
    expect(zenotiEventTypesOf(visitEvent!)).toEqual(['GuestPackage.Redeemed']);
  });
});

describe('the fields of every package event', () => {
  it('names the package, its invoice, its price and its selling center, with the purchase time local and without offset', () => {
    const sold = sale();
    const data = dataOf(sold, SOLD_AT);
    expect(data).toMatchObject({
      user_package_id: 'pkg_1',
      is_refunded: false,
      lookup_package_user_id: null,
      start_validity_at_first_redemption: false,
      never_expires: false,
      has_first_redemption: false,
      expiration_days: 30,
      invoice: { status: 4, receipt_no: 'R-77', id: 'inv_1', no: 'INV-0001' },
      package: { code: 'tpl_1', is_OTP_required: false, type: 2, id: 'tpl_1', name: 'Spa ×5' },
      purchase: { price: { currency_id: 840, sales: 150, tax: 0, final: 150 }, date: '2026-03-11T00:30:00' },
      schedule: { completed_schedules: 0, next_schedule_date: null },
      center: { id: 'bus_1', name: 'Shibuya' },
      sale_invoice: { id: 'inv_1', no: 'INV-0001' },
    });
  });

  it('dates the start, the expiration and the grace end at local midnight in the center’s zone', () => {
    const data = dataOf(sale(), SOLD_AT);
    // 30 days from 2026-03-11 00:30 Tokyo end at 2026-04-10 00:29:59 there (still 04-09 in UTC), plus 2 days of grace.
    expect(data.date).toEqual({ start: '2026-03-11T00:00:00', end: '2026-04-10T00:00:00', end_date_with_grace: '2026-04-12T00:00:00' });
  });

  it('says the same of the package as the guest packages list', () => {
    const sold = sale();
    const v = view(sold, SOLD_AT);
    const listed = guestPackageJson({ view: v, lifecycle: 'ACTIVE', redeemable: true }, CATALOG, 'bus_1');
    const data = dataOf(sold, SOLD_AT);
    for (const field of ['user_package_id', 'status', 'user_package_state', 'invoice', 'date', 'never_expires', 'start_validity_at_first_redemption', 'expiration_days'] as const) {
      expect(data[field], field).toEqual(listed[field]);
    }
    expect(data.package).toMatchObject(listed.package);
  });

  it('gives the status and state codes of the package after each change', () => {
    const sold = sale({ validity: { days: 5 } });
    expect(dataOf(sold, SOLD_AT)).toMatchObject({ status: 1, user_package_state: 1 });
    const held = redeem(state(sold), visit({ hold: true }), SOLD_AT);
    expect(dataOf(held, SOLD_AT)).toMatchObject({ status: 1, user_package_state: 2 });
    const frozen = freeze(state(sold), {}, SOLD_AT);
    expect(dataOf(frozen, SOLD_AT)).toMatchObject({ status: 3, user_package_state: 1 });
    const lapsedAt = at('2026-03-30T00:00:00Z');
    const expired = catchUp(state(sold), lapsedAt);
    expect(dataOf(expired, lapsedAt)).toMatchObject({ status: 5, user_package_state: 0 });
    const refunded = cancel(state(sold), { refund: 'FULL', reason: 'moved' }, SOLD_AT);
    expect(dataOf(refunded, SOLD_AT)).toMatchObject({ status: 6, user_package_state: 0, is_refunded: true });
    const unrefunded = cancel(state(sold), { refund: 'NONE', reason: 'moved' }, SOLD_AT);
    expect(dataOf(unrefunded, SOLD_AT)).toMatchObject({ status: 6, user_package_state: 0, is_refunded: false });
    const notStarted = sale({}, { startTime: SOLD_AT + 86_400_000 });
    expect(dataOf(notStarted, SOLD_AT)).toMatchObject({ status: 7, user_package_state: 1 });
  });

  it('says never_expires and no expiration_days for a package that never expires, and counts months in days', () => {
    const never = dataOf(sale({ validity: { never: true } }), SOLD_AT);
    expect(never).toMatchObject({ never_expires: true, expiration_days: null, date: { end: '9999-01-01T00:00:00' } });
    // One month from 2026-03-11 (Tokyo) is 31 days.
    expect(dataOf(sale({ validity: { months: 1 } }), SOLD_AT)).toMatchObject({ never_expires: false, expiration_days: 31 });
  });

  it('has no end yet, and is not "never expires", before the first visit of a package that starts then', () => {
    const firstUse = sale({ activation: 'ON_FIRST_REDEMPTION', validity: { days: 10 } });
    expect(dataOf(firstUse, SOLD_AT)).toMatchObject({ start_validity_at_first_redemption: true, never_expires: false, has_first_redemption: false, expiration_days: 10 });
    const used = redeem(state(firstUse), visit(), at('2026-03-15T02:00:00Z'));
    expect(dataOf(used, at('2026-03-15T02:00:00Z'))).toMatchObject({
      has_first_redemption: true,
      date: { start: '2026-03-15T00:00:00', end: '2026-03-25T00:00:00' },
    });
  });
});

describe('what each event adds', () => {
  it('lists the services on creation, as the guest packages list does', () => {
    const sold = sale();
    const data = dataOf(sold, SOLD_AT);
    if (!('services' in data)) throw new Error('a creation lists its services');
    const listed = guestPackageJson({ view: view(sold, SOLD_AT), lifecycle: 'ACTIVE', redeemable: true }, CATALOG, 'bus_1');
    expect(data.services).toEqual(listed.services);
    expect(data.services).toEqual([
      expect.objectContaining({
        service_type_info: { service_category_type: 2, id: 'srv_a', name: 'Massage', duration: 60, has_segments: false },
        total: 5,
        used: 0,
        balance: 5,
        balance_amount: 100,
        price: { currency_id: 840, sales: 20, tax: 0, final: 20 },
      }),
      expect.objectContaining({ service_type_info: { service_category_type: 1, id: 'psv_1', name: 'Facial / Peel', duration: 45, has_segments: false }, total: 2 }),
    ]);
    expect(data).not.toHaveProperty('service_redemptions');
  });

  it('gives a redemption its service, therapist, local usage time and center', () => {
    const sold = sale();
    const when = at('2026-03-12T11:30:00.250Z'); // 20:30:00.250 in Tokyo
    const redeemed = redeem(state(sold), visit({ serviceId: 'srv_b' }), when);
    const data = dataOf(redeemed, when, 'stf_1');
    expect(data).toMatchObject({ has_first_redemption: true, status: 1 });
    expect(data).toHaveProperty('product_redemptions', []);
    expect(data).toHaveProperty('service_redemptions', [
      {
        invoice: { status: 11, id: '', no: '', item_id: redeemed.events[0]!.redemptionId },
        service: { id: 'srv_b', name: 'Facial' },
        service_type_info: { service_category_type: 2, id: 'srv_b', name: 'Facial', duration: 45, has_segments: false },
        therapist: { id: 'stf_1', name: 'Aiko' },
        usage_date: '2026-03-12 20:30:00.250',
        center: { id: 'bus_1', name: 'Shibuya' },
      },
    ]);
  });

  it('gives one entry per unit, a committed hold its item, and a visit elsewhere that center and its local time', () => {
    const sold = sale();
    const held = redeem(state(sold), visit({ hold: true, quantity: 2, businessId: 'bus_2' }), SOLD_AT);
    const hold = insertedRedemption(held);
    const when = at('2026-03-11T06:00:00Z'); // 20:00 the day before in Honolulu
    const committed = commit(state(held), hold, when);
    const event = only(committed, 'stf_9');
    expect(event.type).toBe('COMMITTED');
    const data = zenotiWebhookData('GuestPackage.Redeemed', event, view(committed, when), CATALOG, hold);
    if (!('service_redemptions' in data)) throw new Error('a redemption lists its entries');
    expect(data.service_redemptions).toHaveLength(2);
    expect(data.service_redemptions[1]).toMatchObject({
      service: { id: 'srv_a', name: 'Massage' },
      therapist: { id: 'stf_9', name: '' },
      usage_date: '2026-03-10 20:00:00.000',
      center: { id: 'bus_2', name: 'Honolulu' },
    });
    // Without the redemption record, the package's center and zone are all the event tells.
    const bare = zenotiWebhookData('GuestPackage.Redeemed', event, view(committed, when), CATALOG);
    expect(bare).toHaveProperty(['service_redemptions', 0, 'center'], { id: 'bus_1', name: 'Shibuya' });
    expect(bare).toHaveProperty(['service_redemptions', 0, 'usage_date'], '2026-03-11 15:00:00.000');
  });

  it('lists a product redemption under product_redemptions', () => {
    const sold = sale();
    const when = at('2026-03-12T01:00:00Z');
    const redeemed = redeem(state(sold), visit({ serviceId: 'prd_1' }), when);
    const data = dataOf(redeemed, when, 'stf_1');
    expect(data).toHaveProperty('service_redemptions', []);
    expect(data).toHaveProperty('product_redemptions', [
      {
        invoice: { status: 11, id: '', no: '', item_id: redeemed.events[0]!.redemptionId },
        product: { id: 'prd_1', name: 'Oil' },
        product_type_info: { product_category_type: 2, name: 'Oil', id: 'prd_1' },
        therapist: { id: 'stf_1', name: 'Aiko' },
        usage_date: '2026-03-12 10:00:00.000',
        center: { id: 'bus_1', name: 'Shibuya' },
      },
    ]);
  });

  it('lists a reversal under service_redemptions_reversal, with the redemption it gives back', () => {
    const sold = sale();
    const redeemed = redeem(state(sold), visit({ quantity: 1 }), SOLD_AT);
    const used = insertedRedemption(redeemed);
    const when = at('2026-03-13T14:59:59Z'); // 23:59:59 in Tokyo
    const reversed = reverse(state(redeemed), used, when, 'cancelled visit');
    const data = dataOf(reversed, when, 'stf_1');
    expect(data).toMatchObject({ has_first_redemption: false, user_package_state: 1 });
    expect(data).toHaveProperty('product_redemptions_reversal', []);
    expect(data).toHaveProperty('service_redemptions_reversal', [
      {
        invoice: { status: 11, id: '', no: '', item_id: used.id },
        service: { id: 'srv_a', name: 'Massage' },
        service_type_info: { service_category_type: 2, id: 'srv_a', name: 'Massage', duration: 60, has_segments: false },
        therapist: { id: 'stf_1', name: 'Aiko' },
        usage_date: '2026-03-13 23:59:59.000',
        center: { id: 'bus_1', name: 'Shibuya' },
      },
    ]);
    expect(data).not.toHaveProperty('service_redemptions');
  });

  it('adds nothing to a status or validity update', () => {
    const extended = extend(state(sale()), '2026-12-31', SOLD_AT);
    const data = dataOf(extended, SOLD_AT);
    expect(data).toMatchObject({ date: { end: '2026-12-31T00:00:00', end_date_with_grace: '2027-01-02T00:00:00' } });
    expect(Object.keys(data)).toEqual([
      'user_package_id',
      'status',
      'user_package_state',
      'is_refunded',
      'lookup_package_user_id',
      'start_validity_at_first_redemption',
      'never_expires',
      'has_first_redemption',
      'expiration_days',
      'invoice',
      'package',
      'purchase',
      'date',
      'schedule',
      'center',
      'sale_invoice',
    ]);
  });
});
