// Changes to a package's life rather than its visits: freeze and unfreeze, extend, adjust, cancel with a
// refund. Pure functions of the package (with its holds), the command and the instant; every change of
// endTime goes through the one calendar rule (shiftDays / endOfLocalDate).
import type { LocalDate } from './calendar.js';
import { daysBetween, endOfLocalDate, localDateOf, shiftEnd, startOfLocalDay } from './calendar.js';
import { failedPrecondition, invalidArgument } from './errors.js';
import type { Money } from './money.js';
import { assertSameCurrency, compare, isNegative, min, money, negate } from './money.js';
import type { CustomerPackage } from './package.js';
import { breakageValue, expirationDate, graceEndTime, hasLapsed, lifecycleAt, outstandingValue } from './package.js';
import type { Decision, PackageState } from './decision.js';
import { Changes, itemOf } from './decision.js';
import type { RefundMode } from './package-events.js';
import { catchUpOn } from './time-passes.js';

export const MAX_ADJUST = 10_000;

const now$ = (state: PackageState, now: number) => catchUpOn(new Changes(state), { holds: now, expiry: now });

const cancelled = (p: CustomerPackage) => failedPrecondition('PACKAGE_CANCELLED', `package ${p.id} is cancelled`, { packageId: p.id });

/** Freezing needs a package that is still open: not cancelled, expired or fully redeemed. */
function assertOpen(p: CustomerPackage, now: number): void {
  const meta = { packageId: p.id };
  switch (lifecycleAt(p, now)) {
    case 'CANCELLED':
      throw cancelled(p);
    case 'EXPIRED':
      throw failedPrecondition('PACKAGE_EXPIRED', `package ${p.id} expired on ${expirationDate(p)}`, meta);
    case 'FULLY_REDEEMED':
      throw failedPrecondition('PACKAGE_FULLY_REDEEMED', `package ${p.id} is fully redeemed`, meta);
    default:
  }
}

/** A freeze that is running or has not begun yet (a dated one that has ended no longer counts). */
export function currentFreeze(p: CustomerPackage, now: number) {
  const f = p.freeze;
  if (!f) return null;
  const today = localDateOf(now, p.timeZone);
  return f.endDate !== null && f.endDate <= today ? null : f;
}

export interface FreezeCommand {
  readonly startDate?: LocalDate;
  readonly endDate?: LocalDate;
  readonly reason?: string;
}

/**
 * Freezes from startDate (default today, local) until endDate, the day it is redeemable again, or until
 * unfrozen. A dated freeze moves the expiration at once by its length in local dates; an open one when it ends.
 */
export function freeze(state: PackageState, cmd: FreezeCommand, now: number): Decision {
  const c = now$(state, now);
  const p = c.pkg;
  assertOpen(p, now);
  const today = localDateOf(now, p.timeZone);
  const running = currentFreeze(p, now);
  if (running) throw failedPrecondition('PACKAGE_FROZEN', `package ${p.id} is already frozen from ${running.startDate}`, { packageId: p.id });
  const startDate = cmd.startDate ?? today;
  if (startDate < today) throw invalidArgument('startDate', 'must not lie in the past');
  if (cmd.endDate !== undefined && cmd.endDate <= startDate) throw invalidArgument('endDate', 'must be after startDate');
  const graceEnd = graceEndTime(p);
  // A freeze that would begin after the package has lapsed would hold nothing.
  if (graceEnd !== null && startOfLocalDay(startDate, p.timeZone) >= graceEnd) {
    throw invalidArgument('startDate', `must be on or before ${localDateOf(graceEnd - 1, p.timeZone)}, the last day the package can be redeemed`);
  }
  const days = cmd.endDate ? daysBetween(startDate, cmd.endDate) : 0;
  const next = {
    ...p,
    freeze: { startDate, endDate: cmd.endDate ?? null, reason: cmd.reason ?? '', keepEndTime: null },
    endTime: shiftEnd(p.endTime, days, p.timeZone),
  };
  return c.set(next).event(p, { type: 'FROZEN', time: now, data: { startDate, endDate: next.freeze.endDate, reason: next.freeze.reason, daysMoved: days } }).done();
}

/**
 * Ends a running freeze today (the expiration keeps only the days it lasted) or calls off one not yet begun
 * (its days come back). An extension made during the freeze is kept: endTime never falls before it.
 */
export function unfreeze(state: PackageState, now: number): Decision {
  const c = now$(state, now);
  const p = c.pkg;
  if (p.cancelTime !== null) throw cancelled(p);
  const f = currentFreeze(p, now);
  if (!f) throw failedPrecondition('PACKAGE_NOT_FROZEN', `package ${p.id} is not frozen`, { packageId: p.id });
  const today = localDateOf(now, p.timeZone);
  const calledOff = f.startDate > today;
  const frozenDays = f.startDate >= today ? 0 : daysBetween(f.startDate, today);
  // A dated freeze already moved the expiration by its planned length; correct it to the days it lasted.
  const planned = f.endDate ? daysBetween(f.startDate, f.endDate) : 0;
  let endTime = shiftEnd(p.endTime, frozenDays - planned, p.timeZone);
  if (endTime !== null && f.keepEndTime !== null && endTime < f.keepEndTime) endTime = f.keepEndTime;
  const next = { ...p, freeze: null, endTime };
  const daysMoved = p.endTime === null || endTime === null ? 0 : daysBetween(expirationDate(p), expirationDate(next));
  return c
    .set(next)
    .event(p, { type: 'UNFROZEN', time: now, data: { startDate: f.startDate, endDate: today, frozenDays, daysMoved, calledOff } })
    .done();
}

