import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import {
  add,
  addTotals,
  allocate,
  assertSameCurrency,
  compare,
  isCurrencyCode,
  isNegative,
  isZero,
  MAX_AMOUNT_MINOR,
  max,
  min,
  minorDigits,
  money,
  negateTotal,
  parseMoney,
  splitIntoUnits,
  subtract,
  sum,
  times,
  toDecimalNumber,
  toDecimalString,
  toGoogleMoney,
  total,
  totalToGoogleMoney,
  valueOfLastUnits,
  zero,
  type Money,
} from '../../src/domain/money.js';

const usd = (minor: number): Money => money('USD', minor);

/** The field of the INVALID_ARGUMENT refusal `fn` throws. */
function refusedField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('INVALID_ARGUMENT');
    return (e as DomainError).fieldViolations[0]?.field;
  }
  throw new Error('expected a refusal');
}

describe('currencies', () => {
  it('knows ISO 4217 codes and nothing else', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('BHD')).toBe(true);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode('ZZZ')).toBe(false);
    expect(isCurrencyCode('')).toBe(false);
    expect(isCurrencyCode('USDX')).toBe(false);
  });

  it('reads the minor-unit exponent of each currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
  });

  it('refuses to build money in an unknown currency or with a fractional amount', () => {
    expect(refusedField(() => money('ZZZ', 1))).toBe('currency');
    expect(refusedField(() => money('USD', 1.5))).toBe('minor');
    expect(refusedField(() => money('USD', 2 ** 53))).toBe('minor');
    expect(refusedField(() => minorDigits('nope'))).toBe('currency');
  });

  it('never hands out negative zero', () => {
    expect(Object.is(usd(-0).minor, 0)).toBe(true);
    expect(Object.is(subtract(usd(5), usd(5)).minor, 0)).toBe(true);
  });
});

