// Random sequences of operations against a couple of packages, through the native HTTP API, checked step by step
// against a model kept here: quantities, lifecycle, dates in the business's calendar, values, refunds, and the
// ledger that explains them. Each run picks the business's time zone and starts near a daylight-saving change,
// so validity, freezes and the clock itself cross DST. The model restates the rules of API.md on its own (it
// never imports the domain): local dates come from Intl, and "the same wall-clock time N local days later" is
// found by searching instants in 15-minute steps.
//
// FC_SEED, FC_RUNS, FC_ZONE (one zone only) and FC_TALLY (print what the runs covered) help when reproducing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { sweepExpiredPackages, sweepLapsedHolds } from '../../src/application/sweeper.js';
import { cents, makeFactory, reasonOf, usdCents, type Factory, type Json, type Reply } from '../support/factories.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HOLD_MS = 24 * HOUR;

// --- the calendar, restated -------------------------------------------------------------------------------------

const ZONES = ['UTC', 'America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe'] as const;
type Zone = (typeof ZONES)[number];

/**
 * Local dates on which each zone's clock changes (2027 and 2028; checked against Intl below). UTC has none; it
 * starts near Los Angeles' dates. Los Angeles springs 02:00→03:00 and falls 02:00→01:00, London 01:00→02:00 and
 * 02:00→01:00, Lord Howe 02:00→02:30 (October) and 02:00→01:30 (April).
 */
const TRANSITIONS: Record<Zone, readonly string[]> = {
  UTC: ['2027-03-14', '2027-11-07', '2028-03-12', '2028-11-05'],
  'America/Los_Angeles': ['2027-03-14', '2027-11-07', '2028-03-12', '2028-11-05'],
  'Europe/London': ['2027-03-28', '2027-10-31', '2028-03-26', '2028-10-29'],
  'Australia/Lord_Howe': ['2027-04-04', '2027-10-03', '2028-04-02', '2028-10-01'],
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const wallCache = new Map<string, number>();

/** The local wall-clock reading at `ms` in `tz`, written as if it were a UTC instant. */
function wallOf(ms: number, tz: string): number {
  const key = `${tz}|${ms}`;
  const cached = wallCache.get(key);
  if (cached !== undefined) return cached;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const part: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) part[p.type] = Number(p.value);
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour! % 24, part.minute!, part.second!) + (((ms % 1000) + 1000) % 1000);
  if (wallCache.size > 200_000) wallCache.clear();
  wallCache.set(key, wall);
  return wall;
}

const utcDateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const localDate = (ms: number, tz: string) => utcDateOf(wallOf(ms, tz));
const secondsOfDay = (ms: number, tz: string) => (((wallOf(ms, tz) % DAY) + DAY) % DAY) / 1000;
const offsetOf = (ms: number, tz: string) => wallOf(ms, tz) - ms;
const addDays = (date: string, n: number) => utcDateOf(Date.parse(`${date}T00:00:00Z`) + n * DAY);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

type Resolution = 'exact' | 'earlier of two' | 'after a gap';
const instantCache = new Map<string, { ms: number; how: Resolution }>();

/**
 * The instant whose local date is `date` and local time of day `seconds`: searched among the instants 15 minutes
 * apart within 14 hours of that reading taken as UTC (every offset of these zones is a multiple of 15 minutes).
 * Of two (the clock went back) the earlier; none (the clock jumped over it) the first instant after the gap.
 */
function localInstant(tz: string, date: string, seconds: number): { ms: number; how: Resolution } {
  const key = `${tz}|${date}|${seconds}`;
  const cached = instantCache.get(key);
  if (cached) return cached;
  const reading = Date.parse(`${date}T00:00:00Z`) + seconds * 1000;
  const matches: number[] = [];
  let firstLater: number | null = null;
  for (let x = reading - 14 * HOUR; x <= reading + 14 * HOUR; x += 15 * MINUTE) {
    const wall = wallOf(x, tz);
    if (wall === reading) matches.push(x);
    else if (wall > reading && firstLater === null) firstLater = x;
  }
  let found: { ms: number; how: Resolution };
  if (matches.length > 0) found = { ms: matches[0]!, how: matches.length > 1 ? 'earlier of two' : 'exact' };
  else {
    // The clock jumped from before the reading to after it: walk back, a minute at a time, to where it jumped.
    let x = firstLater!;
    while (wallOf(x - MINUTE, tz) > reading) x -= MINUTE;
    found = { ms: x, how: 'after a gap' };
  }
  instantCache.set(key, found);
  return found;
}

const startOfLocalDay = (date: string, tz: string) => localInstant(tz, date, 0).ms;

