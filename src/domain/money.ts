// The only money arithmetic in the project. Amounts are integer minor units held in safe-integer numbers;
// anything that multiplies, divides or converts goes through BigInt so no step ever rounds in binary. Sums of
// unbounded many amounts (reports) are Totals, BigInt throughout.

import { invalidArgument } from './errors.js';

export interface Money {
  readonly currency: string;
  /** Integer minor units (cents for USD, yen for JPY, fils for BHD); always a safe integer. */
  readonly minor: number;
}

/** google.type.Money as we output it (units as a JSON number: our amounts are safe integers anyway). */
export interface GoogleMoney {
  currencyCode: string;
  units: number;
  nanos: number;
}

/** The most one amount from a client may be, in minor units, either sign (API.md, Conventions: Money). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

/**
 * An exact sum of many amounts, such as a report's column: it may pass what a double holds exactly, so it is
 * BigInt minor units. Only totals are kept so; a single amount stays a Money.
 */
export interface Total {
  readonly currency: string;
  readonly minor: bigint;
}

/** google.type.Money for a Total: int64 units as the protobuf JSON mapping writes them, a string past 2^53. */
export interface GoogleTotal {
  currencyCode: string;
  units: number | string;
  nanos: number;
}

const NANOS_PER_UNIT = 1_000_000_000n;
const MAX_NANOS = 999_999_999n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_AMOUNT = BigInt(MAX_AMOUNT_MINOR);
const MAX_JSON_UNITS = 2n ** 53n;

let knownCurrencies: ReadonlySet<string> | undefined;
const digitsCache = new Map<string, number>();

export function isCurrencyCode(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    requireCurrency(currency, 'currency');
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    // A google.type.Money cannot carry more than nine decimals; no ISO currency comes close.
    if (digits === undefined || digits > 9) throw invalidArgument('currency', `${currency} has an unsupported minor unit`);
    digitsCache.set(currency, digits);
  }
  return digits;
}

export function money(currency: string, minor: number): Money {
  requireCurrency(currency, 'currency');
  if (!Number.isSafeInteger(minor)) throw invalidArgument('minor', 'must be a safe integer number of minor units');
  return { currency, minor: minor === 0 ? 0 : minor }; // never hand out -0
}

export function zero(currency: string): Money {
  return money(currency, 0);
}

/**
 * Reads a google.type.Money in its protobuf JSON form (camelCase or snake_case, int64 units as number or string).
 * This is where money enters, so the bound on one amount is kept here: sums of bounded amounts stay far from
 * anything that rounds.
 */
export function parseMoney(input: unknown, field: string): Money {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument(field, 'must be a Money object {currencyCode, units, nanos}');
  }
  const o = input as Record<string, unknown>;
  const code = o['currencyCode'] ?? o['currency_code'];
  if (typeof code !== 'string' || code === '') throw invalidArgument(`${field}.currencyCode`, 'is required');
  requireCurrency(code, `${field}.currencyCode`);

  const units = parseJsonInteger(o['units'], `${field}.units`);
  const nanos = parseJsonInteger(o['nanos'], `${field}.nanos`);
  if (nanos < -MAX_NANOS || nanos > MAX_NANOS) {
    throw invalidArgument(`${field}.nanos`, 'must be between -999,999,999 and 999,999,999');
  }
  if ((units > 0n && nanos < 0n) || (units < 0n && nanos > 0n)) {
    throw invalidArgument(`${field}.nanos`, 'must have the same sign as units');
  }
  const digits = minorDigits(code);
  const nanosPerMinor = 10n ** BigInt(9 - digits);
  const totalNanos = units * NANOS_PER_UNIT + nanos;
  if (totalNanos % nanosPerMinor !== 0n) {
    throw invalidArgument(`${field}.nanos`, `is finer than the minor unit of ${code} (${digits} decimal places)`);
  }
  const minor = totalNanos / nanosPerMinor;
  if (minor > MAX_AMOUNT || minor < -MAX_AMOUNT) {
    throw invalidArgument(`${field}.units`, `must be at most ${MAX_AMOUNT_MINOR.toLocaleString('en')} minor units of ${code}`);
  }
  return fromBig(code, minor, `${field}.units`);
}