describe('parseMoney', () => {
  it('reads units and nanos exactly', () => {
    expect(parseMoney({ currencyCode: 'USD', units: 150, nanos: 500_000_000 }, 'price')).toEqual(usd(15050));
    expect(parseMoney({ currencyCode: 'USD', units: '150' }, 'price')).toEqual(usd(15000));
    expect(parseMoney({ currencyCode: 'USD', units: '-3', nanos: -50_000_000 }, 'price')).toEqual(usd(-305));
    expect(parseMoney({ currencyCode: 'USD', units: 0, nanos: -50_000_000 }, 'price')).toEqual(usd(-5));
  });

  it('accepts snake_case currency_code', () => {
    expect(parseMoney({ currency_code: 'JPY', units: 1000 }, 'price')).toEqual(money('JPY', 1000));
  });

  it('treats omitted units and nanos as zero, as proto3 JSON omits defaults', () => {
    expect(parseMoney({ currencyCode: 'USD', nanos: 990_000_000 }, 'price')).toEqual(usd(99));
    expect(parseMoney({ currencyCode: 'USD' }, 'price')).toEqual(usd(0));
  });

  it('respects JPY and BHD exponents', () => {
    expect(parseMoney({ currencyCode: 'JPY', units: '12345' }, 'p')).toEqual(money('JPY', 12345));
    expect(parseMoney({ currencyCode: 'BHD', units: 1, nanos: 234_000_000 }, 'p')).toEqual(money('BHD', 1234));
  });

  it('refuses a missing, unknown or lowercase currency', () => {
    expect(refusedField(() => parseMoney({ units: 1 }, 'price'))).toBe('price.currencyCode');
    expect(refusedField(() => parseMoney({ currencyCode: 'XYZ', units: 1 }, 'price'))).toBe('price.currencyCode');
    expect(refusedField(() => parseMoney({ currencyCode: 'usd', units: 1 }, 'price'))).toBe('price.currencyCode');
  });

  it('refuses something that is not a Money object', () => {
    expect(refusedField(() => parseMoney(null, 'price'))).toBe('price');
    expect(refusedField(() => parseMoney('1.50 USD', 'price'))).toBe('price');
    expect(refusedField(() => parseMoney([], 'price'))).toBe('price');
  });

  it('refuses non-integer units', () => {
    for (const units of [1.5, '1.5', '1e3', '', ' 1', true, {}, Number.NaN, Infinity]) {
      expect(refusedField(() => parseMoney({ currencyCode: 'USD', units }, 'price'))).toBe('price.units');
    }
  });

  it('refuses amounts too large to hold exactly', () => {
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: '9007199254740991' }, 'p'))).toBe('p.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'JPY', units: 2 ** 53 }, 'p'))).toBe('p.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'JPY', units: '9'.repeat(40) }, 'p'))).toBe('p.units');
  });

  it('refuses nanos out of range, fractional or of the wrong sign', () => {
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 1, nanos: 1_000_000_000 }, 'p'))).toBe('p.nanos');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 0, nanos: -1_000_000_000 }, 'p'))).toBe('p.nanos');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 0, nanos: 0.5 }, 'p'))).toBe('p.nanos');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 1, nanos: -10_000_000 }, 'p'))).toBe('p.nanos');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: -1, nanos: 10_000_000 }, 'p'))).toBe('p.nanos');
  });

  it('refuses a value finer than the minor unit', () => {
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 1, nanos: 5_000_000 }, 'p'))).toBe('p.nanos');
    expect(refusedField(() => parseMoney({ currencyCode: 'JPY', units: 1, nanos: 500_000_000 }, 'p'))).toBe('p.nanos');
    expect(parseMoney({ currencyCode: 'BHD', units: 0, nanos: 1_000_000 }, 'p')).toEqual(money('BHD', 1));
  });

  it('takes one amount up to 1,000,000,000,000 minor units either way and refuses more, naming units', () => {
    expect(parseMoney({ currencyCode: 'USD', units: 10_000_000_000 }, 'p')).toEqual(usd(MAX_AMOUNT_MINOR));
    expect(parseMoney({ currencyCode: 'USD', units: '-10000000000' }, 'p')).toEqual(usd(-MAX_AMOUNT_MINOR));
    expect(parseMoney({ currencyCode: 'JPY', units: 1_000_000_000_000 }, 'p')).toEqual(money('JPY', 1_000_000_000_000));
    expect(parseMoney({ currencyCode: 'BHD', units: 999_999_999, nanos: 999_000_000 }, 'p')).toEqual(money('BHD', 999_999_999_999));
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 10_000_000_000, nanos: 10_000_000 }, 'price'))).toBe('price.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: -10_000_000_001 }, 'price'))).toBe('price.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'JPY', units: '1000000000001' }, 'price'))).toBe('price.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'BHD', units: 1_000_000_000, nanos: 1_000_000 }, 'price'))).toBe('price.units');
    expect(refusedField(() => parseMoney({ currencyCode: 'USD', units: 90_071_992_547_409, nanos: 910_000_000 }, 'price'))).toBe('price.units');
  });

  it('round-trips through google.type.Money for any amount it takes', () => {
    const amounts = fc.oneof(fc.integer({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }), fc.constantFrom(-MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR));
    fc.assert(
      fc.property(fc.constantFrom('USD', 'JPY', 'BHD'), amounts, (currency, minor) => {
        const m = money(currency, minor);
        const g = toGoogleMoney(m);
        expect(parseMoney(g, 'p')).toEqual(m);
        expect(parseMoney({ ...g, units: String(g.units) }, 'p')).toEqual(m);
      }),
    );
  });
});

describe('output', () => {
  it('gives negative values units and nanos that are both non-positive', () => {
    expect(toGoogleMoney(usd(-5))).toEqual({ currencyCode: 'USD', units: 0, nanos: -50_000_000 });
    expect(toGoogleMoney(usd(-15050))).toEqual({ currencyCode: 'USD', units: -150, nanos: -500_000_000 });
    expect(toGoogleMoney(money('JPY', 1000))).toEqual({ currencyCode: 'JPY', units: 1000, nanos: 0 });
    expect(toGoogleMoney(money('BHD', 1234))).toEqual({ currencyCode: 'BHD', units: 1, nanos: 234_000_000 });
  });

  it('writes decimal strings with the currency’s exponent', () => {
    expect(toDecimalString(usd(15000))).toBe('150.00');
    expect(toDecimalString(usd(-5))).toBe('-0.05');
    expect(toDecimalString(usd(0))).toBe('0.00');
    expect(toDecimalString(money('JPY', 1000))).toBe('1000');
    expect(toDecimalString(money('JPY', -7))).toBe('-7');
    expect(toDecimalString(money('BHD', 1))).toBe('0.001');
    expect(toDecimalString(usd(Number.MAX_SAFE_INTEGER))).toBe('90071992547409.91');
  });

  it('gives the nearest JSON number for Zenoti decimals', () => {
    expect(toDecimalNumber(usd(15050))).toBe(150.5);
    expect(toDecimalNumber(usd(-5))).toBe(-0.05);
    expect(toDecimalNumber(usd(10))).toBe(0.1);
  });
});

