// A sold package and its rules: what state it is in at a moment, whether it may be redeemed, which item a
// service draws on, and what its unused part is worth.
import type { LocalDate, Validity } from './calendar.js';
import { NEVER_EXPIRES, addValidity, expirationDateOf, graceEndOf, localDateOf, startOfLocalDay } from './calendar.js';
import { DomainError, failedPrecondition } from './errors.js';
import type { Money } from './money.js';
import { money, sum, valueOfLastUnits } from './money.js';
import type { Activation, ItemKind, PackageType } from './template.js';

export const LIFECYCLES = ['NOT_STARTED', 'ACTIVE', 'FROZEN', 'EXPIRED', 'CANCELLED', 'FULLY_REDEEMED'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export interface ItemChoice {
  readonly id: string;
  readonly name: string;
}

export interface PackageItem {
  readonly id: string;
  readonly position: number;
  readonly kind: ItemKind;
  readonly choices: readonly ItemChoice[];
  /** As sold. */
  readonly quantity: number;
  /** As sold plus adjustments. */
  readonly total: number;
  /** Committed units. */
  readonly used: number;
  /** Units reserved by pending holds. */
  readonly held: number;
  /** Units added by adjustments and still in total: they carry no value (paid units are used first). */
  readonly free: number;
  /** total − used − held: what can still be redeemed. */
  readonly remaining: number;
  /** The item's share of what was paid. */
  readonly value: Money;
  readonly unitPrice: Money;
}

export interface Freeze {
  readonly startDate: LocalDate;
  /** The day it is redeemable again; null until unfrozen. */
  readonly endDate: LocalDate | null;
  readonly reason: string;
  /** The end of validity an extension set during this freeze: ending the freeze never brings endTime before it. */
  readonly keepEndTime: number | null;
}

export interface Invoice {
  readonly id: string;
  readonly no: string;
  readonly receiptNo: string;
  readonly status: string;
}

export interface CustomerPackage {
  readonly companyId: string;
  readonly id: string;
  /** Its id in the system it was imported from; null for a package sold here. */
  readonly sourceId: string | null;
  readonly customerId: string;
  readonly businessId: string;
  readonly staffId: string | null;
  readonly templateId: string;
  readonly name: string;
  readonly description: string;
  readonly type: PackageType;
  readonly listPrice: Money;
  readonly paid: Money;
  readonly timeZone: string;
  readonly purchaseTime: number;
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly validity: Validity;
  readonly gracePeriodDays: number;
  readonly activation: Activation;
  readonly restrictToSellingBusiness: boolean;
  readonly freeze: Freeze | null;
  readonly cancelTime: number | null;
  readonly refund: Money | null;
  /** When its expiry was written to the ledger (breakage); null while it has not expired, or was extended since. */
  readonly expiredTime: number | null;
  readonly invoice: Invoice | null;
  readonly eventSeq: number;
  readonly createTime: number;
  readonly updateTime: number;
  readonly items: readonly PackageItem[];
}

export const serviceItems = (p: CustomerPackage) => p.items.filter((i) => i.kind === 'SERVICE');
export const totalRemaining = (p: CustomerPackage): number => serviceItems(p).reduce((n, i) => n + i.remaining, 0);
export const totalHeld = (p: CustomerPackage): number => p.items.reduce((n, i) => n + i.held, 0);
export const totalUsed = (p: CustomerPackage): number => p.items.reduce((n, i) => n + i.used, 0);

/** yyyy-MM-dd in the business's zone; 9999-01-01 when it never expires (or has not started its clock). */
export const expirationDate = (p: CustomerPackage): LocalDate => expirationDateOf(p.endTime, p.timeZone);

// A package record never changes (every change makes a new one), and reads ask for its grace end on every
// request (lifecycle, expiry): remember it per record rather than redo the time-zone arithmetic.
const graceEnds = new WeakMap<CustomerPackage, number | null>();

/** Redeemable through the whole local expiration date, then the grace days; null when it never expires. */
export function graceEndTime(p: CustomerPackage): number | null {
  if (p.endTime === null) return null;
  let end = graceEnds.get(p);
  if (end === undefined) graceEnds.set(p, (end = graceEndOf(expirationDate(p), p.gracePeriodDays, p.timeZone)));
  return end;
}

export function isFrozenAt(p: CustomerPackage, now: number): boolean {
  if (!p.freeze) return false;
  const today = localDateOf(now, p.timeZone);
  return p.freeze.startDate <= today && (p.freeze.endDate === null || today < p.freeze.endDate);
}

const nothingLeft = (p: CustomerPackage) => p.items.every((i) => i.remaining === 0 && i.held === 0);

/**
 * Whether time alone has ended the package by `at`: its grace has ended, and no freeze was running when it
 * did (a running freeze holds the clock). Decided by the moment, never by whether the expiry was written yet.
 */
export function hasLapsed(p: CustomerPackage, at: number): boolean {
  const graceEnd = graceEndTime(p);
  return graceEnd !== null && graceEnd <= at && !isFrozenAt(p, graceEnd);
}

/** The lifecycle at a moment. A running freeze holds the clock, so a frozen package does not expire. */
export function lifecycleAt(p: CustomerPackage, now: number): Lifecycle {
  if (p.cancelTime !== null) return 'CANCELLED';
  if (nothingLeft(p)) return 'FULLY_REDEEMED';
  if (hasLapsed(p, now)) return 'EXPIRED';
  if (isFrozenAt(p, now)) return 'FROZEN';
  if (p.startTime !== null && now < p.startTime) return 'NOT_STARTED';
  return 'ACTIVE';
}

/** Refuses, with the contract's reason, anything but an ACTIVE package (at the selling business if it says so). */
export function assertRedeemable(p: CustomerPackage, at: number, businessId: string): void {
  const meta = { packageId: p.id };
  switch (lifecycleAt(p, at)) {
    case 'CANCELLED':
      throw failedPrecondition('PACKAGE_CANCELLED', `package ${p.id} is cancelled`, meta);
    case 'FULLY_REDEEMED':
      throw failedPrecondition('PACKAGE_FULLY_REDEEMED', `package ${p.id} is fully redeemed`, meta);
    case 'FROZEN':
      throw failedPrecondition(
        'PACKAGE_FROZEN',
        p.freeze!.endDate ? `package ${p.id} is frozen until ${p.freeze!.endDate}` : `package ${p.id} is frozen`,
        meta,
      );
    case 'EXPIRED':
      throw failedPrecondition('PACKAGE_EXPIRED', `package ${p.id} expired on ${expirationDate(p)}`, meta);
    case 'NOT_STARTED':
      throw failedPrecondition('PACKAGE_NOT_STARTED', `package ${p.id} starts at ${new Date(p.startTime!).toISOString()}`, meta);
    case 'ACTIVE':
      break;
  }
  if (p.restrictToSellingBusiness && businessId !== p.businessId) {
    throw failedPrecondition('WRONG_BUSINESS', `package ${p.id} can be redeemed only at business ${p.businessId}`, {
      ...meta,
      businessId: p.businessId,
    });
  }
}

/**
 * The item a service (or product) draws on: among the items that offer it, the first with enough left,
 * preferring the most specific item (fewest alternatives) so that "any of" items stay flexible.
 */
export function chooseItem(p: CustomerPackage, refId: string, quantity: number): PackageItem {
  const offering = p.items
    .filter((i) => i.choices.some((c) => c.id === refId))
    .sort((a, b) => a.choices.length - b.choices.length || a.position - b.position);
  if (offering.length === 0) {
    throw failedPrecondition('SERVICE_NOT_IN_PACKAGE', `package ${p.id} does not include ${refId}`, { packageId: p.id, serviceId: refId });
  }
  const item = offering.find((i) => i.remaining >= quantity);
  if (!item) {
    const left = offering.reduce((n, i) => n + i.remaining, 0);
    throw failedPrecondition('INSUFFICIENT_BALANCE', `package ${p.id} has ${left} of ${refId} left, ${quantity} asked`, {
      packageId: p.id,
      serviceId: refId,
      remaining: String(left),
    });
  }
  return item;
}

/** The package as a redemption at `at` finds it: one that starts at its first redemption starts then. */
export function startedAt(p: CustomerPackage, at: number): CustomerPackage {
  return p.startTime === null ? { ...p, startTime: at, endTime: addValidity(at, p.validity, p.timeZone) } : p;
}

/**
 * Whether a redemption at `at` and `businessId` would be accepted: of `quantity` of `serviceId`, or, without a
 * service, of any service item with units left. The same rules as redeeming, asked without redeeming.
 */
export function canRedeem(p: CustomerPackage, at: number, businessId: string, serviceId?: string, quantity = 1): boolean {
  const started = startedAt(p, at);
  try {
    assertRedeemable(started, at, businessId);
    if (serviceId !== undefined) chooseItem(started, serviceId, quantity);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'FAILED_PRECONDITION') return false;
    throw error;
  }
  return serviceId !== undefined || serviceItems(started).some((i) => i.remaining > 0);
}

