import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import {
  assertRedeemable,
  chooseItem,
  expirationDate,
  graceEndTime,
  isFrozenAt,
  itemRemainingValue,
  lifecycleAt,
  outstandingValue,
  remainingValueAt,
  totalRemaining,
} from '../../src/domain/package.js';

import { at, item, pkg, usd } from '../support/domain-fixtures.js';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('FAILED_PRECONDITION');
    return (e as DomainError).reason;
  }
  return undefined;
}

describe('when a package expires', () => {
  it('dates the expiration in the business zone: endTime 2024-01-15T02:00Z is 2024-01-14 in Los Angeles', () => {
    expect(expirationDate(pkg())).toBe('2024-01-14');
  });

  it('stays redeemable through the whole local expiration date and stops at the next local midnight', () => {
    const p = pkg();
    expect(graceEndTime(p)).toBe(at('2024-01-15T08:00:00Z'));
    expect(lifecycleAt(p, at('2024-01-15T07:59:59Z'))).toBe('ACTIVE');
    expect(lifecycleAt(p, at('2024-01-15T08:00:00Z'))).toBe('EXPIRED');
  });

  it('adds the grace days after the expiration date', () => {
    const p = pkg({ gracePeriodDays: 3 });
    expect(graceEndTime(p)).toBe(at('2024-01-18T08:00:00Z'));
    expect(lifecycleAt(p, at('2024-01-18T07:00:00Z'))).toBe('ACTIVE');
    expect(lifecycleAt(p, at('2024-01-18T08:00:00Z'))).toBe('EXPIRED');
  });

  it('never expires without an end, and dates that as 9999-01-01', () => {
    const p = pkg({ endTime: null, validity: { never: true } });
    expect(expirationDate(p)).toBe('9999-01-01');
    expect(graceEndTime(p)).toBeNull();
    expect(lifecycleAt(p, at('2999-01-01T00:00:00Z'))).toBe('ACTIVE');
  });

  it('is decided by the moment, not by whether the expiry was written yet', () => {
    const written = pkg({ expiredTime: at('2024-01-15T08:00:00Z') });
    expect(lifecycleAt(written, at('2024-01-15T07:59:30Z'))).toBe('ACTIVE');
    expect(lifecycleAt(pkg(), at('2024-01-15T08:00:00Z'))).toBe('EXPIRED');
    expect(lifecycleAt(written, at('2024-01-15T08:00:00Z'))).toBe('EXPIRED');
  });

  it('expires on schedule when a freeze is only due to begin after grace has ended', () => {
    const p = pkg({ freeze: { startDate: '2024-01-20', endDate: null, reason: '', keepEndTime: null } });
    expect(lifecycleAt(p, at('2024-01-21T00:00:00Z'))).toBe('EXPIRED');
  });
});

describe('the lifecycle of a package', () => {
  const now = at('2023-06-01T18:00:00Z'); // 2023-06-01 in Los Angeles

  it('is NOT_STARTED before its start time', () => {
    expect(lifecycleAt(pkg({ startTime: at('2023-07-01T00:00:00Z') }), now)).toBe('NOT_STARTED');
  });

  it('is FROZEN from the freeze start date until the day before its end date', () => {
    const p = pkg({ freeze: { startDate: '2023-06-01', endDate: '2023-06-05', reason: '', keepEndTime: null } });
    expect(isFrozenAt(p, now)).toBe(true);
    expect(lifecycleAt(p, now)).toBe('FROZEN');
    expect(lifecycleAt(p, at('2023-06-05T06:59:59Z'))).toBe('FROZEN'); // still 06-04 in Los Angeles
    expect(lifecycleAt(p, at('2023-06-05T07:00:00Z'))).toBe('ACTIVE');
  });

  it('is not frozen before a freeze begins', () => {
    expect(lifecycleAt(pkg({ freeze: { startDate: '2023-06-02', endDate: null, reason: '', keepEndTime: null } }), now)).toBe('ACTIVE');
  });

  it('does not expire while frozen', () => {
    const p = pkg({ freeze: { startDate: '2024-01-01', endDate: null, reason: '', keepEndTime: null } });
    expect(lifecycleAt(p, at('2024-03-01T00:00:00Z'))).toBe('FROZEN');
  });

  it('is FULLY_REDEEMED when nothing is left or held, and CANCELLED above all', () => {
    expect(lifecycleAt(pkg({ items: [item({ used: 5 })] }), now)).toBe('FULLY_REDEEMED');
    expect(lifecycleAt(pkg({ items: [item({ used: 4, held: 1 })] }), now)).toBe('ACTIVE');
    expect(lifecycleAt(pkg({ cancelTime: now, items: [item({ used: 5 })] }), now)).toBe('CANCELLED');
  });
});

