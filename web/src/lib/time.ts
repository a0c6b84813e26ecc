// Dates as the business sees them: calendar dates (yyyy-MM-dd) are already local to the business; instants
// (RFC 3339, UTC) are shown in the business's time zone.
import type { Validity } from '../api/types';

export const NEVER = '9999-01-01';

function utcDate(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** "Nov 25, 2027" for a calendar date, "never" for 9999-01-01. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  if (date === NEVER) return 'never';
  const d = utcDate(date);
  return d ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(d) : date;
}

/** "Nov 25, 2026, 1:59 AM" in the given time zone. */
export function formatInstant(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
  } catch {
    return d.toISOString();
  }
}

/** Today's date (yyyy-MM-dd) in a time zone. */
export function todayIn(timeZone?: string, now: Date = new Date()): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const d = utcDate(date);
  if (!d) return date;
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** Adds calendar months, keeping the day or falling back to the month's last day (Jan 31 + 1 month = Feb 28). */
export function addMonths(date: string, months: number): string {
  const d = utcDate(date);
  if (!d) return date;
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return iso(d);
}

/** Whole days from one calendar date to another (negative when it is past). */
export function daysBetween(from: string, to: string): number {
  const a = utcDate(from);
  const b = utcDate(to);
  if (!a || !b) return 0;
  return Math.round((b.getTime() - a.getTime()) / 86_400_000);
}

export function validityText(v: Validity | null | undefined): string {
  if (!v) return '—';
  if (v.never) return 'never expires';
  if (v.days !== undefined) return v.days === 1 ? '1 day' : `${v.days} days`;
  if (v.months !== undefined) return v.months === 1 ? '1 month' : v.months % 12 === 0 ? `${v.months / 12} year${v.months === 12 ? '' : 's'}` : `${v.months} months`;
  return '—';
}

/** The expiration date a sale today would get: the date validity ends, in the business's zone. */
export function expirationPreview(v: Validity, today: string): string {
  if (v.never) return NEVER;
  if (v.days !== undefined) return addDays(today, v.days);
  if (v.months !== undefined) return addMonths(today, v.months);
  return NEVER;
}

/** "in 12 days", "tomorrow", "today", "3 days ago". */
export function relativeDays(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}
