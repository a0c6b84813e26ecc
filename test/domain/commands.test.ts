// Each command on a package, on its own: a pure function of the package (with its holds), the command and the
// instant. No database, no HTTP: what it decides is the whole answer.
import { describe, expect, it } from 'vitest';
import type { Decision, PackageState } from '../../src/domain/decision.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Money } from '../../src/domain/money.js';
import { money } from '../../src/domain/money.js';
import { expirationDate, lifecycleAt, outstandingValue, remainingValueAt } from '../../src/domain/package.js';
import { adjust, cancel, extend, freeze, refundPreview, unfreeze } from '../../src/domain/package-changes.js';
import { sell } from '../../src/domain/sale.js';
import type { PackageTemplate } from '../../src/domain/template.js';
import { catchUp } from '../../src/domain/time-passes.js';
import { commit, redeem, release, reverse } from '../../src/domain/visits.js';

const usd = (minor: number): Money => money('USD', minor);
const at = (iso: string) => Date.parse(iso);
const SOLD_AT = at('2026-03-10T15:00:00Z');

function template(over: Partial<PackageTemplate> = {}): PackageTemplate {
  return {
    companyId: 'cmp_1',
    id: 'tpl_1',
    name: 'Basic grooming ×5',
    description: '',
    type: 'REGULAR',
    price: usd(15_000),
    items: [{ kind: 'SERVICE', refIds: ['srv_a'], quantity: 5, givenUnitPrice: null, value: usd(15_000) }],
    validity: { days: 30 },
    gracePeriodDays: 0,
    activation: 'ON_PURCHASE',
    restrictRedemptionToSellingBusiness: false,
    businessIds: [],
    archiveTime: null,
    createTime: 0,
    updateTime: 0,
    ...over,
  };
}

/** A sold package's state, as the domain's own sale decides it. */
function sold(over: Partial<PackageTemplate> = {}, timeZone = 'UTC', now = SOLD_AT): PackageState {
  const t = template(over);
  return sell(
    { packageId: 'pkg_1', itemIds: t.items.map((_, n) => `psv_${n}`), template: t, business: { id: 'bus_1', timeZone, currencyCode: 'USD' }, customerId: 'cus_1', staffId: null, names: new Map() },
    now,
  ).state;
}

let ids = 0;
const visit = (over: Partial<Parameters<typeof redeem>[1]> = {}) => ({
  redemptionId: `red_${++ids}`,
  serviceId: 'srv_a',
  quantity: 1,
  businessId: 'bus_1',
  staffId: null,
  appointmentId: null,
  ...over,
});

/** The state after a decision, with the redemptions it inserted known by id (for commit, release, reverse). */
const after = (d: Decision): PackageState => d.state;
const inserted = (d: Decision) => d.redemptions.flatMap((w) => (w.kind === 'insert' ? [w.redemption] : []));
const types = (d: Decision) => d.events.map((e) => e.type);
const minor = (m: Money) => m.minor;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).reason ?? (e as DomainError).code;
  }
  throw new Error('expected a refusal');
}

describe('selling', () => {
  it('records SOLD with the price as the outstanding value, dated at the purchase', () => {
    const t = template();
    const d = sell({ packageId: 'p', itemIds: ['i'], template: t, business: { id: 'b', timeZone: 'UTC', currencyCode: 'USD' }, customerId: 'c', staffId: null, names: new Map(), purchaseTime: SOLD_AT - 1000 }, SOLD_AT);
    expect(d.events).toMatchObject([{ type: 'SOLD', time: SOLD_AT - 1000, valueDelta: usd(15_000), breakageDelta: usd(0), totalRemainingAfter: 5 }]);
    expect(d.state.pkg.endTime).toBe(at('2026-04-09T14:59:59Z'));
  });

  it('refuses a template in another currency unless a price in the business currency is given', () => {
    const t = template();
    const cmd = { packageId: 'p', itemIds: ['i'], template: t, business: { id: 'b', timeZone: 'Asia/Tokyo', currencyCode: 'JPY' }, customerId: 'c', staffId: null, names: new Map() };
    expect(refusal(() => sell(cmd, SOLD_AT))).toBe('CURRENCY_MISMATCH');
    const d = sell({ ...cmd, price: money('JPY', 20_000) }, SOLD_AT);
    expect(d.state.pkg.paid).toEqual(money('JPY', 20_000));
    expect(d.state.pkg.items[0]!.value).toEqual(money('JPY', 20_000));
  });
});