/** The calendar rule: the same local wall-clock time, `n` local dates later (or earlier). */
function sameWallClockLater(ms: number, n: number, tz: string): number {
  if (n === 0) return ms;
  const found = localInstant(tz, addDays(localDate(ms, tz), n), secondsOfDay(ms, tz));
  count(`calendar:${found.how}`);
  if (offsetOf(found.ms, tz) !== offsetOf(ms, tz)) count('calendar:crosses DST');
  return found.ms;
}

const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

// --- the model -------------------------------------------------------------------------------------------------
//
// What it states: expirationDate is the local date of endTime, and the grace ends at the start of the local day
// after it plus the grace days. The lifecycle at a moment is CANCELLED, FULLY_REDEEMED, EXPIRED (lapsed: past the
// grace end with no freeze running at that instant), FROZEN, else ACTIVE, whether or not EXPIRED is written.
// Freezes move endTime by local days at the same wall-clock time. Units added by :adjust are free; removals take
// free unused units first. What is left is worth its unused paid units; a reader sees 0 once cancelled or expired,
// while the ledger's sum is 0 once cancelled or once EXPIRED is written, which the sweeper or any successful change
// at a lapsed moment does (after the lapsed holds' HOLD_EXPIRED); a refused change writes nothing.

type Status = 'PENDING' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'REVERSED';
interface MItem {
  id: string;
  services: string[];
  position: number;
  /** As sold. */
  quantity: number;
  /** As sold plus adjustments. */
  total: number;
  used: number;
  held: number;
  /** Units added by :adjust and still in total: free, they carry no value. */
  free: number;
  value: number;
}
interface MRedemption {
  id: string;
  item: MItem;
  quantity: number;
  status: Status;
  expire: number | null;
}
interface MPackage {
  id: string;
  tz: string;
  paid: number;
  graceDays: number;
  endTime: number;
  items: MItem[];
  redemptions: MRedemption[];
  freeze: { start: string; end: string | null } | null;
  cancelled: boolean;
  /** The grace end at which EXPIRED was written, or null while it is not written. */
  expiredAt: number | null;
  refunded: number;
  /** Holds that lapsed (their units back for readers) and that the ledger has not heard of yet. */
  unrecorded: MRedemption[];
  /** The event types the ledger should hold, in order. */
  log: string[];
}

const expirationDate = (p: MPackage) => localDate(p.endTime, p.tz);
/** Redeemable through the whole local expiration date and the grace days: the start of the local day after. */
const graceEnd = (p: MPackage) => startOfLocalDay(addDays(expirationDate(p), 1 + p.graceDays), p.tz);
const remainingOf = (i: MItem) => i.total - i.used - i.held;
/** A freeze runs on the local dates from its start up to (not including) its end. */
const runningAt = (p: MPackage, t: number) => {
  const day = localDate(t, p.tz);
  return p.freeze !== null && p.freeze.start <= day && (p.freeze.end === null || day < p.freeze.end);
};
/** A freeze that is running or still to come (a dated one that has ended no longer counts). */
const currentFreeze = (p: MPackage, now: number) => p.freeze !== null && !(p.freeze.end !== null && p.freeze.end <= localDate(now, p.tz));
/** Time alone has ended it: its grace has ended, and no freeze was running then to hold the clock. */
const lapsed = (p: MPackage, now: number) => {
  const end = graceEnd(p);
  return now >= end && !runningAt(p, end);
};

function lifecycle(p: MPackage, now: number): string {
  if (p.cancelled) return 'CANCELLED';
  if (p.items.every((i) => remainingOf(i) === 0 && i.held === 0)) return 'FULLY_REDEEMED';
  if (lapsed(p, now)) return 'EXPIRED';
  if (runningAt(p, now)) return 'FROZEN';
  return 'ACTIVE';
}

/** value ÷ quantity rounded half-up, or down where rounding up would leave the last unit less than nothing. */
function unitPriceOf(value: number, quantity: number): number {
  const up = Math.floor(value / quantity) + (2 * (value % quantity) >= quantity ? 1 : 0);
  return up * (quantity - 1) > value ? Math.floor(value / quantity) : up;
}
/** The value of the last `n` of `quantity` units: the last unit carries the remainder. */
function valueOfLastUnits(value: number, quantity: number, n: number): number {
  if (n <= 0) return 0;
  if (n >= quantity) return value;
  return value - unitPriceOf(value, quantity) * (quantity - n);
}
/** Paid units are used before free ones, so what is left is worth its unused paid units (held ones included). */
const itemValueLeft = (i: MItem) => valueOfLastUnits(i.value, i.quantity, Math.max(0, i.total - i.free - i.used));
const valueLeft = (p: MPackage) => p.items.reduce((n, i) => n + itemValueLeft(i), 0);
/** What a reader sees at a moment: nothing once cancelled or expired, whether or not EXPIRED is written. */
const remainingValueAt = (p: MPackage, now: number) => (['CANCELLED', 'EXPIRED'].includes(lifecycle(p, now)) ? 0 : valueLeft(p));
const itemValueAt = (p: MPackage, i: MItem, now: number) => (['CANCELLED', 'EXPIRED'].includes(lifecycle(p, now)) ? 0 : itemValueLeft(i));
/** The outstanding value as the ledger holds it: nothing once cancelled or once EXPIRED is written. */
const onLedger = (p: MPackage) => (p.cancelled || p.expiredAt !== null ? 0 : valueLeft(p));