export function toGoogleMoney(m: Money): GoogleMoney {
  const perUnit = scale(m.currency);
  const minor = BigInt(m.minor);
  // BigInt division truncates toward zero, so units and nanos share the sign of the amount.
  const units = minor / perUnit;
  const nanos = (minor % perUnit) * (NANOS_PER_UNIT / perUnit);
  return { currencyCode: m.currency, units: Number(units), nanos: Number(nanos) };
}

/** An exact sum of minor-unit amounts (bigint, as storage sums them) in one currency. */
export function total(currency: string, minors: readonly bigint[]): Total {
  requireCurrency(currency, 'currency');
  return { currency, minor: minors.reduce((s, n) => s + n, 0n) };
}

export function addTotals(a: Total, b: Total): Total {
  if (a.currency !== b.currency) throw invalidArgument('currency', `currency mismatch: ${a.currency} and ${b.currency}`);
  return { currency: a.currency, minor: a.minor + b.minor };
}

export function negateTotal(t: Total): Total {
  return { currency: t.currency, minor: -t.minor };
}

/** As toGoogleMoney, with units a decimal string once |units| passes 2^53 (the protobuf JSON form of int64). */
export function totalToGoogleMoney(t: Total): GoogleTotal {
  const perUnit = scale(t.currency);
  const units = t.minor / perUnit;
  const nanos = (t.minor % perUnit) * (NANOS_PER_UNIT / perUnit);
  const inRange = units <= MAX_JSON_UNITS && units >= -MAX_JSON_UNITS;
  return { currencyCode: t.currency, units: inRange ? Number(units) : units.toString(), nanos: Number(nanos) };
}

export function toDecimalString(m: Money): string {
  const digits = minorDigits(m.currency);
  const text = Math.abs(m.minor).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return m.minor < 0 ? `-${body}` : body;
}

/**
 * The amount as a JSON number, e.g. 150.5. ONLY for emitting Zenoti's decimal fields in JSON: the result is the
 * double nearest the exact decimal, which is what a JSON decimal literal means. Never compute with it.
 */
export function toDecimalNumber(m: Money): number {
  return Number(toDecimalString(m));
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return fromBig(a.currency, BigInt(a.minor) + BigInt(b.minor), 'amount');
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return fromBig(a.currency, BigInt(a.minor) - BigInt(b.minor), 'amount');
}

export function times(m: Money, n: number): Money {
  if (!Number.isSafeInteger(n)) throw invalidArgument('quantity', 'must be an integer');
  return fromBig(m.currency, BigInt(m.minor) * BigInt(n), 'amount');
}

export function sum(currency: string, ms: readonly Money[]): Money {
  requireCurrency(currency, 'currency');
  let total = 0n;
  for (const [i, m] of ms.entries()) {
    if (m.currency !== currency) throw invalidArgument(`amounts[${i}]`, `currency ${m.currency} is not ${currency}`);
    total += BigInt(m.minor);
  }
  return fromBig(currency, total, 'amount');
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export function min(a: Money, b: Money): Money {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Money, b: Money): Money {
  return compare(a, b) >= 0 ? a : b;
}

export function isZero(m: Money): boolean {
  return m.minor === 0;
}

export function isNegative(m: Money): boolean {
  return m.minor < 0;
}

export function assertSameCurrency(a: Money, b: Money, field = 'currency'): void {
  if (a.currency !== b.currency) throw invalidArgument(field, `currency mismatch: ${a.currency} and ${b.currency}`);
}

/**
 * Splits `total` in proportion to non-negative integer weights by the largest-remainder method: every part is
 * its exact share rounded down, and the leftover minor units go one each to the largest remainders (earlier
 * index wins a tie). The parts always sum to `total`; all-zero weights split equally. A negative total is split
 * as its absolute value and negated, so allocation is symmetric in sign.
 */
export function allocate(total: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) return [];
  const ws = weights.map((w, i) => {
    if (!Number.isInteger(w) || w < 0) throw invalidArgument(`weights[${i}]`, 'must be a non-negative integer');
    return BigInt(w);
  });
  let weightSum = ws.reduce((s, w) => s + w, 0n);
  if (weightSum === 0n) {
    ws.fill(1n);
    weightSum = BigInt(ws.length);
  }
  const sign = total.minor < 0 ? -1n : 1n;
  const amount = BigInt(total.minor) * sign;
  const parts = ws.map((w) => (amount * w) / weightSum);
  const remainders = ws.map((w) => (amount * w) % weightSum);
  let leftover = amount - parts.reduce((s, p) => s + p, 0n);
  const order = ws.map((_, i) => i).sort((i, j) => {
    const ri = remainders[i]!;
    const rj = remainders[j]!;
    return ri === rj ? i - j : ri > rj ? -1 : 1;
  });
  for (const i of order) {
    if (leftover === 0n) break;
    parts[i]! += 1n;
    leftover -= 1n;
  }
  return parts.map((p) => fromBig(total.currency, p * sign, 'amount'));
}