describe('exact totals', () => {
  const TWO_53 = 2n ** 53n;

  it('adds beyond what a double holds, to the minor unit', () => {
    const t = total('JPY', [TWO_53, 1n, 1n, 1n]);
    expect(t).toEqual({ currency: 'JPY', minor: TWO_53 + 3n });
    expect(addTotals(t, total('JPY', [-3n]))).toEqual({ currency: 'JPY', minor: TWO_53 });
    expect(negateTotal(t).minor).toBe(-(TWO_53 + 3n));
    expect(total('USD', [])).toEqual({ currency: 'USD', minor: 0n });
  });

  it('refuses to mix currencies or an unknown one', () => {
    expect(refusedField(() => addTotals(total('USD', [1n]), total('JPY', [1n])))).toBe('currency');
    expect(refusedField(() => total('ZZZ', [1n]))).toBe('currency');
  });

  it('writes units as a JSON number up to 2^53 and as a decimal string past it, as protobuf JSON writes int64', () => {
    expect(totalToGoogleMoney(total('JPY', [TWO_53]))).toEqual({ currencyCode: 'JPY', units: 2 ** 53, nanos: 0 });
    expect(totalToGoogleMoney(total('JPY', [TWO_53 + 1n]))).toEqual({ currencyCode: 'JPY', units: '9007199254740993', nanos: 0 });
    expect(totalToGoogleMoney(total('JPY', [-TWO_53]))).toEqual({ currencyCode: 'JPY', units: -(2 ** 53), nanos: 0 });
    expect(totalToGoogleMoney(total('JPY', [-TWO_53 - 1n]))).toEqual({ currencyCode: 'JPY', units: '-9007199254740993', nanos: 0 });
  });

  it('judges 2^53 by units, not minor units: cents past 2^53 still make a number of dollars', () => {
    expect(totalToGoogleMoney(total('USD', [TWO_53 + 1n]))).toEqual({ currencyCode: 'USD', units: 90_071_992_547_409, nanos: 930_000_000 });
    expect(totalToGoogleMoney(total('USD', [TWO_53 * 100n + 99n]))).toEqual({ currencyCode: 'USD', units: 2 ** 53, nanos: 990_000_000 });
    expect(totalToGoogleMoney(total('USD', [(TWO_53 + 1n) * 100n + 5n]))).toEqual({ currencyCode: 'USD', units: '9007199254740993', nanos: 50_000_000 });
    expect(totalToGoogleMoney(total('BHD', [-(TWO_53 + 1n) * 1000n - 7n]))).toEqual({ currencyCode: 'BHD', units: '-9007199254740993', nanos: -7_000_000 });
  });

  it('writes what toGoogleMoney writes for any single amount, and nothing but zero as zero', () => {
    fc.assert(
      fc.property(fc.constantFrom('USD', 'JPY', 'BHD'), fc.maxSafeInteger(), (currency, minor) => {
        expect(totalToGoogleMoney(total(currency, [BigInt(minor)]))).toEqual(toGoogleMoney(money(currency, minor)));
      }),
    );
    expect(Object.is(totalToGoogleMoney(total('USD', [5n, -5n])).units, 0)).toBe(true);
  });

  it('reads back exactly what it writes, in either form', () => {
    fc.assert(
      fc.property(fc.constantFrom('USD', 'JPY', 'BHD'), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (currency, minor) => {
        const g = totalToGoogleMoney(total(currency, [minor]));
        expect(typeof g.units === 'string').toBe(BigInt(g.units) > TWO_53 || BigInt(g.units) < -TWO_53);
        const perUnit = 10n ** BigInt(minorDigits(currency));
        expect(BigInt(g.units) * perUnit + (BigInt(g.nanos) * perUnit) / 1_000_000_000n).toBe(minor);
      }),
    );
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, multiplies and sums exactly', () => {
    expect(add(usd(10), usd(20))).toEqual(usd(30));
    expect(subtract(usd(10), usd(25))).toEqual(usd(-15));
    expect(times(usd(333), 3)).toEqual(usd(999));
    expect(sum('USD', [usd(1), usd(2), usd(3)])).toEqual(usd(6));
    expect(sum('USD', [])).toEqual(zero('USD'));
  });

  it('refuses to mix currencies', () => {
    expect(refusedField(() => add(usd(1), money('EUR', 1)))).toBe('currency');
    expect(refusedField(() => compare(usd(1), money('EUR', 1)))).toBe('currency');
    expect(refusedField(() => sum('USD', [usd(1), money('EUR', 1)]))).toBe('amounts[1]');
    expect(refusedField(() => assertSameCurrency(usd(1), money('JPY', 1), 'payment'))).toBe('payment');
    expect(() => assertSameCurrency(usd(1), usd(2))).not.toThrow();
  });

  it('refuses results too large to hold exactly', () => {
    expect(refusedField(() => add(usd(Number.MAX_SAFE_INTEGER), usd(1)))).toBe('amount');
    expect(refusedField(() => times(usd(2 ** 52), 2))).toBe('amount');
    expect(refusedField(() => times(usd(1), 1.5))).toBe('quantity');
  });

  it('compares and orders amounts', () => {
    expect(compare(usd(1), usd(2))).toBe(-1);
    expect(compare(usd(2), usd(2))).toBe(0);
    expect(compare(usd(3), usd(2))).toBe(1);
    expect(min(usd(1), usd(2))).toEqual(usd(1));
    expect(max(usd(1), usd(2))).toEqual(usd(2));
    expect(isZero(zero('JPY'))).toBe(true);
    expect(isNegative(usd(-1))).toBe(true);
    expect(isNegative(usd(0))).toBe(false);
  });
});

