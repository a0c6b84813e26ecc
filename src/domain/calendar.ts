// The only date arithmetic in the project. Instants are epoch milliseconds; local dates are 'yyyy-MM-dd'
// strings. Intl is asked for one thing only, a zone's UTC offset at an instant; everything else is integer
// arithmetic on the proleptic Gregorian calendar, so results never depend on the host's time zone.

import { invalidArgument } from './errors.js';

export type LocalDate = string;

/** The expiration date of a package that never expires (far enough out to sort after every real date). */
export const NEVER_EXPIRES: LocalDate = '9999-01-01';

export type Validity = { readonly days: number } | { readonly months: number } | { readonly never: true };

const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

export function isLocalDate(s: string): boolean {
  return typeof s === 'string' && civilOf(s) !== undefined;
}

export function parseLocalDate(s: unknown, field: string): LocalDate {
  if (typeof s !== 'string' || !isLocalDate(s)) throw invalidArgument(field, 'must be a calendar date yyyy-MM-dd');
  return s;
}

export function parseInstant(s: unknown, field: string): number {
  const bad = () => invalidArgument(field, 'must be an RFC 3339 timestamp such as 2023-01-15T10:00:00Z');
  const m = typeof s === 'string' ? INSTANT.exec(s) : null;
  if (!m) throw bad();
  const [, date, hh, mi, ss, fraction, zulu, sign, oh, om] = m;
  const day = civilOf(date!);
  const [h, min, sec] = [Number(hh), Number(mi), Number(ss)];
  // Leap seconds (:60) cannot be represented in epoch milliseconds; protobuf smears them, so we refuse them.
  if (!day || h > 23 || min > 59 || sec > 59) throw bad();
  let offsetMinutes = 0;
  if (!zulu) {
    if (Number(oh) > 23 || Number(om) > 59) throw bad();
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const millis = fraction ? Number(fraction.slice(1, 4).padEnd(3, '0')) : 0; // finer digits are truncated
  return (daysFromCivil(day) * 86_400 + h * 3600 + min * 60 + sec - offsetMinutes * 60) * 1000 + millis;
}

export function formatInstant(ms: number): string {
  requireInstant(ms);
  const text = `${formatCivil(civilFromDays(Math.floor(ms / MS_PER_DAY)))}T${formatTime(mod(ms, MS_PER_DAY))}`;
  return `${text}Z`;
}

export function localDateOf(ms: number, tz: string): LocalDate {
  return formatCivil(civilFromDays(Math.floor(wallClockOf(ms, tz) / MS_PER_DAY)));
}

/** The local wall-clock time without an offset, as Zenoti expects: "2023-01-15T18:00:00". */
export function localDateTimeOf(ms: number, tz: string): string {
  const wall = wallClockOf(ms, tz);
  const time = formatTime(mod(wall, MS_PER_DAY) - mod(wall, 1000)); // Zenoti's format has no fraction
  return `${formatCivil(civilFromDays(Math.floor(wall / MS_PER_DAY)))}T${time}`;
}

/** The instant the local day begins; when a DST gap swallows midnight, the first instant of that day. */
export function startOfLocalDay(date: LocalDate, tz: string): number {
  return instantOfWallClock(daysFromCivil(requireDate(date, 'date')) * MS_PER_DAY, tz);
}

export function addDays(date: LocalDate, n: number): LocalDate {
  requireInteger(n, 'days');
  return formatCivil(civilFromDays(daysFromCivil(requireDate(date, 'date')) + n), 'days');
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return daysFromCivil(requireDate(to, 'to')) - daysFromCivil(requireDate(from, 'from'));
}

/**
 * The one calendar rule for moving an end of validity: the same local wall-clock time in `tz`, `days` local
 * dates later (or earlier), across daylight-saving changes too. A wall-clock time skipped by DST resolves to
 * the first instant after the gap; a repeated one to its earlier occurrence.
 */
export function shiftDays(ms: number, days: number, tz: string): number {
  requireInteger(days, 'days');
  if (days === 0) return ms;
  const wall = wallClockOf(ms, tz);
  return instantOfWallClock(wall + days * MS_PER_DAY, tz);
}

/** As shiftDays, for an end of validity that may be null (never expires, or not started): null stays null. */
export const shiftEnd = (ms: number | null, days: number, tz: string): number | null => (ms === null ? null : shiftDays(ms, days, tz));

/**
 * The end of validity for a package bought at `startMs`: the same local wall-clock time in `tz` N days or N
 * months later (day of month clamped to the month's end), or null when it never expires.
 */
export function addValidity(startMs: number, validity: Validity, tz: string): number | null {
  if ('never' in validity) return null;
  if ('days' in validity) return shiftDays(startMs, requireCount(validity.days, 'validity.days'), tz);
  const wall = wallClockOf(startMs, tz);
  const day = Math.floor(wall / MS_PER_DAY);
  const timeOfDay = wall - day * MS_PER_DAY;
  const { y, m, d } = civilFromDays(day);
  const monthIndex = y * 12 + (m - 1) + requireCount(validity.months, 'validity.months');
  const [ty, tm] = [Math.floor(monthIndex / 12), mod(monthIndex, 12) + 1];
  const targetDay = daysFromCivil({ y: ty, m: tm, d: Math.min(d, daysInMonth(ty, tm)) });
  return instantOfWallClock(targetDay * MS_PER_DAY + timeOfDay, tz);
}

/** The last second of a local date (an extension's end of validity); null for the never-expires date. */
export function endOfLocalDate(date: LocalDate, tz: string): number | null {
  if (date === NEVER_EXPIRES) return null;
  return startOfLocalDay(addDays(date, 1), tz) - 1000;
}

export function expirationDateOf(endMs: number | null, tz: string): LocalDate {
  return endMs === null ? NEVER_EXPIRES : localDateOf(endMs, tz);
}

/** When redemption stops: the start of the day after the expiration date plus the grace days. */
export function graceEndOf(expirationDate: LocalDate, graceDays: number, tz: string): number | null {
  requireDate(expirationDate, 'expirationDate');
  requireCount(graceDays, 'graceDays');
  if (expirationDate === NEVER_EXPIRES) return null;
  return startOfLocalDay(addDays(expirationDate, 1 + graceDays), tz);
}

// --- time zones -------------------------------------------------------------------------------------------

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw invalidArgument('timeZone', `unknown IANA time zone "${String(tz)}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's offset from UTC at `ms`, in milliseconds (zones only ever shift by whole seconds). */
// Asking Intl costs microseconds and every package view asks several times, while offsets change only at
// transitions. Remember the offset of each quarter hour of a zone whose two ends agree (no transition inside).
const QUARTER_HOUR = 15 * 60 * 1000;
const offsetCache = new Map<string, number>();

function offsetAt(ms: number, tz: string): number {
  const bucket = Math.floor(ms / QUARTER_HOUR);
  const key = `${tz}|${bucket}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const start = bucket * QUARTER_HOUR;
  const offset = intlOffsetAt(ms, tz);
  if (intlOffsetAt(start, tz) === offset && intlOffsetAt(start + QUARTER_HOUR - 1, tz) === offset) {
    if (offsetCache.size >= 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

function intlOffsetAt(ms: number, tz: string): number {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(tz).formatToParts(ms)) fields[part.type] = part.value;
  const year = fields['era'] === 'BC' ? 1 - Number(fields['year']) : Number(fields['year']);
  const day = daysFromCivil({ y: year, m: Number(fields['month']), d: Number(fields['day']) });
  const wallSeconds = day * 86_400 + (Number(fields['hour']) % 24) * 3600 + Number(fields['minute']) * 60 + Number(fields['second']);
  return wallSeconds * 1000 - (ms - mod(ms, 1000));
}

/** The local wall-clock time at `ms`, expressed as if it were a UTC epoch millisecond. */
function wallClockOf(ms: number, tz: string): number {
  requireInstant(ms);
  return ms + offsetAt(ms, tz);
}

function instantOfWallClock(wall: number, tz: string): number {
  const before = offsetAt(wall - MS_PER_DAY, tz);
  const after = offsetAt(wall + MS_PER_DAY, tz);
  const candidates = [before, offsetAt(wall, tz), after]
    .map((offset) => wall - offset)
    .filter((instant) => wallClockOf(instant, tz) === wall);
  if (candidates.length > 0) return Math.min(...candidates); // ambiguous: the earlier occurrence
  // In a gap the clock jumped from `before` to `after`; the transition instant lies between the two readings.
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  const lateOffset = offsetAt(hi, tz);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid, tz) === lateOffset) hi = mid;
    else lo = mid;
  }
  return hi;
}

