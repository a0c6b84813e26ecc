// Changes to a package's life rather than its visits: freeze and unfreeze, extend, adjust, cancel with a refund.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import type { LocalDate } from '../domain/calendar.js';
import { NEVER_EXPIRES, addDays, daysBetween, localDateOf, startOfLocalDay } from '../domain/calendar.js';
import { failedPrecondition, invalidArgument } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import { assertSameCurrency, compare, isNegative, money } from '../domain/money.js';
import type { CustomerPackage } from '../domain/package.js';
import { expirationDate, isFrozenAt, lifecycleAt, remainingValue } from '../domain/package.js';
import type { Deps } from './context.js';
import type { Outcome } from './idempotency.js';
import { runIdempotent } from './idempotency.js';
import type { PackageView } from './package-tx.js';
import { PackageTx } from './package-tx.js';

const DAY_MS = 86_400_000;
const zeroOf = (pkg: CustomerPackage) => money(pkg.paid.currency, 0);

function assertChangeable(pkg: CustomerPackage, now: number): void {
  const state = lifecycleAt(pkg, now);
  if (state === 'CANCELLED') throw failedPrecondition('PACKAGE_CANCELLED', `package ${pkg.id} is cancelled`, { packageId: pkg.id });
  if (state === 'EXPIRED') throw failedPrecondition('PACKAGE_EXPIRED', `package ${pkg.id} expired on ${expirationDate(pkg)}`, { packageId: pkg.id });
  if (state === 'FULLY_REDEEMED') throw failedPrecondition('PACKAGE_FULLY_REDEEMED', `package ${pkg.id} is fully redeemed`, { packageId: pkg.id });
}

const shift = (end: number | null, days: number): number | null => (end === null ? null : end + days * DAY_MS);

async function onPackage(
  deps: Deps,
  p: Principal,
  companyId: string,
  packageId: string,
  operation: string,
  request: unknown,
  idempotencyKey: string | undefined,
  apply: (tx: PackageTx) => Promise<void>,
): Promise<Outcome<PackageView>> {
  const now = deps.clock.now();
  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: `${operation}:${packageId}`, request }, async (repos) => {
    const tx = await PackageTx.open(repos, companyId, packageId, now, { principal: p, staffId: null });
    await apply(tx);
    return tx.view();
  });
}

export interface FreezeInput {
  readonly startDate?: LocalDate;
  readonly endDate?: LocalDate;
  readonly reason?: string;
}

/**
 * Freezes a package from startDate (default today, in the business's zone) until endDate, the day it is
 * redeemable again, or until unfrozen. A dated freeze moves the expiration at once by its length; an open one
 * when it ends.
 */
export function freezePackage(deps: Deps, p: Principal, companyId: string, packageId: string, input: FreezeInput, key?: string) {
  authorize(p, companyId, 'freeze');
  return onPackage(deps, p, companyId, packageId, 'freeze', input, key, async (tx) => {
    const pkg = tx.pkg;
    authorize(p, companyId, 'freeze', pkg.businessId);
    assertChangeable(pkg, tx.now);
    const today = localDateOf(tx.now, pkg.timeZone);
    if (pkg.freeze && (isFrozenAt(pkg, tx.now) || pkg.freeze.startDate > today)) {
      throw failedPrecondition('PACKAGE_FROZEN', `package ${pkg.id} is already frozen from ${pkg.freeze.startDate}`, { packageId: pkg.id });
    }
    const startDate = input.startDate ?? today;
    if (startDate < today) throw invalidArgument('startDate', 'must not lie in the past');
    if (input.endDate !== undefined && input.endDate <= startDate) throw invalidArgument('endDate', 'must be after startDate');
    const days = input.endDate ? daysBetween(startDate, input.endDate) : 0;
    const freeze = { startDate, endDate: input.endDate ?? null, reason: input.reason ?? '', keepEndTime: null };
    const endTime = shift(pkg.endTime, days);
    tx.pkg = { ...pkg, freeze, endTime };
    await tx.append('FROZEN', zeroOf(pkg), { data: { startDate, endDate: freeze.endDate, reason: freeze.reason, daysMoved: days } });
    await tx.finish({ freeze, endTime });
  });
}

/** Ends a freeze now (or cancels one not yet begun); the expiration moves by the days it was frozen. */
export function unfreezePackage(deps: Deps, p: Principal, companyId: string, packageId: string, key?: string) {
  authorize(p, companyId, 'freeze');
  return onPackage(deps, p, companyId, packageId, 'unfreeze', {}, key, async (tx) => {
    const pkg = tx.pkg;
    authorize(p, companyId, 'freeze', pkg.businessId);
    const today = localDateOf(tx.now, pkg.timeZone);
    const f = pkg.freeze;
    if (!f || (f.endDate !== null && f.endDate <= today)) {
      throw failedPrecondition('PACKAGE_NOT_FROZEN', `package ${pkg.id} is not frozen`, { packageId: pkg.id });
    }
    if (pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${pkg.id} is cancelled`, { packageId: pkg.id });
    const frozenDays = f.startDate >= today ? 0 : daysBetween(f.startDate, today);
    // A dated freeze already moved the expiration by its planned length; correct it to the days it lasted.
    const planned = f.endDate ? daysBetween(f.startDate, f.endDate) : 0;
    const endTime = shift(pkg.endTime, frozenDays - planned);
    tx.pkg = { ...pkg, freeze: null, endTime };
    await tx.append('UNFROZEN', zeroOf(pkg), { data: { startDate: f.startDate, endDate: today, frozenDays, daysMoved: frozenDays - planned } });
    await tx.finish({ freeze: null, endTime });
  });
}

/** Moves the expiration date later (ADMIN); 9999-01-01 makes it never expire. Revives an expired package. */
export function extendPackage(deps: Deps, p: Principal, companyId: string, packageId: string, newDate: LocalDate, key?: string) {
  authorize(p, companyId, 'admin');
  return onPackage(deps, p, companyId, packageId, 'extend', { expirationDate: newDate }, key, async (tx) => {
    const pkg = tx.pkg;
    if (pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${pkg.id} is cancelled`, { packageId: pkg.id });
    const current = expirationDate(pkg);
    if (newDate <= current) throw invalidArgument('expirationDate', `must be after the current expiration date ${current}`);
    // The last second of the new local date, so that its expirationDate reads back as given.
    const endTime = newDate === NEVER_EXPIRES ? null : startOfLocalDay(addDays(newDate, 1), pkg.timeZone) - 1000;
    const revived = pkg.expiredTime !== null;
    const delta = tx.change({ ...pkg, endTime, expiredTime: null, startTime: pkg.startTime ?? tx.now });
    await tx.append('EXTENDED', delta, { data: { from: current, to: newDate, revived } });
    await tx.finish({ endTime, expiredTime: null, startTime: tx.pkg.startTime });
  });
}