describe('allocate', () => {
  const totals = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
  const weights = fc.array(fc.nat({ max: 1_000_000_000_000 }), { maxLength: 20 });

  it('splits in proportion, giving ties to the earlier index', () => {
    expect(allocate(usd(100), [1, 1, 1]).map((m) => m.minor)).toEqual([34, 33, 33]);
    expect(allocate(usd(100), [1, 2]).map((m) => m.minor)).toEqual([33, 67]);
    expect(allocate(usd(5), [0, 3, 0, 1]).map((m) => m.minor)).toEqual([0, 4, 0, 1]);
    expect(allocate(usd(-100), [1, 1, 1]).map((m) => m.minor)).toEqual([-34, -33, -33]);
  });

  it('splits equally when all weights are zero, and returns nothing for no weights', () => {
    expect(allocate(usd(10), [0, 0, 0]).map((m) => m.minor)).toEqual([4, 3, 3]);
    expect(allocate(usd(10), [])).toEqual([]);
  });

  it('refuses negative or fractional weights', () => {
    expect(refusedField(() => allocate(usd(10), [1, -1]))).toBe('weights[1]');
    expect(refusedField(() => allocate(usd(10), [0.5]))).toBe('weights[0]');
  });

  it('makes parts that sum to the total', () => {
    fc.assert(
      fc.property(totals, weights, (total, ws) => {
        const parts = allocate(usd(total), ws);
        expect(parts).toHaveLength(ws.length);
        if (ws.length > 0) expect(sum('USD', parts)).toEqual(usd(total));
      }),
    );
  });

  it('keeps each part within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(totals, weights, (total, ws) => {
        const effective = ws.every((w) => w === 0) ? ws.map(() => 1) : ws;
        const weightSum = effective.reduce((s, w) => s + BigInt(w), 0n);
        allocate(usd(total), ws).forEach((part, i) => {
          // |part − total·w/W| < 1  ⇔  |part·W − total·w| < W
          const error = BigInt(part.minor) * weightSum - BigInt(total) * BigInt(effective[i]!);
          expect(error < weightSum && -error < weightSum).toBe(true);
        });
      }),
    );
  });

  it('never gives an earlier, heavier-or-equal weight less than a later one', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000_000 }), weights, (total, ws) => {
        const parts = allocate(usd(total), ws);
        for (let i = 0; i < ws.length; i++) {
          for (let j = i + 1; j < ws.length; j++) {
            if (ws[i]! >= ws[j]!) expect(parts[i]!.minor).toBeGreaterThanOrEqual(parts[j]!.minor);
            else expect(parts[i]!.minor).toBeLessThanOrEqual(parts[j]!.minor);
          }
        }
      }),
    );
  });

  it('is symmetric in sign', () => {
    fc.assert(
      fc.property(totals, weights, (total, ws) => {
        const negated = allocate(usd(-total), ws).map((m) => -m.minor || 0);
        expect(negated).toEqual(allocate(usd(total), ws).map((m) => m.minor));
      }),
    );
  });
});

