// google.type.Money for display and input, exact: amounts travel as decimal strings, never as binary floats.
import type { Money } from '../api/types';

const NANOS = 1_000_000_000n;

function totalNanos(m: Money): bigint {
  return BigInt(m.units) * NANOS + BigInt(m.nanos ?? 0);
}

/** "150", "-12.5": the exact amount as a decimal string. */
export function moneyToDecimal(m: Money): string {
  const total = totalNanos(m);
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const whole = (abs / NANOS).toString();
  const fraction = (abs % NANOS).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function minorDigits(currencyCode: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "$150.00" in the browser's language. */
export function formatMoney(m: Money | null | undefined): string {
  if (!m || !m.currencyCode) return '—';
  const decimal = moneyToDecimal(m);
  try {
    // Intl takes a decimal string exactly (ES2023), so a large amount never rounds through a float.
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currencyCode }).format(decimal as unknown as number);
  } catch {
    return `${decimal} ${m.currencyCode}`;
  }
}

export function isZero(m: Money | null | undefined): boolean {
  return !m || totalNanos(m) === 0n;
}

export function compareMoney(a: Money, b: Money): number {
  const d = totalNanos(a) - totalNanos(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Reads what a person typed ("150", "150.5", "$1,234.50") as Money in the given currency, or null when it
 * is not an amount (or has more decimals than the currency has).
 */
export function parseMoneyInput(text: string, currencyCode: string, options: { allowNegative?: boolean } = {}): Money | null {
  const cleaned = text.replace(/[\s,$€£¥]/g, '');
  const match = /^(-?)(\d{1,15})(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (sign && !options.allowNegative) return null;
  if (fraction.length > minorDigits(currencyCode)) return null;
  const nanos = Number(fraction.padEnd(9, '0').slice(0, 9));
  const negative = sign === '-' && (whole !== '0'.repeat(whole!.length) || nanos !== 0);
  return { currencyCode, units: negative ? `-${BigInt(whole!)}` : String(BigInt(whole!)), nanos: negative ? -nanos : nanos };
}

/** Money as a number of minor units, for charts only (never for arithmetic that is shown as money). */
export function moneyToNumber(m: Money): number {
  return Number(moneyToDecimal(m));
}

/** The exact sum of amounts in one currency (a zero in that currency for none). */
export function sumMoney(currencyCode: string, amounts: Money[]): Money {
  const total = amounts.reduce((n, m) => n + totalNanos(m), 0n);
  const units = total / NANOS;
  const nanos = Number(total % NANOS);
  return { currencyCode, units: units >= BigInt(Number.MIN_SAFE_INTEGER) && units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : units.toString(), nanos };
}

/** a + b − c…: each amount with its sign. */
export function combineMoney(currencyCode: string, terms: [1 | -1, Money][]): Money {
  return sumMoney(
    currencyCode,
    terms.map(([sign, m]) => (sign === 1 ? m : { currencyCode: m.currencyCode, units: (-BigInt(m.units)).toString(), nanos: -(m.nanos ?? 0) })),
  );
}

export const sameMoney = (a: Money, b: Money) => totalNanos(a) === totalNanos(b);