type Refund = 'NONE' | 'FULL' | 'PRORATED' | { amount: number };
/** What cancelling now would refund: PRORATED is the outstanding value at the moment, nothing once lapsed. */
function refundNow(p: MPackage, now: number, refund: Refund): number {
  if (refund === 'NONE') return 0;
  if (refund === 'FULL') return p.paid;
  if (refund === 'PRORATED') return p.expiredAt !== null || lapsed(p, now) ? 0 : valueLeft(p);
  return refund.amount;
}

/** Holds past their expiry give their units back at once, for readers; the ledger hears of it later. */
function settle(p: MPackage, now: number): void {
  for (const r of p.redemptions) {
    if (r.status === 'PENDING' && r.expire !== null && r.expire <= now) {
      r.status = 'EXPIRED';
      r.item.held -= r.quantity;
      p.unrecorded.push(r);
    }
  }
}

/** What time has decided, written first by every successful change (and by the sweeper): HOLD_EXPIRED, then EXPIRED. */
function recordTime(p: MPackage, now: number): void {
  p.log.push(...p.unrecorded.map(() => 'HOLD_EXPIRED'));
  p.unrecorded = [];
  if (!p.cancelled && p.expiredAt === null && lapsed(p, now)) {
    p.expiredAt = graceEnd(p);
    p.log.push('EXPIRED');
  }
}

const REASON_OF_STATE: Record<string, string> = {
  CANCELLED: 'PACKAGE_CANCELLED',
  FULLY_REDEEMED: 'PACKAGE_FULLY_REDEEMED',
  FROZEN: 'PACKAGE_FROZEN',
  EXPIRED: 'PACKAGE_EXPIRED',
};

// --- the operations --------------------------------------------------------------------------------------------

type Op =
  | { kind: 'redeem'; p: number; service: number; quantity: number; hold: boolean }
  /** `pending`: pick among the pending holds when there are any (else among all the package's redemptions). */
  | { kind: 'commit' | 'release' | 'reverse'; p: number; pick: number; pending: boolean }
  | { kind: 'adjust'; p: number; item: number; delta: number }
  /** `startIn` days from today (null: no startDate, i.e. today); `days` 0 is an open freeze. */
  | { kind: 'freeze'; p: number; days: number; startIn: number | null }
  | { kind: 'unfreeze'; p: number }
  | { kind: 'cancel'; p: number; refund: Refund }
  | { kind: 'advance'; hours: number }
  | { kind: 'sweep' };

const pkgIndex = fc.integer({ min: 0, max: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('redeem' as const), p: pkgIndex, service: fc.integer({ min: 0, max: 3 }), quantity: fc.integer({ min: 1, max: 3 }), hold: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('commit' as const), p: pkgIndex, pick: fc.nat(), pending: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), p: pkgIndex, pick: fc.nat(), pending: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('reverse' as const), p: pkgIndex, pick: fc.nat(), pending: fc.constant(false) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('adjust' as const), p: pkgIndex, item: fc.integer({ min: 0, max: 2 }), delta: fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('freeze' as const),
      p: pkgIndex,
      days: fc.integer({ min: 0, max: 6 }),
      startIn: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 }) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unfreeze' as const), p: pkgIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      p: pkgIndex,
      refund: fc.oneof(fc.constant('NONE' as const), fc.constant('FULL' as const), fc.constant('PRORATED' as const), fc.record({ amount: fc.integer({ min: 0, max: 60_000 }) })),
    }),
  },
  // Time passes by hours, and now and then by days, so that runs reach their grace ends and DST changes.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 24, max: 20 * 24 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
);

/** Where a run starts: `daysBefore` local days before a DST change of its zone, at a local time of day. */
interface RunSpec {
  zone: Zone;
  transition: number;
  daysBefore: number;
  /** Minutes after local midnight; often between 01:00 and 03:00, where the clocks change. */
  minuteOfDay: number;
}
const zoneArb = process.env.FC_ZONE ? fc.constant(process.env.FC_ZONE as Zone) : fc.constantFrom(...ZONES);
const runArb: fc.Arbitrary<RunSpec> = fc.record({
  zone: zoneArb,
  transition: fc.integer({ min: 0, max: 3 }),
  daysBefore: fc.oneof({ weight: 2, arbitrary: fc.integer({ min: -2, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 14 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) }),
  minuteOfDay: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 12, max: 36 }).map((n) => n * 5) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 287 }).map((n) => n * 5) }),
});