/**
 * What the unused part of an item is worth: its paid units not yet used (held ones included). Paid units are
 * used before free ones (added by adjustments), so free units never carry value.
 */
export function itemRemainingValue(i: PackageItem): Money {
  const paidUnused = Math.max(0, i.total - i.free - i.used);
  return valueOfLastUnits(i.value, i.quantity, paidUnused);
}

/** The value of what is left of every item, as if the package were still open. */
export function valueLeft(p: CustomerPackage): Money {
  return sum(p.paid.currency, p.items.map(itemRemainingValue));
}

/** Whether a package's value is out of the outstanding liability: cancelled, or its expiry written (breakage). */
const closedOnLedger = (p: CustomerPackage) => p.cancelTime !== null || p.expiredTime !== null;

/** The outstanding value as the ledger holds it: paid and not yet used, refunded or written off as expired. */
export function outstandingValue(p: CustomerPackage): Money {
  return closedOnLedger(p) ? money(p.paid.currency, 0) : valueLeft(p);
}

/** The breakage a package holds: what was left when its expiry was written, less what was used or refunded since. */
export function breakageValue(p: CustomerPackage): Money {
  return p.cancelTime === null && p.expiredTime !== null ? valueLeft(p) : money(p.paid.currency, 0);
}

/** An item's remaining value as a reader sees it at a moment: nothing once the package is cancelled or expired. */
export function itemValueAt(p: CustomerPackage, i: PackageItem, at: number): Money {
  const state = lifecycleAt(p, at);
  return state === 'CANCELLED' || state === 'EXPIRED' ? money(p.paid.currency, 0) : itemRemainingValue(i);
}

