// Visits: redeem at once, or hold for a booking and commit at checkout; release or reverse when the visit does
// not happen. Each is a pure function of the package (with its holds), the command and the instant.
import { failedPrecondition, invalidArgument } from './errors.js';
import type { Redemption } from './ledger.js';
import { money, negate, subtract } from './money.js';
import type { CustomerPackage } from './package.js';
import { assertRedeemable, chooseItem, expirationDate, startedAt, valueLeft } from './package.js';
import type { Decision, PackageState } from './decision.js';
import { Changes } from './decision.js';
import { catchUpOn } from './time-passes.js';

export const DEFAULT_HOLD_MS = 24 * 60 * 60 * 1000;
/** How far ahead of the server's clock a client's "now" may run. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_QUANTITY = 10_000;

export interface RedeemCommand {
  /** The id the new redemption gets. */
  readonly redemptionId: string;
  readonly serviceId: string;
  readonly quantity: number;
  readonly businessId: string;
  readonly staffId: string | null;
  readonly appointmentId: string | null;
  /** When the visit happened (default now); a visit recorded late is judged at its own time. */
  readonly redeemTime?: number;
  readonly hold?: boolean;
  readonly holdExpireTime?: number;
}

/** The checks a redemption passes before any package is read. */
export function checkRedeemCommand(cmd: Pick<RedeemCommand, 'quantity' | 'redeemTime' | 'hold' | 'holdExpireTime'>, now: number): void {
  if (!Number.isInteger(cmd.quantity) || cmd.quantity < 1 || cmd.quantity > MAX_QUANTITY) {
    throw invalidArgument('quantity', `must be an integer from 1 to ${MAX_QUANTITY}`);
  }
  if (cmd.redeemTime !== undefined && cmd.redeemTime > now + CLOCK_SKEW_MS) throw invalidArgument('redeemTime', 'must not lie in the future');
  if (cmd.holdExpireTime !== undefined) {
    if (!cmd.hold) throw invalidArgument('holdExpireTime', 'applies to holds only ("hold": true)');
    if (cmd.holdExpireTime <= now) throw invalidArgument('holdExpireTime', 'must lie in the future');
  }
}

/** The value an item change used: what the paid units left were worth before, less after. */
const valueUsed = (before: CustomerPackage, after: CustomerPackage) => subtract(valueLeft(before), valueLeft(after));

/** Redeems (or, with hold, reserves) units of a service, judged at the visit's time. */
export function redeem(state: PackageState, cmd: RedeemCommand, now: number): Decision {
  checkRedeemCommand(cmd, now);
  const at = cmd.redeemTime ?? now;
  // Holds lapsed by now give their units back; the package's own expiry counts as of the visit.
  const c = catchUpOn(new Changes(state), { holds: now, expiry: at });
  const before = c.pkg;
  if (at < before.purchaseTime) throw invalidArgument('redeemTime', 'is before the package was bought');
  // What was used before an import is in its used counts; the history here begins with the import.
  if (before.sourceId !== null && at < before.createTime) throw invalidArgument('redeemTime', 'is before the package was imported');
  const activated = before.startTime === null;
  const started = startedAt(before, at);
  assertRedeemable(started, at, cmd.businessId);
  const item = chooseItem(started, cmd.serviceId, cmd.quantity);
  const base = {
    companyId: before.companyId,
    id: cmd.redemptionId,
    packageId: before.id,
    itemId: item.id,
    serviceId: cmd.serviceId,
    quantity: cmd.quantity,
    businessId: cmd.businessId,
    staffId: cmd.staffId,
    appointmentId: cmd.appointmentId,
    redeemTime: at,
    createTime: now,
    updateTime: now,
  };
  const visit = { serviceId: cmd.serviceId, appointmentId: cmd.appointmentId, activated };
  const fields = { time: at, redemptionId: cmd.redemptionId, itemId: item.id, quantity: cmd.quantity };
  c.set(started);
  if (cmd.hold) {
    const hold: Redemption = { ...base, status: 'PENDING', holdExpireTime: cmd.holdExpireTime ?? now + DEFAULT_HOLD_MS, value: money(before.paid.currency, 0) };
    c.move({ kind: 'hold', itemId: item.id, n: cmd.quantity }).addHold(hold);
    return c.event(before, { type: 'HELD', ...fields, data: { ...visit, holdExpireTime: hold.holdExpireTime! } }).done();
  }
  c.move({ kind: 'consume', itemId: item.id, n: cmd.quantity });
  const used = valueUsed(started, c.pkg);
  c.insertRedemption({ ...base, status: 'COMMITTED', holdExpireTime: null, value: used });
  const expiredAt = before.expiredTime;
  if (expiredAt === null || at >= expiredAt) return c.event(before, { type: 'REDEEMED', ...fields, data: visit }).done();
  // Recorded late, dated before an expiry already written: booked at its own time as if the package were open,
  // and the expiry corrected at its time, so the history adds up as if the visit had been recorded in time.
  const zero = money(before.paid.currency, 0);
  c.event(before, { type: 'REDEEMED', ...fields, data: visit, valueDelta: negate(used), breakageDelta: zero });
  return c
    .event(c.pkg, {
      type: 'EXPIRED',
      time: expiredAt,
      data: { expirationDate: expirationDate(before), gracePeriodDays: before.gracePeriodDays, correction: true },
      redemptionId: cmd.redemptionId,
      valueDelta: used,
      breakageDelta: negate(used),
    })
    .done();
}

