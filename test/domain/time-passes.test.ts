// readingChangesAt is the promise the answer cache rests on: every reading of a package is the same at every
// instant from asOf until the instant it returns, unless the package itself changes. Checked as a property over
// generated packages (zones with and without DST, odd offsets; not started / started / starting later; grace
// ending before or after; freezes scheduled or running, open or with an end; pending holds lapsing before or
// after; cancelled or not), and by hand where the exact instant is known.
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { addDays, localDateOf, startOfLocalDay, type Validity } from '../../src/domain/calendar.js';
import type { Redemption } from '../../src/domain/ledger.js';
import {
  canRedeem,
  graceEndTime,
  hasLapsed,
  itemValueAt,
  lifecycleAt,
  remainingValueAt,
  type CustomerPackage,
  type Freeze,
} from '../../src/domain/package.js';
import type { PackageState } from '../../src/domain/decision.js';
import { readingChangesAt } from '../../src/domain/time-passes.js';
import { viewAt } from '../../src/application/package-tx.js';
import { at, hold, item, pkg, usd } from '../support/domain-fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/**
 * What the surfaces render of a package at `t`: the view (its package and pending holds, as time has decided
 * them by t; viewAt stamps nothing with t itself, so the whole record is compared), its lifecycle, whether it
 * can be redeemed at the selling business, at another, and for a named service, and its values.
 */
function readingAt(state: PackageState, t: number) {
  const { pkg: p, holds } = viewAt(state, t);
  return {
    pkg: p,
    holds,
    lifecycle: lifecycleAt(p, t),
    redeemableHere: canRedeem(p, t, p.businessId),
    redeemableElsewhere: canRedeem(p, t, 'bus_other'),
    redeemableForService: canRedeem(p, t, p.businessId, 'srv_a', 2),
    remaining: remainingValueAt(p, t),
    items: p.items.map((i) => itemValueAt(p, i, t)),
  };
}

// --- generated packages --------------------------------------------------------------------------------------

const ZONES = ['America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe', 'UTC'] as const;

interface Scenario {
  readonly state: PackageState;
  readonly asOf: number;
}

