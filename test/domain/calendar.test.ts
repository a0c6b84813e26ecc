import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import {
  NEVER_EXPIRES,
  addDays,
  addValidity,
  daysBetween,
  expirationDateOf,
  formatInstant,
  graceEndOf,
  isLocalDate,
  isValidTimeZone,
  localDateOf,
  localDateTimeOf,
  parseInstant,
  parseLocalDate,
  startOfLocalDay,
} from '../../src/domain/calendar.js';
import { FixedClock, systemClock } from '../../src/domain/clock.js';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LA = 'America/Los_Angeles';
const HOUR = 3_600_000;
const at = (rfc3339: string): number => parseInstant(rfc3339, 'at');

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

describe('time zones and local dates', () => {
  it('accepts IANA zones and rejects garbage', () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('not a zone')).toBe(false);
  });

  it('accepts only real calendar dates written yyyy-MM-dd', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate(NEVER_EXPIRES)).toBe(true);
    for (const s of ['2023-02-29', '2023-02-30', '2023-13-01', '2023-00-10', '2023-1-5', '20230115', '2023-01-15T00:00:00Z', '0000-01-01', '']) {
      expect(isLocalDate(s)).toBe(false);
    }
  });

  it('refuses a malformed local date with the field named', () => {
    expect(parseLocalDate('2023-01-15', 'startDate')).toBe('2023-01-15');
    expect(refusedField(() => parseLocalDate('2023-02-30', 'startDate'))).toBe('startDate');
    expect(refusedField(() => parseLocalDate(20230115, 'startDate'))).toBe('startDate');
  });

  it('refuses an unknown time zone wherever one is used', () => {
    expect(refusedField(() => localDateOf(0, 'Nowhere/Land'))).toBe('timeZone');
    expect(refusedField(() => startOfLocalDay('2023-01-15', ''))).toBe('timeZone');
  });

  it('adds and counts calendar days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2023-01-01', -1)).toBe('2022-12-31');
    expect(daysBetween('2023-01-15', '2024-01-15')).toBe(365);
    expect(daysBetween('2024-01-15', '2023-01-15')).toBe(-365);
    expect(refusedField(() => addDays('2023-01-01', 0.5))).toBe('days');
    expect(refusedField(() => daysBetween('2023-01-01', 'soon'))).toBe('to');
  });

  it('keeps addDays and daysBetween inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_800_000 }), fc.integer({ min: -100_000, max: 100_000 }), (offset, n) => {
        const from = addDays('1900-01-01', offset);
        const to = addDays(from, n);
        expect(isLocalDate(to)).toBe(true);
        expect(daysBetween(from, to)).toBe(n);
      }),
    );
  });
});

describe('instants', () => {
  it('parses RFC 3339 with Z or an offset', () => {
    expect(at('2023-01-15T10:00:00Z')).toBe(Date.UTC(2023, 0, 15, 10));
    expect(at('2023-01-15T10:00:00.123+02:00')).toBe(Date.UTC(2023, 0, 15, 8, 0, 0, 123));
    expect(at('2023-01-15T10:00:00-05:30')).toBe(Date.UTC(2023, 0, 15, 15, 30));
    expect(at('2023-01-15T10:00:00.5Z')).toBe(Date.UTC(2023, 0, 15, 10, 0, 0, 500));
    expect(at('2023-01-15T10:00:00.123456789Z')).toBe(Date.UTC(2023, 0, 15, 10, 0, 0, 123));
  });

  it('refuses anything else', () => {
    for (const s of [
      '2023-01-15',
      '2023-01-15T10:00:00',
      '2023-01-15 10:00:00Z',
      '2023-01-15T10:00Z',
      '2023-02-30T10:00:00Z',
      '2023-01-15T24:00:00Z',
      '2023-01-15T10:60:00Z',
      '2023-12-31T23:59:60Z',
      '2023-01-15T10:00:00+0200',
      '2023-01-15T10:00:00+24:00',
      '2023-01-15T10:00:00.Z',
      1673776800000,
      null,
    ]) {
      expect(refusedField(() => parseInstant(s, 'soldAt'))).toBe('soldAt');
    }
  });

  it('formats UTC without millis when they are zero', () => {
    expect(formatInstant(Date.UTC(2023, 0, 15, 10))).toBe('2023-01-15T10:00:00Z');
    expect(formatInstant(Date.UTC(2023, 0, 15, 10, 0, 0, 123))).toBe('2023-01-15T10:00:00.123Z');
    expect(formatInstant(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(refusedField(() => formatInstant(Number.NaN))).toBe('instant');
  });

  it('round-trips any instant through its RFC 3339 form', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(at(formatInstant(ms))).toBe(ms);
      }),
    );
  });

  it('gives the local date and wall-clock time in a zone', () => {
    const ms = at('2023-01-15T02:00:00Z');
    expect(localDateOf(ms, LA)).toBe('2023-01-14');
    expect(localDateOf(ms, 'UTC')).toBe('2023-01-15');
    expect(localDateTimeOf(ms, LA)).toBe('2023-01-14T18:00:00');
    expect(localDateTimeOf(at('2023-07-01T10:00:00.123Z'), BERLIN)).toBe('2023-07-01T12:00:00');
  });
});