describe('whether a package may be redeemed', () => {
  const now = at('2023-06-01T18:00:00Z');

  it('names the reason for each state that forbids it', () => {
    expect(reasonOf(() => assertRedeemable(pkg(), now, 'bus_1'))).toBeUndefined();
    expect(reasonOf(() => assertRedeemable(pkg({ cancelTime: now }), now, 'bus_1'))).toBe('PACKAGE_CANCELLED');
    expect(reasonOf(() => assertRedeemable(pkg({ items: [item({ used: 5 })] }), now, 'bus_1'))).toBe('PACKAGE_FULLY_REDEEMED');
    expect(reasonOf(() => assertRedeemable(pkg({ freeze: { startDate: '2023-05-01', endDate: null, reason: '', keepEndTime: null } }), now, 'bus_1'))).toBe('PACKAGE_FROZEN');
    expect(reasonOf(() => assertRedeemable(pkg(), at('2024-02-01T00:00:00Z'), 'bus_1'))).toBe('PACKAGE_EXPIRED');
    expect(reasonOf(() => assertRedeemable(pkg({ startTime: at('2023-07-01T00:00:00Z') }), now, 'bus_1'))).toBe('PACKAGE_NOT_STARTED');
  });

  it('refuses another business only when the template restricts it', () => {
    expect(reasonOf(() => assertRedeemable(pkg(), now, 'bus_2'))).toBeUndefined();
    expect(reasonOf(() => assertRedeemable(pkg({ restrictToSellingBusiness: true }), now, 'bus_2'))).toBe('WRONG_BUSINESS');
    expect(reasonOf(() => assertRedeemable(pkg({ restrictToSellingBusiness: true }), now, 'bus_1'))).toBeUndefined();
  });
});

describe('choosing the item a service draws on', () => {
  const anyOf = item({ id: 'psv_any', position: 0, services: ['srv_a', 'srv_b'], quantity: 2 });
  const onlyA = item({ id: 'psv_a', position: 1, services: ['srv_a'], quantity: 1 });

  it('prefers the most specific item, so that "any of" items stay flexible', () => {
    expect(chooseItem(pkg({ items: [anyOf, onlyA] }), 'srv_a', 1).id).toBe('psv_a');
    expect(chooseItem(pkg({ items: [anyOf, onlyA] }), 'srv_b', 1).id).toBe('psv_any');
  });

  it('falls back to the next item offering the service when the first has too little', () => {
    expect(chooseItem(pkg({ items: [anyOf, item({ id: 'psv_a', position: 1, services: ['srv_a'], quantity: 1, used: 1 })] }), 'srv_a', 1).id).toBe('psv_any');
    expect(chooseItem(pkg({ items: [anyOf, onlyA] }), 'srv_a', 2).id).toBe('psv_any');
  });

  it('refuses a service the package does not include, and more than is left', () => {
    expect(reasonOf(() => chooseItem(pkg({ items: [anyOf, onlyA] }), 'srv_z', 1))).toBe('SERVICE_NOT_IN_PACKAGE');
    expect(reasonOf(() => chooseItem(pkg({ items: [anyOf, onlyA] }), 'srv_a', 3))).toBe('INSUFFICIENT_BALANCE');
  });
});

describe('what the unused part of a package is worth', () => {
  it('lets the last unit carry the remainder: $100 over 3 units is 33.33 + 33.33 + 33.34', () => {
    const i = (used: number) => item({ quantity: 3, used, value: usd(10_000), unitPrice: usd(3333) });
    expect([0, 1, 2, 3].map((u) => itemRemainingValue(i(u)).minor)).toEqual([10_000, 6667, 3334, 0]);
  });

  it('counts held units as unused, and goodwill units as worth nothing', () => {
    expect(itemRemainingValue(item({ quantity: 3, held: 2, value: usd(10_000) })).minor).toBe(10_000);
    expect(itemRemainingValue(item({ quantity: 3, total: 4, used: 1, value: usd(10_000) })).minor).toBe(10_000);
  });

  it('is nothing once cancelled or expired, whether or not the expiry was written', () => {
    const now = at('2023-06-01T18:00:00Z');
    expect(remainingValueAt(pkg({ cancelTime: 1 }), now).minor).toBe(0);
    expect(remainingValueAt(pkg(), now).minor).toBe(15_000);
    expect(remainingValueAt(pkg(), at('2024-02-01T00:00:00Z')).minor).toBe(0);
    expect(outstandingValue(pkg({ expiredTime: 1 })).minor).toBe(0);
  });

  it('gives free units no value: paid units are used first', () => {
    // 5 × $30 sold, 2 used, 2 goodwill units added: what is left is still 3 paid units.
    const goodwill = item({ quantity: 5, total: 7, free: 2, used: 2, value: usd(15_000), unitPrice: usd(3000) });
    expect(itemRemainingValue(goodwill).minor).toBe(9000);
    expect(itemRemainingValue({ ...goodwill, used: 5, remaining: 2 }).minor).toBe(0);
  });

  // $0.50 over 30 units: the unit price rounds up to 0.02, so after 26 units the "rest" would be 0.50 − 0.52.
  it('is never negative, even when the unit price rounds up (0.50 over 30 units)', () => {
    const i = (used: number) => item({ quantity: 30, used, value: usd(50), unitPrice: usd(2) });
    for (let used = 0; used <= 30; used++) expect(itemRemainingValue(i(used)).minor, `after ${used} used`).toBeGreaterThanOrEqual(0);
  });

  it('never goes negative or above the item value, and never grows as units are used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100 }), fc.nat(), (value, quantity, u) => {
        const used = u % (quantity + 1);
        const rest = itemRemainingValue(item({ quantity, used, value: usd(value) })).minor;
        expect(rest).toBeGreaterThanOrEqual(0);
        expect(rest).toBeLessThanOrEqual(value);
        // Using one more unit never makes what is left worth more.
        if (used < quantity) expect(itemRemainingValue(item({ quantity, used: used + 1, value: usd(value) })).minor).toBeLessThanOrEqual(rest);
      }),
    );
  });

  it('counts only service items in the total remaining quantity', () => {
    expect(totalRemaining(pkg({ items: [item({ quantity: 3 }), item({ id: 'ppr_1', kind: 'PRODUCT', quantity: 2, services: ['prd_1'] })] }))).toBe(3);
  });
});