/** An offset from asOf that is often exactly on it, a millisecond either side, or a whole local hour away. */
const offset = (span: number) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(0, 1, -1) },
    { weight: 2, arbitrary: fc.integer({ min: -span / HOUR, max: span / HOUR }).map((h) => h * HOUR) },
    { weight: 4, arbitrary: fc.integer({ min: -span, max: span }) },
  );

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    // Around the DST changes of every zone above (spring and autumn, both hemispheres), and plain days.
    asOf: fc.oneof(
      fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
      fc.constantFrom('2025-03-09', '2025-03-30', '2025-04-06', '2025-10-05', '2025-10-26', '2025-11-02').chain((d) =>
        fc.integer({ min: at(`${d}T00:00:00Z`) - 2 * DAY, max: at(`${d}T00:00:00Z`) + 2 * DAY }),
      ),
    ),
    start: fc.oneof(fc.constant<'none'>('none'), fc.tuple(fc.constantFrom<'past' | 'future'>('past', 'future'), offset(10 * DAY))),
    end: fc.oneof(fc.constant<'never'>('never'), offset(8 * DAY)),
    validity: fc.constantFrom<Validity>({ days: 30 }, { days: 0 }, { months: 1 }, { never: true }),
    grace: fc.integer({ min: 0, max: 3 }),
    freeze: fc.oneof(
      fc.constant(null),
      fc.record({ startIn: fc.integer({ min: -8, max: 8 }), lasts: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }) }),
    ),
    items: fc.array(
      fc.record({ kind: fc.constantFrom<'SERVICE' | 'PRODUCT'>('SERVICE', 'SERVICE', 'PRODUCT'), total: fc.integer({ min: 1, max: 4 }), used: fc.nat(4), free: fc.nat(1) }),
      { minLength: 1, maxLength: 3 },
    ),
    holds: fc.array(
      fc.record({ item: fc.nat(2), quantity: fc.integer({ min: 1, max: 2 }), expires: fc.option(offset(3 * DAY), { nil: null, freq: 6 }) }),
      { maxLength: 3 },
    ),
    cancelled: fc.boolean(),
    restricted: fc.boolean(),
    expiryWritten: fc.boolean(),
  })
  .map((g): Scenario => {
    const { zone, asOf } = g;
    const startTime = g.start === 'none' ? null : g.start[0] === 'past' ? asOf - Math.abs(g.start[1]) : asOf + Math.max(1, Math.abs(g.start[1]));
    const validity = startTime === null && 'never' in g.validity ? ({ days: 30 } as Validity) : g.validity;
    const endTime = startTime === null || g.end === 'never' || 'never' in validity ? null : asOf + g.end;
    // Holds reserve units of the item they draw on: each item has at least its used and held units.
    const holds: Redemption[] = [];
    const heldOf = new Map<number, number>();
    g.holds.forEach((h, n) => {
      const index = h.item % g.items.length;
      heldOf.set(index, (heldOf.get(index) ?? 0) + h.quantity);
      holds.push(
        hold({
          id: `red_${n}`,
          itemId: `psv_${index}`,
          serviceId: `srv_${index}`,
          quantity: h.quantity,
          redeemTime: asOf - DAY,
          holdExpireTime: h.expires === null ? null : asOf + h.expires,
        }),
      );
    });
    const items = g.items.map((i, n) => {
      const held = heldOf.get(n) ?? 0;
      const used = Math.min(i.used, i.total);
      const total = Math.max(i.total, used + held);
      return item({
        id: `psv_${n}`,
        position: n,
        kind: i.kind,
        services: n === 0 ? ['srv_a', `srv_${n}`] : [`srv_${n}`],
        quantity: total,
        total: total + i.free,
        free: i.free,
        used,
        held,
        value: usd(1000 * total),
        unitPrice: usd(1000),
      });
    });
    const today = localDateOf(asOf, zone);
    const freeze: Freeze | null = g.freeze && {
      startDate: addDays(today, g.freeze.startIn),
      endDate: g.freeze.lasts === null ? null : addDays(today, g.freeze.startIn + g.freeze.lasts),
      reason: 'travel',
      keepEndTime: null,
    };
    let p = pkg({
      timeZone: zone,
      purchaseTime: Math.min(asOf - DAY, startTime ?? asOf),
      startTime,
      endTime,
      validity,
      gracePeriodDays: g.grace,
      activation: startTime === null ? 'ON_FIRST_REDEMPTION' : 'ON_PURCHASE',
      restrictToSellingBusiness: g.restricted,
      freeze,
      cancelTime: g.cancelled ? asOf - HOUR : null,
      items,
    });
    // Sometimes the expiry was already written (as any command by asOf would have), sometimes not yet.
    if (g.expiryWritten && !g.cancelled && hasLapsed(p, asOf)) p = { ...p, expiredTime: graceEndTime(p) };
    return { state: { pkg: p, holds }, asOf };
  });

/** Every local midnight from asOf's day on (at most `limit`), and the instant before each: where zones bite. */
function midnightsFrom(asOf: number, zone: string, before: number, limit = 12): number[] {
  const out: number[] = [];
  let day = localDateOf(asOf, zone);
  for (let n = 0; n < limit; n++) {
    day = addDays(day, 1);
    const m = startOfLocalDay(day, zone);
    if (m >= before) break;
    out.push(m - 1, m);
  }
  return out;
}

/** The instants to compare with asOf: asOf, the last millisecond before the change, random ones, the midnights. */
const instantsIn = (asOf: number, changeAt: number, zone: string) =>
  fc.array(fc.integer({ min: asOf, max: Number.isFinite(changeAt) ? changeAt - 1 : asOf + 5 * YEAR }), { minLength: 4, maxLength: 8 }).map((random) => {
    const known = [asOf, ...(Number.isFinite(changeAt) ? [changeAt - 1] : [asOf + 5 * YEAR, asOf + 40 * YEAR])];
    return [...known, ...random, ...midnightsFrom(asOf, zone, changeAt)].filter((t) => t >= asOf && t < changeAt);
  });