describe('DST in America/New_York', () => {
  it('starts the spring-forward day at midnight EST and the next day at midnight EDT', () => {
    expect(formatInstant(startOfLocalDay('2023-03-12', NY))).toBe('2023-03-12T05:00:00Z');
    expect(startOfLocalDay('2023-03-13', NY) - startOfLocalDay('2023-03-12', NY)).toBe(23 * HOUR);
  });

  it('makes the fall-back day 25 hours long', () => {
    expect(formatInstant(startOfLocalDay('2023-11-05', NY))).toBe('2023-11-05T04:00:00Z');
    expect(startOfLocalDay('2023-11-06', NY) - startOfLocalDay('2023-11-05', NY)).toBe(25 * HOUR);
  });

  it('keeps the wall-clock time across spring forward, so the UTC offset changes', () => {
    const end = addValidity(at('2023-03-11T12:00:00-05:00'), { days: 1 }, NY);
    expect(formatInstant(end!)).toBe('2023-03-12T16:00:00Z');
  });

  it('moves a wall-clock time skipped by spring forward to the first instant after the gap', () => {
    const end = addValidity(at('2023-03-11T02:30:00-05:00'), { days: 1 }, NY);
    expect(formatInstant(end!)).toBe('2023-03-12T07:00:00Z'); // 03:00 EDT
  });

  it('takes the earlier of the two 1:30s on the fall-back day', () => {
    const end = addValidity(at('2023-11-04T01:30:00-04:00'), { days: 1 }, NY);
    expect(formatInstant(end!)).toBe('2023-11-05T05:30:00Z'); // 01:30 EDT
  });

  it('keeps the wall-clock time across fall back', () => {
    const end = addValidity(at('2023-11-04T12:00:00-04:00'), { days: 1 }, NY);
    expect(formatInstant(end!)).toBe('2023-11-05T17:00:00Z');
  });
});

describe('DST in Europe/Berlin', () => {
  it('begins the spring-forward and fall-back days at local midnight', () => {
    expect(formatInstant(startOfLocalDay('2023-03-26', BERLIN))).toBe('2023-03-25T23:00:00Z');
    expect(formatInstant(startOfLocalDay('2023-10-29', BERLIN))).toBe('2023-10-28T22:00:00Z');
    expect(startOfLocalDay('2023-10-30', BERLIN) - startOfLocalDay('2023-10-29', BERLIN)).toBe(25 * HOUR);
  });

  it('moves 02:30 on the spring-forward day to 03:00 CEST', () => {
    const end = addValidity(at('2023-03-25T02:30:00+01:00'), { days: 1 }, BERLIN);
    expect(formatInstant(end!)).toBe('2023-03-26T01:00:00Z');
  });

  it('takes 02:30 CEST, the earlier, on the fall-back day', () => {
    const end = addValidity(at('2023-09-29T02:30:00+02:00'), { months: 1 }, BERLIN);
    expect(formatInstant(end!)).toBe('2023-10-29T00:30:00Z');
  });
});

describe('midnight swallowed by DST', () => {
  it('starts the day at its first instant when midnight does not exist', () => {
    // Chile springs forward at 00:00 → 01:00.
    expect(formatInstant(startOfLocalDay('2022-09-11', 'America/Santiago'))).toBe('2022-09-11T04:00:00Z');
    expect(localDateTimeOf(startOfLocalDay('2022-09-11', 'America/Santiago'), 'America/Santiago')).toBe('2022-09-11T01:00:00');
  });

  it('starts the day at the earlier midnight when midnight happens twice', () => {
    // Cuba fell back at 01:00 → 00:00 on 2018-11-04.
    expect(formatInstant(startOfLocalDay('2018-11-04', 'America/Havana'))).toBe('2018-11-04T04:00:00Z');
  });
});