interface PackageSpec {
  quantities: [number, number, number];
  templatePrice: number;
  salePrice?: number | undefined;
  /** Validity in days, or (`cross`) the run's days before its DST change plus this, so it ends near the change. */
  validity: { days: number } | { cross: number };
  graceDays: number;
}
const packageArb: fc.Arbitrary<PackageSpec> = fc.record({
  quantities: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  // Realistic prices ($10–$500): the rounding of tiny unit values is a separate, known case.
  templatePrice: fc.integer({ min: 1000, max: 50_000 }),
  salePrice: fc.option(fc.integer({ min: 1000, max: 50_000 }), { nil: undefined }),
  validity: fc.oneof(
    { weight: 2, arbitrary: fc.record({ days: fc.integer({ min: 1, max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ days: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 2, arbitrary: fc.record({ cross: fc.constant(0) }) },
    { weight: 2, arbitrary: fc.record({ cross: fc.integer({ min: -2, max: 4 }) }) },
  ),
  graceDays: fc.integer({ min: 0, max: 2 }),
});
const validityDays = (s: PackageSpec, run: RunSpec) => ('days' in s.validity ? s.validity.days : Math.min(40, Math.max(1, run.daysBefore + s.validity.cross)));

// --- the run ---------------------------------------------------------------------------------------------------

const PROPERTY_RUNS: Record<string, number> = { sqlite: 100, postgres: 40 };

it('knows when the zones change their clocks (the runs start near those dates)', () => {
  for (const zone of ZONES) {
    for (const date of TRANSITIONS[zone]) {
      const before = offsetOf(Date.parse(`${addDays(date, -1)}T12:00:00Z`), zone);
      const after = offsetOf(Date.parse(`${addDays(date, 1)}T12:00:00Z`), zone);
      if (zone === 'UTC') expect(after).toBe(before);
      else expect(after, `${zone} ${date}`).not.toBe(before);
    }
  }
  // The search resolves a skipped and a repeated wall-clock time as the contract says.
  expect(iso(localInstant('America/Los_Angeles', '2027-03-14', 2.25 * 3600).ms)).toBe('2027-03-14T10:00:00Z');
  expect(iso(localInstant('America/Los_Angeles', '2027-11-07', 1.5 * 3600).ms)).toBe('2027-11-07T08:30:00Z');
  expect(iso(localInstant('Australia/Lord_Howe', '2027-10-03', 2.25 * 3600).ms)).toBe('2027-10-02T15:30:00Z');
  expect(iso(localInstant('Australia/Lord_Howe', '2027-04-04', 1.75 * 3600).ms)).toBe('2027-04-03T14:45:00Z');
  expect(iso(sameWallClockLater(Date.parse('2027-03-13T18:00:00Z'), 1, 'America/Los_Angeles'))).toBe('2027-03-14T17:00:00Z');
  expect(iso(sameWallClockLater(Date.parse('2027-03-13T10:30:00Z'), 1, 'America/Los_Angeles'))).toBe('2027-03-14T10:00:00Z');
  expect(iso(sameWallClockLater(Date.parse('2027-11-06T08:30:00Z'), 1, 'America/Los_Angeles'))).toBe('2027-11-07T08:30:00Z');
});

describe.each(ENGINES)('the package ledger under random operations on %s', (engine) => {
  let t: TestApp;
  let run = 0;
  beforeAll(async () => {
    tally.clear();
    t = await createTestApp(engine, { now: Date.parse('2027-01-01T09:00:00Z') });
  });
  afterAll(async () => {
    if (process.env.FC_TALLY) console.log(engine, run, [...tally.entries()].sort().map(([k, v]) => `${k}=${v}`).join(' '));
    await t.close();
  });

  async function sell(f: Factory, services: string[], s: PackageSpec, days: number, tz: string): Promise<MPackage> {
    const [sA, sB, sC] = services as [string, string, string];
    const now = t.clock.now();
    const pkg = await f.sell({
      template: {
        price: usdCents(s.templatePrice),
        items: [
          { serviceIds: [sA, sB], quantity: s.quantities[0] },
          { serviceIds: [sA], quantity: s.quantities[1] },
          { serviceIds: [sC], quantity: s.quantities[2] },
        ],
        validity: { days },
        gracePeriodDays: s.graceDays,
      },
      ...(s.salePrice === undefined ? {} : { price: usdCents(s.salePrice) }),
    });
    const paid = cents(pkg.paidAmount);
    expect(paid).toBe(s.salePrice ?? s.templatePrice);
    expect(pkg.timeZone).toBe(tz);
    const items: MItem[] = pkg.packageServices.map((i: Json, n: number) => ({
      id: i.id,
      services: i.services.map((x: Json) => x.serviceId),
      position: n,
      quantity: i.totalQuantity,
      total: i.totalQuantity,
      used: 0,
      held: 0,
      free: 0,
      value: cents(i.value),
    }));
    // Exact allocation: the items add up to what was paid, and each unit price is its value over its quantity, rounded.
    expect(items.reduce((n, i) => n + i.value, 0)).toBe(paid);
    for (const [n, i] of items.entries()) {
      const unit = cents(pkg.packageServices[n].services[0].unitPrice);
      expect(unit).toBe(unitPriceOf(i.value, i.quantity));
      expect(Math.abs(unit * i.quantity - i.value) * 2).toBeLessThanOrEqual(i.quantity);
    }
    const endTime = sameWallClockLater(now, days, tz);
    if (offsetOf(endTime, tz) !== offsetOf(now, tz)) count('sale:validity crosses DST');
    return {
      id: pkg.packageInfo.id,
      tz,
      paid,
      graceDays: s.graceDays,
      endTime,
      items,
      redemptions: [],
      freeze: null,
      cancelled: false,
      expiredAt: null,
      refunded: 0,
      unrecorded: [],
      log: ['SOLD'],
    };
  }

  function expectOutcome(r: Reply, expected: string | null, what: string): boolean {
    const key = `${JSON.parse(what).kind}:${expected ?? 'OK'}`;
    count(key);
    const context = `${what}: ${JSON.stringify(r.json)}`;
    if (expected === null) {
      expect(r.status, context).toBe(200);
      return true;
    }
    if (expected === 'INVALID_ARGUMENT') {
      expect(r.status, context).toBe(400);
      expect(r.json.code, context).toBe(3);
      return false;
    }
    expect(r.status, context).toBe(400);
    expect(r.json.code, context).toBe(9);
    expect(reasonOf(r), context).toBe(expected);
    return false;
  }

  async function check(f: Factory, keyId: string, p: MPackage, now: number, what: string): Promise<void> {
    const got = await f.get(p.id);
    const ctx = `${what} (package ${p.id} in ${p.tz}, now ${iso(now)} = ${localDate(now, p.tz)} local)`;
    const state = lifecycle(p, now);
    expect(got.lifecycle, ctx).toBe(state);
    expect(got.packageInfo.lifecycle, ctx).toBe(state);
    // The dates, in the business's calendar.
    expect(
      { endTime: got.packageInfo.endTime, expirationDate: got.packageInfo.expirationDate, graceEndTime: got.graceEndTime },
      ctx,
    ).toEqual({ endTime: iso(p.endTime), expirationDate: expirationDate(p), graceEndTime: iso(graceEnd(p)) });
    expect(got.freeze === null ? null : { start: got.freeze.startDate, end: got.freeze.endDate || null }, ctx).toEqual(p.freeze);

    for (const i of p.items) {
      const item = got.packageServices.find((x: Json) => x.id === i.id);
      expect(
        { total: item.totalQuantity, used: item.usedQuantity, held: item.heldQuantity, remaining: item.remainingQuantity, value: cents(item.remainingValue) },
        ctx,
      ).toEqual({ total: i.total, used: i.used, held: i.held, remaining: remainingOf(i), value: itemValueAt(p, i, now) });
      expect(item.remainingQuantity, ctx).toBeGreaterThanOrEqual(0);
      expect(item.remainingQuantity, ctx).toBe(item.totalQuantity - item.usedQuantity - item.heldQuantity);
    }
    expect(got.packageInfo.totalRemainingQuantity, ctx).toBe(p.items.reduce((n, i) => n + remainingOf(i), 0));
    expect(got.packageInfo.applied, ctx).toBe(p.redemptions.some((r) => r.status === 'PENDING'));
    expect(got.packageInfo.used, ctx).toBe(p.items.some((i) => i.used > 0));
    expect(got.holds.map((h: Json) => h.id).sort(), ctx).toEqual(p.redemptions.filter((r) => r.status === 'PENDING').map((r) => r.id).sort());

    const value = cents(got.remainingValue);
    expect(value, ctx).toBe(remainingValueAt(p, now));
    expect(value, ctx).toBeGreaterThanOrEqual(0);
    expect(value, ctx).toBeLessThanOrEqual(p.paid);
    // The package's remaining value is the sum of its items', at all times.
    const items = [...got.packageServices, ...got.packageProducts];
    expect(items.reduce((n: number, i: Json) => n + cents(i.remainingValue), 0), ctx).toBe(value);

    const events = await f.events(p.id);
    expect(events.map((e) => e.sequence), ctx).toEqual(events.map((_, n) => n + 1));
    expect(events.map((e) => e.type), ctx).toEqual(p.log);
    // The ledger explains the outstanding value exactly, and refunds never exceed what was paid.
    expect(events.reduce((n, e) => n + cents(e.valueChange), 0), ctx).toBe(onLedger(p));
    const refunds = events.reduce((n, e) => n + cents(e.refund), 0);
    expect(refunds, ctx).toBe(p.refunded);
    expect(refunds, ctx).toBeLessThanOrEqual(p.paid);
    for (const e of events) {
      expect(e.totalRemainingQuantityAfter, ctx).toBeGreaterThanOrEqual(0);
      // What time decided is the system's; everything else was done with the run's key.
      expect(e.actor, `${ctx}: ${JSON.stringify(e)}`).toBe(e.type === 'HOLD_EXPIRED' || e.type === 'EXPIRED' ? 'system' : keyId);
      if (e.type === 'HOLD_EXPIRED') {
        const hold = p.redemptions.find((r) => r.id === e.redemptionId);
        expect({ status: hold?.status, time: hold?.expire == null ? null : iso(hold.expire) }, ctx).toEqual({ status: 'EXPIRED', time: e.time });
      }
      if (e.type === 'EXPIRED') expect(e.time, ctx).toBe(iso(p.expiredAt!));
    }
    if (p.unrecorded.length === 0) expect(events.at(-1).totalRemainingQuantityAfter, ctx).toBe(got.packageInfo.totalRemainingQuantity);
    expect(events.filter((e) => e.type === 'CANCELLED').length, ctx).toBe(p.cancelled ? 1 : 0);
    expect(events.filter((e) => e.type === 'EXPIRED').length, ctx).toBe(p.expiredAt !== null ? 1 : 0);
  }

  const decimal = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

  /** :refundPreview answers what cancelling now would refund, and changes nothing. */
  async function checkPreviews(f: Factory, p: MPackage, now: number, extra: Refund | null, what: string): Promise<void> {
    const asks: Refund[] = ['PRORATED', 'FULL', 'NONE', ...(extra !== null && typeof extra !== 'string' ? [extra] : [])];
    for (const ask of asks) {
      const query = typeof ask === 'string' ? `refund=${ask}` : `amount=${decimal(ask.amount)}`;
      const r = await f.call('GET', `/packages/${p.id}:refundPreview?${query}`);
      const ctx = `${what}: preview ${query} (package ${p.id}, now ${iso(now)}): ${JSON.stringify(r.json)}`;
      count(`preview:${typeof ask === 'string' ? ask : 'amount'}`);
      if (p.cancelled) {
        expect(r.status, ctx).toBe(400);
        expect(reasonOf(r), ctx).toBe('PACKAGE_CANCELLED');
      } else if (typeof ask !== 'string' && ask.amount > p.paid) {
        expect(r.status, ctx).toBe(400);
        expect(r.json.code, ctx).toBe(3);
      } else {
        expect(r.status, ctx).toBe(200);
        expect(r.json.refund.currencyCode, ctx).toBe('USD');
        expect(cents(r.json.refund), ctx).toBe(refundNow(p, now, ask));
      }
    }
  }

  async function apply(f: Factory, services: string[], pkgs: MPackage[], op: Op): Promise<MPackage[]> {
    const now = t.clock.now();
    for (const p of pkgs) settle(p, now);
    const what = JSON.stringify(op);
    switch (op.kind) {
      case 'advance': {
        t.clock.advance(op.hours * HOUR);
        const later = t.clock.now();
        for (const p of pkgs) {
          settle(p, later);
          if (offsetOf(later, p.tz) !== offsetOf(now, p.tz)) count('clock:crosses DST');
        }
        return pkgs;
      }
      case 'sweep': {
        await sweepLapsedHolds(t.deps, 10_000);
        await sweepExpiredPackages(t.deps);
        for (const p of pkgs) recordTime(p, now);
        return pkgs;
      }
      case 'redeem': {
        const p = pkgs[op.p]!;
        const serviceId = services[op.service]!;
        let expected: string | null = null;
        let item: MItem | undefined;
        const state = lifecycle(p, now);
        if (state !== 'ACTIVE') expected = REASON_OF_STATE[state]!;
        else {
          const offering = p.items.filter((i) => i.services.includes(serviceId)).sort((a, b) => a.services.length - b.services.length || a.position - b.position);
          item = offering.find((i) => remainingOf(i) >= op.quantity);
          if (offering.length === 0) expected = 'SERVICE_NOT_IN_PACKAGE';
          else if (!item) expected = 'INSUFFICIENT_BALANCE';
        }
        const r = await f.redeem(p.id, { serviceId, quantity: op.quantity, hold: op.hold });
        if (!expectOutcome(r, expected, what)) return [p];
        recordTime(p, now);
        const before = valueLeft(p);
        expect(r.json.redemption.packageServiceId, what).toBe(item!.id);
        if (op.hold) item!.held += op.quantity;
        else item!.used += op.quantity;
        p.redemptions.push({ id: r.json.redemption.id, item: item!, quantity: op.quantity, status: op.hold ? 'PENDING' : 'COMMITTED', expire: op.hold ? now + HOLD_MS : null });
        p.log.push(op.hold ? 'HELD' : 'REDEEMED');
        // A visit is worth the value of the paid units it used (a hold uses none yet).
        expect(cents(r.json.redemption.value), what).toBe(before - valueLeft(p));
        if (op.hold) expect(r.json.redemption.holdExpireTime, what).toBe(iso(now + HOLD_MS));
        return [p];
      }
      case 'commit':
      case 'release':
      case 'reverse': {
        const p = pkgs[op.p]!;
        const pending = p.redemptions.filter((r) => r.status === 'PENDING');
        const among = op.pending && pending.length > 0 ? pending : p.redemptions;
        if (among.length === 0) return [];
        const red = among[op.pick % among.length]!;
        let expected: string | null = null;
        if (op.kind === 'reverse') {
          if (red.status === 'PENDING') expected = 'HOLD_PENDING';
          else if (red.status !== 'COMMITTED') expected = 'ALREADY_REVERSED';
          else if (p.cancelled) expected = 'PACKAGE_CANCELLED';
        } else if (red.status !== 'PENDING') expected = 'HOLD_NOT_PENDING';
        const r = await f.call('POST', `/redemptions/${red.id}:${op.kind}`, op.kind === 'reverse' ? { reason: 'random' } : undefined);
        if (!expectOutcome(r, expected, what)) return [p];
        recordTime(p, now);
        const before = valueLeft(p);
        if (op.kind === 'commit') {
          red.item.held -= red.quantity;
          red.item.used += red.quantity;
          red.status = 'COMMITTED';
          p.log.push('COMMITTED');
          expect(cents(r.json.redemption.value), what).toBe(before - valueLeft(p));
        } else if (op.kind === 'release') {
          red.item.held -= red.quantity;
          red.status = 'RELEASED';
          p.log.push('RELEASED');
        } else {
          red.item.used -= red.quantity;
          red.status = 'REVERSED';
          p.log.push('REVERSED');
        }
        expect(r.json.redemption.status, what).toBe(red.status);
        return [p];
      }
      case 'adjust': {
        const p = pkgs[op.p]!;
        const item = p.items[op.item]!;
        const expected = p.cancelled ? 'PACKAGE_CANCELLED' : remainingOf(item) + op.delta < 0 ? 'INSUFFICIENT_BALANCE' : null;
        const r = await f.call('POST', `/packages/${p.id}:adjust`, { packageServiceId: item.id, delta: op.delta, reason: 'random' });
        if (!expectOutcome(r, expected, what)) return [p];
        recordTime(p, now);
        if (op.delta > 0) item.free += op.delta; // free units: no value
        else {
          // Units removed are the free unused ones first, then paid ones (which take their value with them).
          const paidUnused = Math.max(0, item.total - item.free - item.used);
          const freeUnused = item.total - item.used - paidUnused;
          item.free -= Math.min(-op.delta, freeUnused);
        }
        item.total += op.delta;
        p.log.push('ADJUSTED');
        return [p];
      }
      case 'freeze': {
        const p = pkgs[op.p]!;
        const today = localDate(now, p.tz);
        const start = addDays(today, op.startIn ?? 0);
        const end = op.days === 0 ? null : addDays(start, op.days);
        const state = lifecycle(p, now);
        let expected: string | null = null;
        if (state === 'CANCELLED' || state === 'EXPIRED' || state === 'FULLY_REDEEMED') expected = REASON_OF_STATE[state]!;
        else if (currentFreeze(p, now)) expected = 'PACKAGE_FROZEN';
        // A freeze that would begin after the last redeemable day would hold nothing.
        else if (startOfLocalDay(start, p.tz) >= graceEnd(p)) expected = 'INVALID_ARGUMENT';
        const body = { ...(op.startIn === null ? {} : { startDate: start }), ...(end === null ? {} : { endDate: end }), reason: 'random' };
        const r = await f.call('POST', `/packages/${p.id}:freeze`, body);
        if (!expectOutcome(r, expected, what)) return [p];
        recordTime(p, now);
        p.freeze = { start, end };
        // A dated freeze moves the expiration at once, by its days in the local calendar.
        p.endTime = sameWallClockLater(p.endTime, end === null ? 0 : daysBetween(start, end), p.tz);
        p.log.push('FROZEN');
        expect({ endTime: r.json.packageInfo.endTime, expirationDate: r.json.packageInfo.expirationDate }, what).toEqual({
          endTime: iso(p.endTime),
          expirationDate: expirationDate(p),
        });
        return [p];
      }
      case 'unfreeze': {
        const p = pkgs[op.p]!;
        const today = localDate(now, p.tz);
        const expected = p.cancelled ? 'PACKAGE_CANCELLED' : !currentFreeze(p, now) ? 'PACKAGE_NOT_FROZEN' : null;
        const r = await f.call('POST', `/packages/${p.id}:unfreeze`);
        if (!expectOutcome(r, expected, what)) return [p];
        recordTime(p, now);
        const fz = p.freeze!;
        // It counts the days it lasted (none if ended on its first day or called off before it began), and a dated
        // one already moved the expiration by its planned days.
        const lasted = fz.start >= today ? 0 : daysBetween(fz.start, today);
        const planned = fz.end === null ? 0 : daysBetween(fz.start, fz.end);
        p.endTime = sameWallClockLater(p.endTime, lasted - planned, p.tz);
        p.freeze = null;
        p.log.push('UNFROZEN');
        expect({ endTime: r.json.packageInfo.endTime, expirationDate: r.json.packageInfo.expirationDate }, what).toEqual({
          endTime: iso(p.endTime),
          expirationDate: expirationDate(p),
        });
        return [p];
      }
      case 'cancel': {
        const p = pkgs[op.p]!;
        await checkPreviews(f, p, now, op.refund, what);
        const refundBody = typeof op.refund === 'string' ? op.refund : { amount: usdCents(op.refund.amount) };
        const expected = p.cancelled ? 'PACKAGE_CANCELLED' : typeof op.refund !== 'string' && op.refund.amount > p.paid ? 'INVALID_ARGUMENT' : null;
        const r = await f.call('POST', `/packages/${p.id}:cancel`, { refund: refundBody, reason: 'random' });
        if (!expectOutcome(r, expected, what)) return [p];
        const refund = refundNow(p, now, op.refund);
        recordTime(p, now);
        for (const red of p.redemptions) {
          if (red.status === 'PENDING') {
            red.status = 'RELEASED';
            red.item.held -= red.quantity;
            p.log.push('RELEASED');
          }
        }
        expect(cents(r.json.refund), what).toBe(refund);
        p.cancelled = true;
        p.refunded = refund;
        p.log.push('CANCELLED');
        return [p];
      }
    }
  }

  it(
    'keeps quantities, lifecycle, dates, values, refunds and the ledger in step with the model, across DST',
    async () => {
      const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
      await fc.assert(
        fc.asyncProperty(runArb, fc.tuple(packageArb, packageArb), fc.array(opArb, { minLength: 5, maxLength: 30, size: 'max' }), async (runSpec, [specA, specB], ops) => {
          run++;
          const tz = runSpec.zone;
          const startDate = addDays(TRANSITIONS[tz][runSpec.transition]!, -runSpec.daysBefore);
          t.clock.set(localInstant(tz, startDate, runSpec.minuteOfDay * 60).ms);
          count(`zone:${tz}`);
          const f = await makeFactory(t, { timeZone: tz });
          const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: f.c.auth });
          const keyId: string = me.json().keyId;
          const services = [await f.service({ price: '20.00' }), await f.service({ price: '30.00' }), await f.service({ price: '15.00' }), await f.service({ price: '10.00' })];
          const pkgs = [await sell(f, services, specA, validityDays(specA, runSpec), tz), await sell(f, services, specB, validityDays(specB, runSpec), tz)];
          for (const p of pkgs) await check(f, keyId, p, t.clock.now(), 'after the sale');
          for (const [n, op] of ops.entries()) {
            const touched = await apply(f, services, pkgs, op);
            for (const p of touched) await check(f, keyId, p, t.clock.now(), `after step ${n}: ${JSON.stringify(op)}`);
          }
          // Finally let time run out: everything left expires or was cancelled, and owes nothing.
          t.clock.advance(400 * DAY);
          for (const [n, p] of pkgs.entries()) {
            settle(p, t.clock.now());
            if (!p.cancelled && currentFreeze(p, t.clock.now())) {
              await apply(f, services, pkgs, { kind: 'unfreeze', p: n });
              await check(f, keyId, p, t.clock.now(), 'after the last unfreeze');
            }
          }
          t.clock.advance(500 * DAY);
          for (const p of pkgs) await checkPreviews(f, p, t.clock.now(), null, 'after everything lapsed');
          await apply(f, services, pkgs, { kind: 'sweep' });
          for (const p of pkgs) {
            await check(f, keyId, p, t.clock.now(), 'after everything expired');
            expect(cents((await f.get(p.id)).remainingValue)).toBe(0);
            expect(onLedger(p)).toBe(0);
          }
        }),
        { numRuns: Number(process.env.FC_RUNS ?? PROPERTY_RUNS[engine] ?? 25), ...(seed === undefined ? {} : { seed }) },
      );
      // The runs did what they are for: validity, freezes and the clock crossed DST changes.
      if (!process.env.FC_ZONE && Number(process.env.FC_RUNS ?? PROPERTY_RUNS[engine]) >= 20) {
        expect(tally.get('sale:validity crosses DST') ?? 0).toBeGreaterThan(0);
        expect(tally.get('calendar:crosses DST') ?? 0).toBeGreaterThan(0);
        expect(tally.get('clock:crosses DST') ?? 0).toBeGreaterThan(0);
      }
    },
    600_000,
  );
});
