import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import { money, splitIntoUnits, type Money } from '../../src/domain/money.js';
import {
  allocateTemplatePrice,
  assertNotNewlyArchived,
  reallocate,
  salePrice,
  validityFromInput,
  type PackageTemplate,
  type PricedItemInput,
} from '../../src/domain/template.js';

const usd = (minor: number): Money => money('USD', minor);
const item = (listMinor: number, quantity = 1, given: number | null = null, n = 0): PricedItemInput => ({
  kind: 'SERVICE',
  refIds: [`srv_${n}`],
  quantity,
  givenUnitPrice: given === null ? null : usd(given),
  listUnitPrice: usd(listMinor),
  field: `items[${n}]`,
});
const minors = (ms: Money[]) => ms.map((m) => m.minor);

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('allocating a template price over its items', () => {
  it('splits $100 over three items of equal list price as 33.34, 33.33 and 33.33', () => {
    expect(minors(allocateTemplatePrice(usd(10_000), [item(2000, 1, null, 0), item(2000, 1, null, 1), item(2000, 1, null, 2)]))).toEqual([3334, 3333, 3333]);
  });

  it('weighs items by list price × quantity', () => {
    // $30 × 2 and $20 × 2: 60 : 40 of $90.
    expect(minors(allocateTemplatePrice(usd(9000), [item(3000, 2), item(2000, 2)]))).toEqual([5400, 3600]);
  });

  it('takes given unit prices exactly and allocates the rest over the other items', () => {
    // $10 × 2 given; the remaining $80 over $20 × 1 and $20 × 3.
    expect(minors(allocateTemplatePrice(usd(10_000), [item(5000, 2, 1000), item(2000, 1), item(2000, 3)]))).toEqual([2000, 2000, 6000]);
  });

  it('accepts unit prices given for every item when they add up to the price', () => {
    expect(minors(allocateTemplatePrice(usd(15_000), [item(2000, 5, 3000)]))).toEqual([15_000]);
  });

  it('refuses unit prices given for every item that do not add up to the price, naming items', () => {
    const e = refusal(() => allocateTemplatePrice(usd(15_000), [item(2000, 5, 2900)]));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.fieldViolations[0]!.field).toBe('items');
  });

  it('refuses given unit prices that add up to more than the price', () => {
    const e = refusal(() => allocateTemplatePrice(usd(1000), [item(2000, 1, 2000), item(2000, 1)]));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('splits equally when no item has a list price', () => {
    expect(minors(allocateTemplatePrice(usd(100), [item(0), item(0), item(0)]))).toEqual([34, 33, 33]);
  });

  it('allocates a free package as zero everywhere', () => {
    expect(minors(allocateTemplatePrice(usd(0), [item(2000), item(3000)]))).toEqual([0, 0]);
  });

  it('always adds up exactly to the price and never goes negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.record({ list: fc.integer({ min: 0, max: 100_000 }), quantity: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 8 }),
        (price, specs) => {
          const values = allocateTemplatePrice(usd(price), specs.map((s, n) => item(s.list, s.quantity, null, n)));
          expect(values.reduce((n, v) => n + v.minor, 0)).toBe(price);
          for (const v of values) expect(v.minor).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('an item value split into units', () => {
  it('gives $100 over 3 units a unit price of 33.33 and lets the last unit carry 33.34', () => {
    const { unit, last } = splitIntoUnits(usd(10_000), 3);
    expect([unit.minor, last.minor]).toEqual([3333, 3334]);
    expect(unit.minor * 2 + last.minor).toBe(10_000);
  });

  it('gives 33.34 over 3 units a unit price of 11.11 and a last unit of 11.12', () => {
    const { unit, last } = splitIntoUnits(usd(3334), 3);
    expect([unit.minor, last.minor]).toEqual([1111, 1112]);
  });
});

describe('re-spreading a different sale price', () => {
  it('spreads $50 over 33.34/33.33/33.33 in proportion, exactly', () => {
    const values = reallocate(usd(5000), [usd(3334), usd(3333), usd(3333)]);
    expect(minors(values)).toEqual([1667, 1667, 1666]);
  });

  it('keeps the proportions of a free template equal', () => {
    expect(minors(reallocate(usd(1000), [usd(0), usd(0)]))).toEqual([500, 500]);
  });

  it('always adds up to the sale price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 6 }), (price, values) => {
        expect(reallocate(usd(price), values.map(usd)).reduce((n, v) => n + v.minor, 0)).toBe(price);
      }),
    );
  });
});

describe('the price of a sale at a business', () => {
  /** A template whose items are worth these amounts (of one currency), priced at their sum. */
  function template(values: Money[]): PackageTemplate {
    return {
      companyId: 'cmp_1',
      id: 'tpl_1',
      name: 'Grooming',
      description: '',
      type: 'REGULAR',
      price: money(values[0]!.currency, values.reduce((n, v) => n + v.minor, 0)),
      items: values.map((value, n) => ({ kind: 'SERVICE', refIds: [`srv_${n}`], quantity: 3, givenUnitPrice: null, value })),
      validity: { days: 365 },
      gracePeriodDays: 0,
      activation: 'ON_PURCHASE',
      restrictRedemptionToSellingBusiness: false,
      businessIds: [],
      archiveTime: null,
      createTime: 0,
      updateTime: 0,
    };
  }
  const yen = (minor: number) => money('JPY', minor);
  const usdTemplate = template([usd(10_000), usd(5000)]); // $150: $100 and $50

  it("is the template's own price and values where the business sells in its currency", () => {
    const sale = salePrice(usdTemplate, 'USD');
    expect(sale.price).toEqual(usd(15_000));
    expect(sale.listPrice).toEqual(usd(15_000));
    expect(minors(sale.itemValues)).toEqual([10_000, 5000]);
  });

  it('spreads a different price in the same currency over the items in proportion to their values', () => {
    const sale = salePrice(usdTemplate, 'USD', usd(10_000));
    expect(sale.price).toEqual(usd(10_000));
    expect(sale.listPrice).toEqual(usd(15_000));
    expect(minors(sale.itemValues)).toEqual([6667, 3333]);
  });

  it('refuses a template priced in another currency than the business sells in, unless a price is given in it', () => {
    const e = refusal(() => salePrice(usdTemplate, 'JPY'));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.reason).toBe('CURRENCY_MISMATCH');
    // A price in the template's currency does not make it a yen package either.
    expect(refusal(() => salePrice(usdTemplate, 'JPY', usd(15_000))).reason).toBe('CURRENCY_MISMATCH');
  });

  it("takes a price in the business's currency for a template priced in another, spread like the template's values", () => {
    const sale = salePrice(usdTemplate, 'JPY', yen(20_000));
    expect(sale.price).toEqual(yen(20_000));
    // No list price exists in yen: the price given stands in for it, so the package holds one currency only.
    expect(sale.listPrice).toEqual(yen(20_000));
    expect(sale.itemValues).toEqual([yen(13_333), yen(6667)]);
  });

  it('refuses a price in a third currency, or one below zero, naming the field', () => {
    expect(refusal(() => salePrice(usdTemplate, 'USD', money('EUR', 100))).fieldViolations[0]!.field).toBe('price.currencyCode');
    expect(refusal(() => salePrice(usdTemplate, 'JPY', money('EUR', 100))).fieldViolations[0]!.field).toBe('price.currencyCode');
    expect(refusal(() => salePrice(usdTemplate, 'USD', usd(-1))).fieldViolations[0]!.field).toBe('price');
    expect(refusal(() => salePrice(usdTemplate, 'JPY', yen(-1))).fieldViolations[0]!.field).toBe('price');
  });

  it('always adds up to the price given, in its currency', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        (values, price) => {
          const sale = salePrice(template(values.map(usd)), 'JPY', yen(price));
          expect(sale.itemValues.every((v) => v.currency === 'JPY' && v.minor >= 0)).toBe(true);
          expect(sale.itemValues.reduce((n, v) => n + v.minor, 0)).toBe(price);
        },
      ),
    );
  });
});

