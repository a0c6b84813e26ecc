// The append-only history of a package. Nothing is changed in place but the guarded balance columns; every
// change is an event carrying its effect on the outstanding liability, so reports follow from the history.
import type { Money } from './money.js';

export const EVENT_TYPES = [
  'SOLD',
  'REDEEMED',
  'HELD',
  'COMMITTED',
  'RELEASED',
  'HOLD_EXPIRED',
  'REVERSED',
  'FROZEN',
  'UNFROZEN',
  'EXTENDED',
  'ADJUSTED',
  'CANCELLED',
  'EXPIRED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const REDEMPTION_STATUSES = ['PENDING', 'COMMITTED', 'RELEASED', 'EXPIRED', 'REVERSED'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

export interface Redemption {
  readonly companyId: string;
  readonly id: string;
  readonly packageId: string;
  /** The package item (packageServiceId) it draws on. */
  readonly itemId: string;
  readonly serviceId: string;
  readonly quantity: number;
  readonly businessId: string;
  readonly staffId: string | null;
  readonly appointmentId: string | null;
  readonly status: RedemptionStatus;
  readonly redeemTime: number;
  /** Pending holds release themselves at this time. */
  readonly holdExpireTime: number | null;
  /** The value it used (set when committed). */
  readonly value: Money;
  readonly createTime: number;
  readonly updateTime: number;
}

export interface LedgerEvent {
  readonly companyId: string;
  readonly packageId: string;
  readonly seq: number;
  readonly id: string;
  readonly type: EventType;
  /** When it took effect: a late sale's purchase time, a hold's expiry. */
  readonly time: number;
  readonly recordTime: number;
  readonly businessId: string;
  readonly actorKeyId: string | null;
  readonly actorStaffId: string | null;
  readonly redemptionId: string | null;
  readonly itemId: string | null;
  readonly quantity: number | null;
  /** Change of the outstanding liability this event caused. */
  readonly valueDelta: Money;
  /** Change of breakage (value expired unused) it caused: + when value expires, − when expired value is revived, used late or refunded. */
  readonly breakageDelta: Money;
  /** Money paid back to the customer (cancellations). */
  readonly refund: Money;
  readonly totalRemainingAfter: number;
  /** Type-specific facts: reason, dates, refund mode. */
  readonly data: Readonly<Record<string, unknown>>;
}