/** The package's remaining value at a moment: the sum of its items' (0 once cancelled or expired). */
export function remainingValueAt(p: CustomerPackage, at: number): Money {
  return sum(p.paid.currency, p.items.map((i) => itemValueAt(p, i, at)));
}

/** Returns a copy with one item replaced. */
export function withItem(p: CustomerPackage, item: PackageItem): CustomerPackage {
  return { ...p, items: p.items.map((i) => (i.id === item.id ? item : i)) };
}

/** Facts that follow from the state, kept beside it so that queries can filter on them. */
export interface PackageDerived {
  readonly graceEndTime: number | null;
  readonly freezeStartTime: number | null;
  readonly freezeEndTime: number | null;
  /** Units left or held over all items; 0 means fully redeemed. */
  readonly unitsLeft: number;
  /** Service units that can still be redeemed. */
  readonly serviceUnitsLeft: number;
}

export function derivedOf(p: CustomerPackage): PackageDerived {
  return {
    graceEndTime: graceEndTime(p),
    freezeStartTime: p.freeze ? startOfLocalDay(p.freeze.startDate, p.timeZone) : null,
    freezeEndTime: p.freeze?.endDate ? startOfLocalDay(p.freeze.endDate, p.timeZone) : null,
    unitsLeft: p.items.reduce((n, i) => n + i.remaining + i.held, 0),
    serviceUnitsLeft: totalRemaining(p),
  };
}

export const neverExpires = (p: CustomerPackage): boolean => expirationDate(p) === NEVER_EXPIRES;