export interface AdjustInput {
  readonly packageServiceId: string;
  readonly delta: number;
  readonly reason: string;
}

/** Adds or removes units of one item (ADMIN): a goodwill session, a correction. */
export function adjustPackage(deps: Deps, p: Principal, companyId: string, packageId: string, input: AdjustInput, key?: string) {
  authorize(p, companyId, 'admin');
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > 10_000) {
    throw invalidArgument('delta', 'must be a non-zero integer from -10000 to 10000');
  }
  return onPackage(deps, p, companyId, packageId, 'adjust', input, key, async (tx) => {
    const pkg = tx.pkg;
    if (pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${pkg.id} is cancelled`, { packageId: pkg.id });
    const item = pkg.items.find((i) => i.id === input.packageServiceId);
    if (!item) throw invalidArgument('packageServiceId', `package ${pkg.id} has no item ${input.packageServiceId}`);
    if (item.remaining + input.delta < 0) {
      throw failedPrecondition('INSUFFICIENT_BALANCE', `item ${item.id} has ${item.remaining} left; cannot remove ${-input.delta}`, {
        packageId: pkg.id,
        packageServiceId: item.id,
      });
    }
    await tx.guard(tx.repos.packages.adjust(pkg.companyId, pkg.id, item.id, input.delta));
    const delta = tx.change({
      ...pkg,
      items: pkg.items.map((i) => (i.id === item.id ? { ...i, total: i.total + input.delta, remaining: i.remaining + input.delta } : i)),
    });
    await tx.append('ADJUSTED', delta, { itemId: item.id, quantity: input.delta, data: { reason: input.reason } });
    await tx.finish();
  });
}

export type RefundSpec = 'NONE' | 'FULL' | 'PRORATED' | { readonly amount: Money };

export interface CancelResult {
  readonly view: PackageView;
  readonly refund: Money;
}

/** What a cancellation pays back: nothing, everything, what was paid less what was used, or a chosen amount. */
export function refundAmount(pkg: CustomerPackage, spec: RefundSpec): Money {
  if (spec === 'NONE') return zeroOf(pkg);
  if (spec === 'FULL') return pkg.paid;
  if (spec === 'PRORATED') return remainingValue({ ...pkg, expiredTime: null });
  assertSameCurrency(pkg.paid, spec.amount, 'refund.amount.currencyCode');
  if (isNegative(spec.amount)) throw invalidArgument('refund.amount', 'must not be negative');
  if (compare(spec.amount, pkg.paid) > 0) throw invalidArgument('refund.amount', `must not exceed what was paid (${pkg.paid.minor} minor units)`);
  return spec.amount;
}

/** Cancels a package (ADMIN): pending holds are released, what is left stops being redeemable, the refund is recorded. */
export async function cancelPackage(
  deps: Deps,
  p: Principal,
  companyId: string,
  packageId: string,
  input: { refund: RefundSpec; reason: string },
  key?: string,
): Promise<Outcome<CancelResult>> {
  authorize(p, companyId, 'admin');
  const now = deps.clock.now();
  return runIdempotent(deps, { companyId, key, operation: `cancel:${packageId}`, request: input }, async (repos) => {
    const tx = await PackageTx.open(repos, companyId, packageId, now, { principal: p, staffId: null });
    if (tx.pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${packageId} is already cancelled`, { packageId });
    for (const hold of await repos.redemptions.listPending(companyId, packageId)) {
      if (!(await repos.redemptions.transition(companyId, hold.id, 'PENDING', 'RELEASED', now))) continue;
      const item = tx.item(hold.itemId);
      await tx.guard(repos.packages.releaseHeld(companyId, packageId, hold.itemId, hold.quantity));
      tx.setItem({ ...item, held: item.held - hold.quantity, remaining: item.remaining + hold.quantity });
      await tx.append('RELEASED', zeroOf(tx.pkg), { redemptionId: hold.id, itemId: hold.itemId, quantity: hold.quantity, data: { reason: 'package cancelled' } });
    }
    const refund = refundAmount(tx.pkg, input.refund);
    const delta = tx.change({ ...tx.pkg, cancelTime: now, refund });
    await tx.append('CANCELLED', delta, {
      refund,
      data: { reason: input.reason, refundMode: typeof input.refund === 'string' ? input.refund : 'AMOUNT' },
    });
    await tx.finish({ cancelTime: now, refund });
    return { view: await tx.view(), refund };
  });
}
