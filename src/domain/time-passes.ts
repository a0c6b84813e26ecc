// What time alone decides: lapsed holds give their units back at their expiry, and a package whose grace has
// ended (no freeze holding its clock) expires, its unused value becoming breakage. Every command records
// these first, and the sweeper records nothing else, so no answer depends on whether it has run.
import { startOfLocalDay } from './calendar.js';
import { expirationDate, graceEndTime, hasLapsed } from './package.js';
import type { Decision, PackageState } from './decision.js';
import { Changes } from './decision.js';

export interface CatchUpUntil {
  /** Holds whose expiry is at or before this lapse. */
  readonly holds: number;
  /** The package expires if its grace ended at or before this. */
  readonly expiry: number;
}

/** Continues a decision with what time has decided by then. */
export function catchUpOn(c: Changes, until: CatchUpUntil): Changes {
  const lapsed = c.holds
    .filter((h) => h.holdExpireTime !== null && h.holdExpireTime <= until.holds)
    .sort((a, b) => a.holdExpireTime! - b.holdExpireTime! || (a.id < b.id ? -1 : 1));
  for (const hold of lapsed) {
    const before = c.pkg;
    c.transition(hold.id, 'PENDING', 'EXPIRED').move({ kind: 'releaseHeld', itemId: hold.itemId, n: hold.quantity });
    c.event(before, { type: 'HOLD_EXPIRED', time: hold.holdExpireTime!, redemptionId: hold.id, itemId: hold.itemId, quantity: hold.quantity, data: {} });
  }
  const p = c.pkg;
  if (p.cancelTime === null && p.expiredTime === null && hasLapsed(p, until.expiry)) {
    const end = graceEndTime(p)!;
    c.set({ ...p, expiredTime: end }).event(p, {
      type: 'EXPIRED',
      time: end,
      data: { expirationDate: expirationDate(p), gracePeriodDays: p.gracePeriodDays, correction: false },
    });
  }
  return c;
}

/** Whether time has decided anything not yet written for this package by `now` (a cheap test for reads). */
export function timeHasDecided(state: PackageState, now: number): boolean {
  const p = state.pkg;
  return (
    state.holds.some((h) => h.holdExpireTime !== null && h.holdExpireTime <= now) ||
    (p.cancelTime === null && p.expiredTime === null && hasLapsed(p, now))
  );
}

/** What time has decided for this package by `now` (the sweeper's whole work, and every read's view). */
export function catchUp(state: PackageState, now: number): Decision {
  return catchUpOn(new Changes(state), { holds: now, expiry: now }).done();
}

/**
 * The first instant after `asOf` at which time alone may change how the package reads: a pending hold lapsing,
 * the grace ending, the start of validity, a freeze's first day and its first day redeemable again (local
 * midnights in the package's zone). Every reading (viewAt, lifecycleAt, canRedeem, the values) is the same at
 * every instant from `asOf` until then, unless the package itself changes; +Infinity when nothing lies ahead.
 */
export function readingChangesAt(state: PackageState, asOf: number): number {
  const p = state.pkg;
  let first = Infinity;
  const consider = (t: number | null) => {
    if (t !== null && t > asOf && t < first) first = t;
  };
  for (const hold of state.holds) consider(hold.holdExpireTime);
  consider(graceEndTime(p));
  consider(p.startTime);
  if (p.freeze) {
    consider(startOfLocalDay(p.freeze.startDate, p.timeZone));
    if (p.freeze.endDate !== null) consider(startOfLocalDay(p.freeze.endDate, p.timeZone));
  }
  return first;
}