describe('unit values', () => {
  it('gives the last unit the remainder', () => {
    expect(splitIntoUnits(usd(1000), 3)).toEqual({ unit: usd(333), last: usd(334) });
    expect(splitIntoUnits(usd(1001), 2)).toEqual({ unit: usd(501), last: usd(500) });
    expect(splitIntoUnits(usd(1000), 1)).toEqual({ unit: usd(1000), last: usd(1000) });
    expect(splitIntoUnits(money('JPY', 10000), 3)).toEqual({ unit: money('JPY', 3333), last: money('JPY', 3334) });
  });

  it('rounds half away from zero, so negative values split symmetrically', () => {
    expect(splitIntoUnits(usd(-1001), 2)).toEqual({ unit: usd(-501), last: usd(-500) });
  });

  it('rounds the unit down where rounding up would leave the last unit negative', () => {
    // 3¢ over 6 units: 1¢ each would leave −2¢ for the last; 0¢ each leaves the last 3¢.
    expect(splitIntoUnits(usd(3), 6)).toEqual({ unit: usd(0), last: usd(3) });
    expect(splitIntoUnits(usd(50), 30)).toEqual({ unit: usd(1), last: usd(21) });
  });

  it('values the last units left', () => {
    const value = usd(1000);
    expect(valueOfLastUnits(value, 3, 0)).toEqual(usd(0));
    expect(valueOfLastUnits(value, 3, -1)).toEqual(usd(0));
    expect(valueOfLastUnits(value, 3, 1)).toEqual(usd(334));
    expect(valueOfLastUnits(value, 3, 2)).toEqual(usd(667));
    expect(valueOfLastUnits(value, 3, 3)).toEqual(value);
    expect(valueOfLastUnits(value, 3, 5)).toEqual(value);
  });

  it('refuses a quantity below one', () => {
    expect(refusedField(() => splitIntoUnits(usd(1), 0))).toBe('quantity');
    expect(refusedField(() => valueOfLastUnits(usd(1), 1.5, 1))).toBe('quantity');
    expect(refusedField(() => valueOfLastUnits(usd(1), 2, 0.5))).toBe('remaining');
  });

  it('adds up: units before the last plus the last make the value, and the last r units are r unit values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: -2, max: 10_002 }),
        (minor, quantity, remaining) => {
          const value = usd(minor);
          const { unit, last } = splitIntoUnits(value, quantity);
          expect(add(times(unit, quantity - 1), last)).toEqual(value);
          // within one minor unit of the exact share (rounded half-up, or down to keep the last unit non-negative)
          expect(Math.abs(unit.minor * quantity - minor)).toBeLessThan(quantity);
          if (minor >= 0) expect(last.minor).toBeGreaterThanOrEqual(0);
          const left = valueOfLastUnits(value, quantity, remaining);
          const r = Math.min(Math.max(remaining, 0), quantity);
          expect(left).toEqual(r === 0 ? usd(0) : add(times(unit, r - 1), last));
          const used = subtract(value, left);
          expect(add(used, left)).toEqual(value);
          expect(used).toEqual(r === 0 ? value : times(unit, quantity - r));
        },
      ),
    );
  });
});