// --- civil calendar (Howard Hinnant's days_from_civil / civil_from_days) -----------------------------------

interface Civil {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

function daysFromCivil({ y, m, d }: Civil): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

function civilFromDays(days: number): Civil {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Years 0001–9999 only: the range of RFC 3339 and of google.protobuf.Timestamp. */
function civilOf(s: string): Civil | undefined {
  const match = LOCAL_DATE.exec(s);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

function formatCivil({ y, m, d }: Civil, field = 'instant'): LocalDate {
  if (y < 1 || y > 9999) throw invalidArgument(field, 'is outside the years 0001–9999');
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function formatTime(msOfDay: number): string {
  const [h, min, s, millis] = [Math.floor(msOfDay / 3_600_000), Math.floor(msOfDay / 60_000) % 60, Math.floor(msOfDay / 1000) % 60, msOfDay % 1000];
  return `${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}${millis === 0 ? '' : `.${pad(millis, 3)}`}`;
}

// --- argument checks --------------------------------------------------------------------------------------

function requireDate(date: LocalDate, field: string): Civil {
  const civil = typeof date === 'string' ? civilOf(date) : undefined;
  if (!civil) throw invalidArgument(field, 'must be a calendar date yyyy-MM-dd');
  return civil;
}

function requireInstant(ms: number): void {
  // ±8.64e15 ms is the range ECMAScript (and so Intl) can represent.
  if (!Number.isInteger(ms) || Math.abs(ms) > 8.64e15) {
    throw invalidArgument('instant', 'must be an integer number of epoch milliseconds');
  }
}

function requireInteger(n: number, field: string): number {
  if (!Number.isSafeInteger(n)) throw invalidArgument(field, 'must be an integer');
  return n;
}

function requireCount(n: number, field: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(field, 'must be a non-negative integer');
  return n;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const mod = (a: number, b: number): number => ((a % b) + b) % b;