describe('redeeming', () => {
  it('uses units and records REDEEMED with the value they carried', () => {
    const d = redeem(sold(), visit({ quantity: 2 }), SOLD_AT + 1000);
    expect(d.moves).toEqual([{ kind: 'consume', itemId: 'psv_0', n: 2 }]);
    expect(d.events).toMatchObject([{ type: 'REDEEMED', quantity: 2, valueDelta: usd(-6000), totalRemainingAfter: 3 }]);
    expect(inserted(d)[0]).toMatchObject({ status: 'COMMITTED', value: usd(6000) });
  });

  it('starts the clock of a first-use package at the visit, by the calendar rule', () => {
    const state = sold({ activation: 'ON_FIRST_REDEMPTION', validity: { days: 10 } }, 'America/Los_Angeles');
    expect(state.pkg.startTime).toBeNull();
    const d = redeem(state, visit({ redeemTime: at('2027-03-10T20:00:00Z') }), at('2027-03-10T20:00:00Z'));
    expect(d.state.pkg.endTime).toBe(at('2027-03-20T19:00:00Z'));
    expect(d.events[0]).toMatchObject({ data: { activated: true } });
  });

  it('judges a late visit at its own time, even after the expiry was written, and corrects the breakage', () => {
    const state = sold({ validity: { days: 1 } });
    const expired = catchUp(state, at('2026-03-13T00:00:00Z'));
    expect(types(expired)).toEqual(['EXPIRED']);
    const d = redeem(after(expired), visit({ redeemTime: at('2026-03-11T23:59:30Z') }), at('2026-03-13T00:00:00Z'));
    expect(types(d)).toEqual(['REDEEMED', 'EXPIRED']);
    expect(d.events[0]).toMatchObject({ time: at('2026-03-11T23:59:30Z'), valueDelta: usd(-3000), breakageDelta: usd(0) });
    expect(d.events[1]).toMatchObject({ time: at('2026-03-12T00:00:00Z'), valueDelta: usd(3000), breakageDelta: usd(-3000), data: { correction: true } });
  });

  it('refuses a visit after grace, whether or not the expiry was written', () => {
    const state = sold({ validity: { days: 1 } });
    const now = at('2026-03-13T00:00:00Z');
    expect(refusal(() => redeem(state, visit(), now))).toBe('PACKAGE_EXPIRED');
    expect(refusal(() => redeem(after(catchUp(state, now)), visit(), now))).toBe('PACKAGE_EXPIRED');
  });

  it('refuses bad input before looking at the package', () => {
    expect(refusal(() => redeem(sold(), visit({ quantity: 0 }), SOLD_AT))).toBe('INVALID_ARGUMENT');
    expect(refusal(() => redeem(sold(), visit({ redeemTime: SOLD_AT + 3_600_000 }), SOLD_AT))).toBe('INVALID_ARGUMENT');
    expect(refusal(() => redeem(sold(), visit({ redeemTime: SOLD_AT - 1 }), SOLD_AT))).toBe('INVALID_ARGUMENT');
  });
});

describe('holds', () => {
  const held = () => redeem(sold(), visit({ hold: true, quantity: 2 }), SOLD_AT);

  it('reserves units without moving value; commit uses them and records their value', () => {
    const h = held();
    expect(h.events).toMatchObject([{ type: 'HELD', valueDelta: usd(0), totalRemainingAfter: 3 }]);
    const hold = inserted(h)[0]!;
    const c = commit(after(h), hold, SOLD_AT + 1000);
    expect(c.moves).toEqual([{ kind: 'commitHeld', itemId: 'psv_0', n: 2 }]);
    expect(c.redemptions).toEqual([{ kind: 'transition', id: hold.id, from: 'PENDING', to: 'COMMITTED', value: usd(6000) }]);
    expect(c.events).toMatchObject([{ type: 'COMMITTED', valueDelta: usd(-6000) }]);
  });

  it('gives units back on release, and on its own once it lapses (HOLD_EXPIRED at the hold expiry)', () => {
    const h = held();
    const hold = inserted(h)[0]!;
    expect(types(release(after(h), hold, SOLD_AT + 1000))).toEqual(['RELEASED']);
    const lapsed = catchUp(after(h), hold.holdExpireTime! + 1);
    expect(lapsed.events).toMatchObject([{ type: 'HOLD_EXPIRED', time: hold.holdExpireTime, quantity: 2 }]);
    expect(refusal(() => commit(after(h), hold, hold.holdExpireTime!))).toBe('HOLD_NOT_PENDING');
  });

  it('is released, not reversed (HOLD_PENDING)', () => {
    const h = held();
    expect(refusal(() => reverse(after(h), inserted(h)[0]!, SOLD_AT + 1000, 'no'))).toBe('HOLD_PENDING');
  });
});

