import { describe, expect, it } from 'vitest';
import { compareMoney, formatMoney, moneyToDecimal, parseMoneyInput } from '../src/lib/money';
import { addDays, addMonths, daysBetween, expirationPreview, formatDate, relativeDays, todayIn, validityText } from '../src/lib/time';
import { parseRoute } from '../src/lib/router';
import { slugId } from '../src/lib/ids';

describe('money', () => {
  it('turns google.type.Money into an exact decimal', () => {
    expect(moneyToDecimal({ currencyCode: 'USD', units: 150, nanos: 0 })).toBe('150');
    expect(moneyToDecimal({ currencyCode: 'USD', units: 12, nanos: 500_000_000 })).toBe('12.5');
    expect(moneyToDecimal({ currencyCode: 'USD', units: -28, nanos: -10_000_000 })).toBe('-28.01');
    expect(moneyToDecimal({ currencyCode: 'USD', units: '9007199254740993', nanos: 10_000_000 })).toBe('9007199254740993.01');
  });

  it('formats with the currency', () => {
    expect(formatMoney({ currencyCode: 'USD', units: 150, nanos: 0 })).toMatch(/\$150\.00/);
    expect(formatMoney({ currencyCode: 'JPY', units: 1500, nanos: 0 })).toMatch(/1,500/);
    expect(formatMoney(null)).toBe('—');
  });

  it('reads what a person types, refusing what is not an amount', () => {
    expect(parseMoneyInput('150', 'USD')).toEqual({ currencyCode: 'USD', units: '150', nanos: 0 });
    expect(parseMoneyInput('$1,234.5', 'USD')).toEqual({ currencyCode: 'USD', units: '1234', nanos: 500_000_000 });
    expect(parseMoneyInput('0.07', 'USD')).toEqual({ currencyCode: 'USD', units: '0', nanos: 70_000_000 });
    expect(parseMoneyInput('1.005', 'USD')).toBeNull();
    expect(parseMoneyInput('10.5', 'JPY')).toBeNull();
    expect(parseMoneyInput('abc', 'USD')).toBeNull();
    expect(parseMoneyInput('-5', 'USD')).toBeNull();
    expect(parseMoneyInput('-5', 'USD', { allowNegative: true })).toEqual({ currencyCode: 'USD', units: '-5', nanos: -0 });
  });

  it('compares amounts exactly', () => {
    expect(compareMoney({ currencyCode: 'USD', units: 10, nanos: 1 }, { currencyCode: 'USD', units: 10, nanos: 0 })).toBe(1);
    expect(compareMoney({ currencyCode: 'USD', units: '10', nanos: 0 }, { currencyCode: 'USD', units: 10, nanos: 0 })).toBe(0);
  });
});

describe('dates', () => {
  it('shows calendar dates as they are, whatever the browser zone', () => {
    expect(formatDate('2027-11-25')).toMatch(/Nov 25, 2027/);
    expect(formatDate('9999-01-01')).toBe('never');
  });

  it("knows today's date in the business's zone", () => {
    const instant = new Date('2026-03-10T05:00:00Z');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-03-09');
    expect(todayIn('Asia/Tokyo', instant)).toBe('2026-03-10');
  });

  it('adds days and months on the calendar', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(relativeDays(0)).toBe('today');
    expect(relativeDays(-3)).toBe('3 days ago');
  });

  it('previews the expiration of a sale today', () => {
    expect(expirationPreview({ days: 365 }, '2026-01-15')).toBe('2027-01-15');
    expect(expirationPreview({ months: 6 }, '2026-08-31')).toBe('2027-02-28');
    expect(expirationPreview({ never: true }, '2026-01-15')).toBe('9999-01-01');
    expect(validityText({ months: 12 })).toBe('1 year');
    expect(validityText({ days: 90 })).toBe('90 days');
  });
});

describe('routes and ids', () => {
  it('reads the paths the server falls back to index.html for', () => {
    expect(parseRoute('/')).toEqual({ name: 'customers' });
    expect(parseRoute('/customers/cus_1')).toEqual({ name: 'customers', customerId: 'cus_1' });
    expect(parseRoute('/packages/pkg_%41')).toEqual({ name: 'package', packageId: 'pkg_A' });
    expect(parseRoute('/catalog')).toEqual({ name: 'catalog' });
    expect(parseRoute('/nope/x/y')).toEqual({ name: 'notFound' });
  });

  it('makes ids the API accepts', () => {
    const id = slugId('cus', 'Zoë O’Brien-Smith');
    expect(id).toMatch(/^cus_zoe_o_brien_smith_[a-z2-9]{6}$/);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(slugId('cus', '日本')).toMatch(/^cus_[a-z2-9]{6}$/);
  });
});