export interface UnitSplit {
  /**
   * value / quantity rounded half-up (half away from zero for negative values) to the minor unit, or down where
   * rounding up would leave the last unit negative.
   */
  readonly unit: Money;
  /** value − unit × (quantity − 1): the last unit absorbs the rounding, so it may differ from `unit`. */
  readonly last: Money;
}

export function splitIntoUnits(value: Money, quantity: number): UnitSplit {
  const unit = unitValue(value, quantity);
  return { unit, last: fromBig(value.currency, BigInt(value.minor) - BigInt(unit.minor) * BigInt(quantity - 1), 'amount') };
}

/** The value of the last `remaining` of `quantity` units, so that used + left always add up to `value`. */
export function valueOfLastUnits(value: Money, quantity: number, remaining: number): Money {
  const unit = unitValue(value, quantity);
  if (!Number.isSafeInteger(remaining)) throw invalidArgument('remaining', 'must be an integer');
  if (remaining <= 0) return zero(value.currency);
  if (remaining >= quantity) return value;
  return fromBig(value.currency, BigInt(value.minor) - BigInt(unit.minor) * BigInt(quantity - remaining), 'amount');
}

function unitValue(value: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity) || quantity < 1) throw invalidArgument('quantity', 'must be an integer of at least 1');
  const n = BigInt(quantity);
  const sign = value.minor < 0 ? -1n : 1n;
  const abs = BigInt(value.minor) * sign;
  let rounded = abs / n + (2n * (abs % n) >= n ? 1n : 0n);
  // Rounding up can leave the last unit less than nothing (0.50 over 30 units: 29 × 0.02 > 0.50); then round
  // down instead, so every unit, the last included, is worth zero or more.
  if (rounded * (n - 1n) > abs) rounded = abs / n;
  return fromBig(value.currency, rounded * sign, 'amount');
}

function requireCurrency(code: string, field: string): void {
  if (!isCurrencyCode(code)) throw invalidArgument(field, `unknown ISO 4217 currency code "${String(code)}"`);
}

function scale(currency: string): bigint {
  return 10n ** BigInt(minorDigits(currency));
}

function fromBig(currency: string, minor: bigint, field: string): Money {
  if (minor > MAX_SAFE || minor < -MAX_SAFE) throw invalidArgument(field, 'amount is too large');
  return { currency, minor: Number(minor) };
}

/** An integer as the protobuf JSON mapping may send it: a number, a decimal string, or absent (zero). */
function parseJsonInteger(value: unknown, field: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw invalidArgument(field, 'must be an integer');
    if (!Number.isSafeInteger(value)) throw invalidArgument(field, 'amount is too large');
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) throw invalidArgument(field, 'amount is too large');
  throw invalidArgument(field, 'must be an integer');
}

export function negate(m: Money): Money {
  return money(m.currency, -m.minor);
}

/**
 * A decimal amount as people write it ("12.50", "-3", "1000.005" for KWD) in the given currency; no more
 * decimals than its minor unit, and within the one-amount bound. For query parameters and CSV cells.
 */
export function parseDecimalAmount(text: unknown, currency: string, field: string): Money {
  const digits = minorDigits(currency);
  const m = typeof text === 'string' ? /^(-?)(\d{1,16})(?:\.(\d+))?$/.exec(text.trim()) : null;
  if (!m) throw invalidArgument(field, 'must be a decimal amount such as 12.50');
  const [, sign, whole, fraction = ''] = m;
  if (fraction.length > digits) throw invalidArgument(field, `has more decimals than ${currency} has (${digits})`);
  const minor = BigInt(whole!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor > BigInt(MAX_AMOUNT_MINOR)) throw invalidArgument(field, `must be at most ${MAX_AMOUNT_MINOR} minor units of ${currency}`);
  return money(currency, Number(sign === '-' ? -minor : minor));
}