describe('reversing', () => {
  it('gives a used visit back with its value, once', () => {
    const r = redeem(sold(), visit(), SOLD_AT);
    const used = inserted(r)[0]!;
    const d = reverse(after(r), used, SOLD_AT + 1000, 'cancelled visit');
    expect(d.events).toMatchObject([{ type: 'REVERSED', valueDelta: usd(3000), data: { reason: 'cancelled visit' } }]);
    expect(refusal(() => reverse(after(d), { ...used, status: 'REVERSED' }, SOLD_AT + 2000, 'again'))).toBe('ALREADY_REVERSED');
  });
});

describe('freezing', () => {
  it('moves the expiration by local dates at the same wall-clock time, across DST (Lord Howe, 30 minutes)', () => {
    // Lord Howe moves from +11:00 to +10:30 on 2027-04-04.
    const state = sold({ validity: { days: 20 } }, 'Australia/Lord_Howe', at('2027-03-20T01:00:00Z'));
    expect(expirationDate(state.pkg)).toBe('2027-04-09');
    const d = freeze(state, { startDate: '2027-03-25', endDate: '2027-03-30' }, at('2027-03-20T01:00:00Z'));
    expect(expirationDate(d.state.pkg)).toBe('2027-04-14');
    expect(d.state.pkg.endTime).toBe(at('2027-04-14T01:30:00Z')); // 12:00 local both times
    expect(d.events).toMatchObject([{ type: 'FROZEN', data: { daysMoved: 5 } }]);
  });

  it('refuses a second freeze, a start in the past, and a start after the last redeemable day', () => {
    const state = sold({ validity: { days: 5 } });
    const f = after(freeze(state, {}, SOLD_AT));
    expect(refusal(() => freeze(f, {}, SOLD_AT))).toBe('PACKAGE_FROZEN');
    expect(refusal(() => freeze(state, { startDate: '2026-03-09' }, SOLD_AT))).toBe('INVALID_ARGUMENT');
    expect(refusal(() => freeze(state, { startDate: '2026-03-16' }, SOLD_AT))).toBe('INVALID_ARGUMENT');
    expect(types(freeze(state, { startDate: '2026-03-15' }, SOLD_AT))).toEqual(['FROZEN']);
  });

  it('unfreeze keeps only the days a freeze lasted, calls off one to come, and says NOT_FROZEN otherwise', () => {
    const state = sold();
    const dated = after(freeze(state, { startDate: '2026-03-10', endDate: '2026-03-20' }, SOLD_AT));
    const early = unfreeze(dated, at('2026-03-13T09:00:00Z'));
    expect(expirationDate(early.state.pkg)).toBe('2026-04-12');
    expect(early.events).toMatchObject([{ type: 'UNFROZEN', data: { frozenDays: 3, daysMoved: -7, calledOff: false } }]);
    const scheduled = after(freeze(state, { startDate: '2026-03-15', endDate: '2026-03-20' }, SOLD_AT));
    const off = unfreeze(scheduled, SOLD_AT);
    expect(expirationDate(off.state.pkg)).toBe(expirationDate(state.pkg));
    expect(off.events).toMatchObject([{ data: { frozenDays: 0, calledOff: true } }]);
    expect(refusal(() => unfreeze(state, SOLD_AT))).toBe('PACKAGE_NOT_FROZEN');
    expect(refusal(() => unfreeze(dated, at('2026-03-21T00:00:00Z')))).toBe('PACKAGE_NOT_FROZEN');
  });

  it('a running freeze holds the clock: no expiry while it runs, whatever the time', () => {
    const state = after(freeze(sold({ validity: { days: 2 } }), {}, SOLD_AT));
    const later = at('2026-04-30T00:00:00Z');
    expect(catchUp(state, later).events).toEqual([]);
    expect(lifecycleAt(state.pkg, later)).toBe('FROZEN');
  });
});

