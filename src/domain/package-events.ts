// The history's events as the domain decides them: one type per event with the details it carries, so that
// whoever writes or presents an event knows its shape instead of guessing it.
import type { LocalDate } from './calendar.js';
import type { EventType } from './ledger.js';
import type { Money } from './money.js';
import type { Invoice } from './package.js';
import type { ImportedDetails } from './import.js';

export interface SoldDetails {
  readonly templateId: string;
  readonly listPrice: Money;
  readonly price: Money;
  readonly invoice: Invoice | null;
}

export interface VisitDetails {
  readonly serviceId: string;
  readonly appointmentId: string | null;
  /** This visit started the clock of a package that starts at its first use. */
  readonly activated: boolean;
}

export interface HeldDetails extends VisitDetails {
  readonly holdExpireTime: number;
}

export interface ReasonDetails {
  readonly reason: string;
}

export interface FrozenDetails {
  readonly startDate: LocalDate;
  readonly endDate: LocalDate | null;
  readonly reason: string;
  /** Local dates the expiration moved at once (a dated freeze; 0 for an open one). */
  readonly daysMoved: number;
}

export interface UnfrozenDetails {
  readonly startDate: LocalDate;
  /** The day it is redeemable again (today). */
  readonly endDate: LocalDate;
  /** The days that counted: 0 for a freeze called off before it began or ended on its first day. */
  readonly frozenDays: number;
  /** Local dates the expiration moved now (negative when a dated freeze ended early). */
  readonly daysMoved: number;
  /** The freeze had not begun: it is called off and its days come back. */
  readonly calledOff: boolean;
}

export interface ExtendedDetails {
  readonly from: LocalDate;
  readonly to: LocalDate;
  /** It had expired and its breakage was written back. */
  readonly revived: boolean;
}

export type RefundMode = 'NONE' | 'FULL' | 'PRORATED' | 'AMOUNT';

export interface CancelledDetails {
  readonly reason: string;
  readonly refundMode: RefundMode;
}

export interface ExpiredDetails {
  readonly expirationDate: LocalDate;
  readonly gracePeriodDays: number;
  /**
   * A correction of an expiry already written: a visit recorded late (dated before the expiry) used value that
   * had gone to breakage, so the breakage shrinks by it, as of the expiry's own time.
   */
  readonly correction: boolean;
}

export interface DetailsOf {
  SOLD: SoldDetails;
  IMPORTED: ImportedDetails;
  REDEEMED: VisitDetails;
  HELD: HeldDetails;
  COMMITTED: Readonly<Record<string, never>>;
  RELEASED: ReasonDetails;
  HOLD_EXPIRED: Readonly<Record<string, never>>;
  REVERSED: ReasonDetails;
  FROZEN: FrozenDetails;
  UNFROZEN: UnfrozenDetails;
  EXTENDED: ExtendedDetails;
  ADJUSTED: ReasonDetails;
  CANCELLED: CancelledDetails;
  EXPIRED: ExpiredDetails;
}

interface DraftOf<T extends EventType> {
  readonly type: T;
  /** When it took effect: a late visit's time, a hold's expiry, the end of grace. */
  readonly time: number;
  readonly redemptionId: string | null;
  readonly itemId: string | null;
  readonly quantity: number | null;
  /** Change of the outstanding value. */
  readonly valueDelta: Money;
  /** Change of breakage. */
  readonly breakageDelta: Money;
  /** Money paid back (cancellations). */
  readonly refund: Money;
  readonly totalRemainingAfter: number;
  readonly data: DetailsOf[T];
}

/** An event as the domain decides it; the application gives it an id, a sequence number and the actor. */
export type EventDraft = { [T in EventType]: DraftOf<T> }[EventType];