describe('template validity', () => {
  it('takes days, months or never', () => {
    expect(validityFromInput({ days: 365 })).toEqual({ days: 365 });
    expect(validityFromInput({ months: 1 })).toEqual({ months: 1 });
    expect(validityFromInput({ never: true })).toEqual({ never: true });
  });

  it('refuses none, two at once, never: false and out-of-range counts, naming the field', () => {
    expect(refusal(() => validityFromInput({})).fieldViolations[0]!.field).toBe('validity');
    expect(refusal(() => validityFromInput({ days: 30, months: 1 })).fieldViolations[0]!.field).toBe('validity');
    expect(refusal(() => validityFromInput({ never: false })).fieldViolations[0]!.field).toBe('validity.never');
    expect(refusal(() => validityFromInput({ days: 0 })).fieldViolations[0]!.field).toBe('validity.days');
    expect(refusal(() => validityFromInput({ days: 1.5 })).fieldViolations[0]!.field).toBe('validity.days');
    expect(refusal(() => validityFromInput({ months: 0 })).fieldViolations[0]!.field).toBe('validity.months');
  });
});

describe('archived services and products in a template', () => {
  const archived = { id: 'srv_1', archiveTime: 1 };
  const thrown = (f: () => void): DomainError => {
    try {
      f();
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('not refused');
  };

  it('never puts an archived service or product into a template', () => {
    expect(thrown(() => assertNotNewlyArchived('SERVICE', archived, false, 'items[0].serviceIds'))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      reason: 'SERVICE_ARCHIVED',
      metadata: { serviceId: 'srv_1', field: 'items[0].serviceIds' },
    });
    expect(thrown(() => assertNotNewlyArchived('PRODUCT', { id: 'prd_1', archiveTime: 1 }, false, 'productItems[0].productId'))).toMatchObject({
      reason: 'PRODUCT_ARCHIVED',
      metadata: { productId: 'prd_1' },
    });
  });

  it('keeps one the template already holds, and takes any that is not archived', () => {
    expect(() => assertNotNewlyArchived('SERVICE', archived, true, 'items[0].serviceIds')).not.toThrow();
    expect(() => assertNotNewlyArchived('PRODUCT', { id: 'prd_1', archiveTime: null }, false, 'productItems[0].productId')).not.toThrow();
  });
});