/**
 * Moves the expiration date later (9999-01-01: never expires); endTime becomes the last second of that local
 * date. Revives an expired package, writing its breakage back. Kept through a freeze running or to come.
 */
export function extend(state: PackageState, newDate: LocalDate, now: number): Decision {
  const c = now$(state, now);
  const p = c.pkg;
  if (p.cancelTime !== null) throw cancelled(p);
  const current = expirationDate(p);
  if (newDate <= current) throw invalidArgument('expirationDate', `must be after the current expiration date ${current}`);
  const endTime = endOfLocalDate(newDate, p.timeZone);
  const f = currentFreeze(p, now);
  const moved: CustomerPackage = {
    ...p,
    endTime,
    startTime: p.startTime ?? now,
    freeze: f ? { ...f, keepEndTime: endTime } : p.freeze,
  };
  const revived = p.expiredTime !== null && !hasLapsed(moved, now);
  const next = revived ? { ...moved, expiredTime: null } : moved;
  return c.set(next).event(p, { type: 'EXTENDED', time: now, data: { from: current, to: newDate, revived } }).done();
}

export interface AdjustCommand {
  readonly packageServiceId: string;
  readonly delta: number;
  readonly reason: string;
}

export function checkAdjustCommand(cmd: AdjustCommand): void {
  if (!Number.isInteger(cmd.delta) || cmd.delta === 0 || Math.abs(cmd.delta) > MAX_ADJUST) {
    throw invalidArgument('delta', `must be a non-zero integer from -${MAX_ADJUST} to ${MAX_ADJUST}`);
  }
}

/**
 * Adds free units (a goodwill session: they carry no value) or removes units (free ones first, then paid
 * ones, which take their value with them). Never below what is left to redeem.
 */
export function adjust(state: PackageState, cmd: AdjustCommand, now: number): Decision {
  checkAdjustCommand(cmd);
  const c = now$(state, now);
  const p = c.pkg;
  if (p.cancelTime !== null) throw cancelled(p);
  const item = itemOf(p, cmd.packageServiceId);
  if (item.remaining + cmd.delta < 0) {
    throw failedPrecondition('INSUFFICIENT_BALANCE', `item ${item.id} has ${item.remaining} left; cannot remove ${-cmd.delta}`, {
      packageId: p.id,
      packageServiceId: item.id,
    });
  }
  let freeDelta = cmd.delta;
  if (cmd.delta < 0) {
    const paidUnused = Math.max(0, item.total - item.free - item.used);
    const freeUnused = item.total - item.used - paidUnused;
    freeDelta = -Math.min(-cmd.delta, freeUnused);
  }
  c.move({ kind: 'adjust', itemId: item.id, delta: cmd.delta, freeDelta });
  return c.event(p, { type: 'ADJUSTED', time: now, itemId: item.id, quantity: cmd.delta, data: { reason: cmd.reason } }).done();
}

export type RefundSpec = 'NONE' | 'FULL' | 'PRORATED' | { readonly amount: Money };

/**
 * What cancelling pays back, the one refund rule (the preview and the cancellation both ask it): nothing;
 * what was paid; the outstanding value (paid less the value of what was used; nothing once expired, its value
 * having gone to breakage); or a chosen amount, at most what was paid.
 */
export function refundOf(p: CustomerPackage, spec: RefundSpec): Money {
  if (spec === 'NONE') return money(p.paid.currency, 0);
  if (spec === 'FULL') return p.paid;
  if (spec === 'PRORATED') return outstandingValue(p);
  assertSameCurrency(p.paid, spec.amount, 'refund.amount.currencyCode');
  if (isNegative(spec.amount)) throw invalidArgument('refund.amount', 'must not be negative');
  if (compare(spec.amount, p.paid) > 0) throw invalidArgument('refund.amount', `must not exceed what was paid (${p.paid.minor} minor units)`);
  return spec.amount;
}

/** The refund a cancellation at `now` would give, without cancelling. */
export function refundPreview(state: PackageState, spec: RefundSpec, now: number): Money {
  const p = now$(state, now).pkg;
  if (p.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${p.id} is already cancelled`, { packageId: p.id });
  return refundOf(p, spec);
}

export interface CancelCommand {
  readonly refund: RefundSpec;
  readonly reason: string;
}

/**
 * Cancels: pending holds are released, what is left stops being redeemable, and the refund is recorded. The
 * outstanding value leaves the liability; on an expired package the refund comes out of its breakage.
 */
export function cancel(state: PackageState, cmd: CancelCommand, now: number): Decision {
  const c = now$(state, now);
  if (c.pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${c.pkg.id} is already cancelled`, { packageId: c.pkg.id });
  for (const hold of [...c.holds]) {
    const before = c.pkg;
    c.move({ kind: 'releaseHeld', itemId: hold.itemId, n: hold.quantity }).transition(hold.id, 'PENDING', 'RELEASED');
    c.event(before, { type: 'RELEASED', time: now, redemptionId: hold.id, itemId: hold.itemId, quantity: hold.quantity, data: { reason: 'package cancelled' } });
  }
  const p = c.pkg;
  const refund = refundOf(p, cmd.refund);
  const refundMode: RefundMode = typeof cmd.refund === 'string' ? cmd.refund : 'AMOUNT';
  const breakage = breakageValue(p);
  return c
    .set({ ...p, cancelTime: now, refund })
    .event(p, {
      type: 'CANCELLED',
      time: now,
      refund,
      valueDelta: negate(outstandingValue(p)),
      breakageDelta: negate(min(refund, breakage)),
      data: { reason: cmd.reason, refundMode },
    })
    .done();
}