describe('validity', () => {
  it('ends a 365-day package bought on a Los Angeles evening on the same local evening a year later', () => {
    const end = addValidity(at('2023-01-15T02:00:00Z'), { days: 365 }, LA);
    expect(formatInstant(end!)).toBe('2024-01-15T02:00:00Z');
    expect(localDateOf(end!, LA)).toBe('2024-01-14');
    expect(expirationDateOf(end, LA)).toBe('2024-01-14');
  });

  it('clamps January 31 plus one month to the end of February', () => {
    expect(formatInstant(addValidity(at('2024-01-31T15:00:00Z'), { months: 1 }, NY)!)).toBe('2024-02-29T15:00:00Z');
    expect(formatInstant(addValidity(at('2023-01-31T15:00:00Z'), { months: 1 }, NY)!)).toBe('2023-02-28T15:00:00Z');
  });

  it('clamps March 31 plus one month to April 30, keeping the wall clock across the DST change', () => {
    expect(formatInstant(addValidity(at('2023-03-31T15:00:00Z'), { months: 1 }, NY)!)).toBe('2023-04-30T15:00:00Z');
    // 2023-01-31 10:00 EST → 2023-04-30 10:00 EDT
    expect(formatInstant(addValidity(at('2023-01-31T15:00:00Z'), { months: 3 }, NY)!)).toBe('2023-04-30T14:00:00Z');
  });

  it('counts months across years and back to a long month', () => {
    expect(formatInstant(addValidity(at('2023-11-30T15:00:00Z'), { months: 3 }, NY)!)).toBe('2024-02-29T15:00:00Z');
    expect(formatInstant(addValidity(at('2023-01-31T15:00:00Z'), { months: 12 }, NY)!)).toBe('2024-01-31T15:00:00Z');
    expect(formatInstant(addValidity(at('2023-01-31T15:00:00Z'), { months: 0 }, NY)!)).toBe('2023-01-31T15:00:00Z');
  });

  it('uses the local date, not the UTC date, to clamp the month', () => {
    // 2023-02-01T03:00Z is still 31 January in Los Angeles.
    expect(formatInstant(addValidity(at('2023-02-01T03:00:00Z'), { months: 1 }, LA)!)).toBe('2023-03-01T03:00:00Z');
  });

  it('never ends a package that never expires', () => {
    expect(addValidity(at('2023-01-15T02:00:00Z'), { never: true }, LA)).toBeNull();
    expect(expirationDateOf(null, LA)).toBe(NEVER_EXPIRES);
  });

  it('refuses negative or fractional validity', () => {
    expect(refusedField(() => addValidity(0, { days: -1 }, NY))).toBe('validity.days');
    expect(refusedField(() => addValidity(0, { months: 1.5 }, NY))).toBe('validity.months');
  });
});

describe('grace end', () => {
  it('lets a package be redeemed through its whole expiration date', () => {
    expect(formatInstant(graceEndOf('2023-03-11', 0, NY)!)).toBe('2023-03-12T05:00:00Z');
  });

  it('adds the grace days after the expiration date', () => {
    expect(formatInstant(graceEndOf('2023-03-11', 2, NY)!)).toBe('2023-03-14T04:00:00Z');
    expect(formatInstant(graceEndOf('2024-01-14', 7, LA)!)).toBe('2024-01-22T08:00:00Z');
  });

  it('has no end for a package that never expires', () => {
    expect(graceEndOf(NEVER_EXPIRES, 30, NY)).toBeNull();
  });

  it('refuses a bad date or negative grace', () => {
    expect(refusedField(() => graceEndOf('2023-02-30', 0, NY))).toBe('expirationDate');
    expect(refusedField(() => graceEndOf('2023-03-11', -1, NY))).toBe('graceDays');
  });
});

describe('clocks', () => {
  it('lets tests stand on any instant and move through time', () => {
    const clock = new FixedClock(at('2023-03-12T06:59:59Z'));
    clock.advance(1000);
    expect(formatInstant(clock.now())).toBe('2023-03-12T07:00:00Z');
    clock.set(0);
    expect(clock.now()).toBe(0);
    expect(refusedField(() => clock.advance(0.5))).toBe('ms');
  });

  it('reads the system time', () => {
    expect(Number.isSafeInteger(systemClock.now())).toBe(true);
  });
});
