// The append-only history of a package. Nothing is changed in place but the guarded balance columns; every
// change is an event carrying its effect on the outstanding liability, so reports follow from the history.
import type { Money } from './money.js';
import type { EventDraft } from './package-events.js';

export const EVENT_TYPES = [
  'SOLD',
  'IMPORTED',
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

/** Where an event sits in its package's history, and who caused it. */
export interface EventMeta {
  readonly companyId: string;
  readonly packageId: string;
  /** 1, 2, 3… per package, without gaps. */
  readonly seq: number;
  readonly id: string;
  readonly recordTime: number;
  readonly businessId: string;
  readonly actorKeyId: string | null;
  readonly actorStaffId: string | null;
}

/** An event of the append-only history: what the domain decided (package-events.ts), where and by whom. */
export type LedgerEvent = EventMeta & EventDraft;