const notPending = (r: Redemption) =>
  failedPrecondition(
    'HOLD_NOT_PENDING',
    r.status === 'EXPIRED' ? `hold ${r.id} expired and its units went back` : `redemption ${r.id} is ${r.status.toLowerCase()}, not a pending hold`,
    { redemptionId: r.id, status: r.status },
  );

/** The pending hold by id after time has had its say, or the refusal naming what became of it. */
function pendingHold(c: Changes, r: Redemption): Redemption {
  const hold = c.holds.find((h) => h.id === r.id);
  if (hold) return hold;
  const lapsed = r.status === 'PENDING';
  throw notPending(lapsed ? { ...r, status: 'EXPIRED' } : r);
}

/** Uses a held visit at checkout: allowed whatever the package's state since, for the visit was booked in time. */
export function commit(state: PackageState, r: Redemption, now: number): Decision {
  const c = catchUpOn(new Changes(state), { holds: now, expiry: now });
  const hold = pendingHold(c, r);
  const before = c.pkg;
  c.move({ kind: 'commitHeld', itemId: hold.itemId, n: hold.quantity });
  c.transition(hold.id, 'PENDING', 'COMMITTED', valueUsed(before, c.pkg));
  return c.event(before, { type: 'COMMITTED', time: now, redemptionId: hold.id, itemId: hold.itemId, quantity: hold.quantity, data: {} }).done();
}

/** Gives a held visit's units back (the booking was cancelled). */
export function release(state: PackageState, r: Redemption, now: number, reason = ''): Decision {
  const c = catchUpOn(new Changes(state), { holds: now, expiry: now });
  const hold = pendingHold(c, r);
  const before = c.pkg;
  c.move({ kind: 'releaseHeld', itemId: hold.itemId, n: hold.quantity }).transition(hold.id, 'PENDING', 'RELEASED');
  return c.event(before, { type: 'RELEASED', time: now, redemptionId: hold.id, itemId: hold.itemId, quantity: hold.quantity, data: { reason } }).done();
}

/** Gives a used visit's units back (the visit was cancelled or recorded by mistake); not on a cancelled package. */
export function reverse(state: PackageState, r: Redemption, now: number, reason: string): Decision {
  const c = catchUpOn(new Changes(state), { holds: now, expiry: now });
  const pending = c.holds.some((h) => h.id === r.id);
  if (pending) throw failedPrecondition('HOLD_PENDING', `redemption ${r.id} is a pending hold: release it instead`, { redemptionId: r.id });
  const status = r.status === 'PENDING' ? 'EXPIRED' : r.status;
  if (status !== 'COMMITTED') {
    throw failedPrecondition('ALREADY_REVERSED', `redemption ${r.id} was already given back (${status.toLowerCase()})`, { redemptionId: r.id });
  }
  const before = c.pkg;
  if (before.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${before.id} is cancelled`, { packageId: before.id });
  c.move({ kind: 'unconsume', itemId: r.itemId, n: r.quantity }).transition(r.id, 'COMMITTED', 'REVERSED');
  return c.event(before, { type: 'REVERSED', time: now, redemptionId: r.id, itemId: r.itemId, quantity: r.quantity, data: { reason } }).done();
}