describe('extending', () => {
  it('sets endTime to the last second of the local date and revives an expired package', () => {
    const state = after(catchUp(sold({ validity: { days: 1 } }), at('2026-03-20T00:00:00Z')));
    expect(outstandingValue(state.pkg)).toEqual(usd(0));
    const d = extend(state, '2026-04-30', at('2026-03-20T00:00:00Z'));
    expect(d.state.pkg.endTime).toBe(at('2026-04-30T23:59:59Z'));
    expect(d.events).toMatchObject([{ type: 'EXTENDED', valueDelta: usd(15_000), breakageDelta: usd(-15_000), data: { revived: true } }]);
  });

  it('takes only a later date, and is kept through a freeze that ends', () => {
    const state = sold();
    expect(refusal(() => extend(state, expirationDate(state.pkg), SOLD_AT))).toBe('INVALID_ARGUMENT');
    const frozen = after(freeze(state, { startDate: '2026-03-10', endDate: '2026-03-20' }, SOLD_AT));
    const extended = after(extend(frozen, '2028-05-18', SOLD_AT));
    expect(expirationDate(unfreeze(extended, SOLD_AT).state.pkg)).toBe('2028-05-18');
  });
});

describe('adjusting', () => {
  it('adds free units that carry no value, and removes free ones before paid ones', () => {
    const used = after(redeem(sold(), visit({ quantity: 2 }), SOLD_AT));
    const plus = adjust(used, { packageServiceId: 'psv_0', delta: 2, reason: 'goodwill' }, SOLD_AT);
    expect(plus.moves).toEqual([{ kind: 'adjust', itemId: 'psv_0', delta: 2, freeDelta: 2 }]);
    expect(plus.events).toMatchObject([{ type: 'ADJUSTED', valueDelta: usd(0) }]);
    expect(minor(outstandingValue(plus.state.pkg))).toBe(9000);
    const minus = adjust(after(plus), { packageServiceId: 'psv_0', delta: -3, reason: 'correction' }, SOLD_AT);
    expect(minus.moves).toEqual([{ kind: 'adjust', itemId: 'psv_0', delta: -3, freeDelta: -2 }]);
    expect(minus.events).toMatchObject([{ valueDelta: usd(-3000) }]);
  });

  it('answers NOT_FOUND for an unknown item and INSUFFICIENT_BALANCE below zero', () => {
    expect(refusal(() => adjust(sold(), { packageServiceId: 'psv_x', delta: 1, reason: '' }, SOLD_AT))).toBe('NOT_FOUND');
    expect(refusal(() => adjust(sold(), { packageServiceId: 'psv_0', delta: -6, reason: '' }, SOLD_AT))).toBe('INSUFFICIENT_BALANCE');
  });
});

describe('cancelling', () => {
  it('releases holds, refunds by the one rule, and takes the outstanding value out', () => {
    const h = redeem(after(redeem(sold(), visit(), SOLD_AT)), visit({ hold: true }), SOLD_AT);
    expect(minor(refundPreview(after(h), 'PRORATED', SOLD_AT))).toBe(12_000);
    const d = cancel(after(h), { refund: 'PRORATED', reason: 'moved away' }, SOLD_AT);
    expect(types(d)).toEqual(['RELEASED', 'CANCELLED']);
    expect(d.events[1]).toMatchObject({ refund: usd(12_000), valueDelta: usd(-12_000), breakageDelta: usd(0), data: { refundMode: 'PRORATED' } });
  });

  it('refunds nothing PRORATED once expired, and a given amount out of breakage', () => {
    const lapsedAt = at('2026-03-20T00:00:00Z');
    const state = sold({ validity: { days: 1 } });
    expect(remainingValueAt(state.pkg, lapsedAt)).toEqual(usd(0));
    const prorated = cancel(state, { refund: 'PRORATED', reason: '' }, lapsedAt);
    expect(types(prorated)).toEqual(['EXPIRED', 'CANCELLED']);
    expect(prorated.events[1]).toMatchObject({ refund: usd(0), valueDelta: usd(0), breakageDelta: usd(0) });
    const amount = cancel(state, { refund: { amount: usd(5000) }, reason: '' }, lapsedAt);
    expect(amount.events[1]).toMatchObject({ refund: usd(5000), valueDelta: usd(0), breakageDelta: usd(-5000) });
    expect(refusal(() => cancel(state, { refund: { amount: usd(15_001) }, reason: '' }, SOLD_AT))).toBe('INVALID_ARGUMENT');
  });
});

describe('time passing', () => {
  it('expires a package at its grace end with its value left as breakage, once', () => {
    const state = sold({ validity: { days: 1 }, gracePeriodDays: 2 });
    expect(catchUp(state, at('2026-03-13T23:59:59Z')).events).toEqual([]);
    const d = catchUp(state, at('2026-03-14T00:00:00Z'));
    expect(d.events).toMatchObject([{ type: 'EXPIRED', time: at('2026-03-14T00:00:00Z'), valueDelta: usd(-15_000), breakageDelta: usd(15_000) }]);
    expect(catchUp(after(d), at('2026-04-01T00:00:00Z')).events).toEqual([]);
  });
});