const described = ({ state, asOf }: Scenario) => ({
  asOf: new Date(asOf).toISOString(),
  pkg: state.pkg,
  holds: state.holds,
});

describe('readingChangesAt', () => {
  it('is always after asOf', () => {
    fc.assert(
      fc.property(scenario, ({ state, asOf }) => {
        expect(readingChangesAt(state, asOf)).toBeGreaterThan(asOf);
        // and the same for the view the answer cache keeps
        expect(readingChangesAt(viewAt(state, asOf), asOf)).toBeGreaterThan(asOf);
      }),
      { numRuns: 300 },
    );
  });

  it('every reading is the same at every instant from asOf until the instant it names', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => {
          const changeAt = readingChangesAt(s.state, s.asOf);
          return fc.tuple(fc.constant(s), fc.constant(changeAt), instantsIn(s.asOf, changeAt, s.state.pkg.timeZone));
        }),
        ([s, changeAt, instants]) => {
          const before = readingAt(s.state, s.asOf);
          for (const t of instants) {
            const reading = readingAt(s.state, t);
            if (isDeepStrictEqual(reading, before)) continue;
            expect(
              reading,
              `reading at ${new Date(t).toISOString()} (changeAt ${Number.isFinite(changeAt) ? new Date(changeAt).toISOString() : changeAt}) for ${JSON.stringify(described(s))}`,
            ).toEqual(before);
          }
        },
      ),
      // TIME_PASSES_RUNS=20000 for a longer search.
      { numRuns: Number(process.env.TIME_PASSES_RUNS ?? 400) },
    );
  });

  it('names the same instant for the view as for the state it was made of', () => {
    // The answer cache asks of the views it rendered: a view made at asOf promises what the stored state does.
    fc.assert(
      fc.property(scenario, ({ state, asOf }) => {
        const view = viewAt(state, asOf);
        const changeAt = readingChangesAt(view, asOf);
        expect(changeAt).toBe(readingChangesAt(state, asOf));
        const last = Number.isFinite(changeAt) ? changeAt - 1 : asOf + YEAR;
        expect(readingAt(view, last)).toEqual(readingAt(state, last));
      }),
      { numRuns: 200 },
    );
  });

  describe('names the exact instant where it is known', () => {
    const asOf = at('2025-03-01T12:00:00Z');
    const changeAt = (p: CustomerPackage, holds: Redemption[] = []) => readingChangesAt({ pkg: p, holds }, asOf);
    const active = (over: Partial<CustomerPackage> = {}) =>
      pkg({ startTime: at('2025-01-01T00:00:00Z'), endTime: null, validity: { never: true }, ...over });

    it('a pending hold lapsing at X: X, and its units come back then', () => {
      const x = at('2025-03-01T12:15:00.250Z');
      const state = {
        pkg: active({ items: [item({ total: 2, quantity: 2, held: 2 })] }),
        holds: [hold({ holdExpireTime: x }), hold({ id: 'red_2', holdExpireTime: null })],
      };
      expect(readingChangesAt(state, asOf)).toBe(x);
      expect(readingAt(state, x - 1)).toMatchObject({ redeemableHere: false, holds: [{ id: 'red_1' }, { id: 'red_2' }] });
      expect(readingAt(state, x)).toMatchObject({ redeemableHere: true, holds: [{ id: 'red_2' }] });
      // a hold that has lapsed names nothing, nor does one without an expiry
      expect(readingChangesAt(state, x)).toBe(Infinity);
    });

    it('a package starting at S: S', () => {
      const s = at('2025-03-04T17:00:00Z');
      const p = active({ startTime: s, endTime: at('2025-04-04T17:00:00Z'), validity: { days: 31 } });
      expect(changeAt(p)).toBe(s);
      expect(lifecycleAt(p, s - 1)).toBe('NOT_STARTED');
      expect(lifecycleAt(p, s)).toBe('ACTIVE');
    });

    it('a freeze starting on local date D: the start of D in the zone; its end date likewise', () => {
      // Los Angeles 2025-03-09 is the spring-forward day (02:00 → 03:00): midnight is still PST, 08:00Z.
      const la = active({ freeze: { startDate: '2025-03-09', endDate: '2025-03-11', reason: 'travel', keepEndTime: null } });
      expect(changeAt(la)).toBe(at('2025-03-09T08:00:00Z'));
      expect(readingChangesAt({ pkg: la, holds: [] }, at('2025-03-09T08:00:00Z'))).toBe(at('2025-03-11T07:00:00Z')); // PDT now
      expect(lifecycleAt(la, at('2025-03-09T07:59:59.999Z'))).toBe('ACTIVE');
      expect(lifecycleAt(la, at('2025-03-09T08:00:00Z'))).toBe('FROZEN');
      expect(lifecycleAt(la, at('2025-03-11T06:59:59.999Z'))).toBe('FROZEN');
      expect(lifecycleAt(la, at('2025-03-11T07:00:00Z'))).toBe('ACTIVE');
      // Lord Howe keeps +10:30 in its winter and +11 in its summer; 2025-04-06 it falls back at 02:00.
      const lh = active({ timeZone: 'Australia/Lord_Howe', freeze: { startDate: '2025-04-07', endDate: null, reason: 'x', keepEndTime: null } });
      expect(changeAt(lh)).toBe(at('2025-04-06T13:30:00Z'));
      expect(changeAt(lh)).toBe(startOfLocalDay('2025-04-07', 'Australia/Lord_Howe'));
      // London: a running freeze with no end names nothing more
      const london = active({ timeZone: 'Europe/London', freeze: { startDate: '2025-02-01', endDate: null, reason: 'x', keepEndTime: null } });
      expect(changeAt(london)).toBe(Infinity);
      expect(lifecycleAt(london, asOf + 10 * YEAR)).toBe('FROZEN');
    });

    it('the grace end: the start of the day after the expiration date and the grace days, in the zone', () => {
      // Ends 2025-03-02T02:00Z = 2025-03-01 18:00 in Los Angeles; two grace days: redeemable until 2025-03-04 00:00 PST.
      const p = active({ endTime: at('2025-03-02T02:00:00Z'), validity: { days: 365 }, gracePeriodDays: 2 });
      const end = at('2025-03-04T08:00:00Z');
      expect(graceEndTime(p)).toBe(end);
      expect(changeAt(p)).toBe(end);
      expect(readingAt({ pkg: p, holds: [] }, end - 1).lifecycle).toBe('ACTIVE');
      expect(readingAt({ pkg: p, holds: [] }, end).lifecycle).toBe('EXPIRED');
      expect(readingAt({ pkg: p, holds: [] }, end).remaining).toEqual(usd(0));
      // once expired, nothing more lies ahead
      expect(changeAt({ ...p, expiredTime: end }, [])).toBe(end);
      expect(readingChangesAt({ pkg: { ...p, expiredTime: end }, holds: [] }, end)).toBe(Infinity);
    });

    it('the earliest of several', () => {
      const p = active({
        endTime: at('2025-03-02T02:00:00Z'),
        validity: { days: 365 },
        gracePeriodDays: 2,
        freeze: { startDate: '2025-03-03', endDate: null, reason: 'x', keepEndTime: null },
        items: [item({ held: 1 })],
      });
      expect(changeAt(p, [hold({ holdExpireTime: at('2025-03-05T00:00:00Z') })])).toBe(at('2025-03-03T08:00:00Z'));
      expect(changeAt(p, [hold({ holdExpireTime: at('2025-03-01T20:00:00Z') })])).toBe(at('2025-03-01T20:00:00Z'));
    });

    it('nothing ahead: Infinity', () => {
      expect(changeAt(active())).toBe(Infinity);
      expect(changeAt(active({ startTime: null, endTime: null, validity: { days: 30 }, activation: 'ON_FIRST_REDEMPTION' }))).toBe(Infinity);
    });
  });
});
