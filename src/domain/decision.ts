// What a command on a package decides: the next state, the balance moves that get there, the redemption
// records it writes and the events it appends. The domain builds it; the application writes it as it is.
import type { Redemption, RedemptionStatus } from './ledger.js';
import type { Money } from './money.js';
import { money, subtract } from './money.js';
import type { CustomerPackage, PackageItem } from './package.js';
import { breakageValue, outstandingValue, totalRemaining } from './package.js';
import type { DetailsOf, EventDraft } from './package-events.js';
import { notFound } from './errors.js';
import type { EventType } from './ledger.js';

/** A package with its pending holds: what every command decides over. */
export interface PackageState {
  readonly pkg: CustomerPackage;
  readonly holds: readonly Redemption[];
}

/** One change of an item's balance; storage applies each as one guarded update. */
export type BalanceMove =
  | { readonly kind: 'consume' | 'hold' | 'commitHeld' | 'releaseHeld' | 'unconsume'; readonly itemId: string; readonly n: number }
  | { readonly kind: 'adjust'; readonly itemId: string; readonly delta: number; readonly freeDelta: number };

export type RedemptionWrite =
  | { readonly kind: 'insert'; readonly redemption: Redemption }
  | {
      readonly kind: 'transition';
      readonly id: string;
      readonly from: RedemptionStatus;
      readonly to: RedemptionStatus;
      /** The value it used (set when committed). */
      readonly value?: Money;
    };

export interface Decision {
  readonly state: PackageState;
  readonly moves: readonly BalanceMove[];
  readonly redemptions: readonly RedemptionWrite[];
  readonly events: readonly EventDraft[];
}

/** The redemption a visit's decision records (redeem and hold insert exactly one). */
export function insertedRedemption(d: Decision): Redemption {
  for (const w of d.redemptions) if (w.kind === 'insert') return w.redemption;
  throw new Error('this decision records no redemption');
}

/** The only balance arithmetic: what a move does to an item (storage's guarded updates mirror it in SQL). */
export function applyMove(item: PackageItem, move: BalanceMove): PackageItem {
  switch (move.kind) {
    case 'consume':
      return { ...item, used: item.used + move.n, remaining: item.remaining - move.n };
    case 'hold':
      return { ...item, held: item.held + move.n, remaining: item.remaining - move.n };
    case 'commitHeld':
      return { ...item, held: item.held - move.n, used: item.used + move.n };
    case 'releaseHeld':
      return { ...item, held: item.held - move.n, remaining: item.remaining + move.n };
    case 'unconsume':
      return { ...item, used: item.used - move.n, remaining: item.remaining + move.n };
    case 'adjust':
      return { ...item, total: item.total + move.delta, remaining: item.remaining + move.delta, free: item.free + move.freeDelta };
  }
}

export function itemOf(pkg: CustomerPackage, itemId: string): PackageItem {
  const found = pkg.items.find((i) => i.id === itemId);
  if (!found) throw notFound('package item', itemId);
  return found;
}

export function withMove(pkg: CustomerPackage, move: BalanceMove): CustomerPackage {
  const item = itemOf(pkg, move.itemId);
  const next = applyMove(item, move);
  return { ...pkg, items: pkg.items.map((i) => (i.id === item.id ? next : i)) };
}

type EventInput<T extends EventType> = {
  readonly type: T;
  readonly time: number;
  readonly data: DetailsOf[T];
  readonly redemptionId?: string;
  readonly itemId?: string;
  readonly quantity?: number;
  readonly refund?: Money;
  /** Only where the rule is not "the change of the state's value" (a cancellation, a correction). */
  readonly valueDelta?: Money;
  readonly breakageDelta?: Money;
};

/**
 * Builds a decision step by step inside one domain function (pure from outside): each step replaces the state
 * and records its event, whose value changes follow from the states before and after unless given.
 */
export class Changes {
  #pkg: CustomerPackage;
  #holds: Redemption[];
  readonly #moves: BalanceMove[] = [];
  readonly #redemptions: RedemptionWrite[] = [];
  readonly #events: EventDraft[] = [];

  constructor(state: PackageState) {
    this.#pkg = state.pkg;
    this.#holds = [...state.holds];
  }

  get pkg(): CustomerPackage {
    return this.#pkg;
  }

  get holds(): readonly Redemption[] {
    return this.#holds;
  }

  /** Applies balance moves to the state and records them for storage. */
  move(...moves: BalanceMove[]): this {
    for (const m of moves) {
      this.#pkg = withMove(this.#pkg, m);
      this.#moves.push(m);
    }
    return this;
  }

  /** Replaces the package's state (dates, freeze, cancellation): columns written once at the end. */
  set(pkg: CustomerPackage): this {
    this.#pkg = pkg;
    return this;
  }

  addHold(r: Redemption): this {
    this.#holds.push(r);
    this.#redemptions.push({ kind: 'insert', redemption: r });
    return this;
  }

  insertRedemption(r: Redemption): this {
    this.#redemptions.push({ kind: 'insert', redemption: r });
    return this;
  }

  transition(id: string, from: RedemptionStatus, to: RedemptionStatus, value?: Money): this {
    this.#holds = this.#holds.filter((h) => h.id !== id);
    this.#redemptions.push(value === undefined ? { kind: 'transition', id, from, to } : { kind: 'transition', id, from, to, value });
    return this;
  }

  /** Records an event for the change from `before` to the current state. */
  event<T extends EventType>(before: CustomerPackage, e: EventInput<T>): this {
    const currency = this.#pkg.paid.currency;
    const zero = money(currency, 0);
    const draft = {
      type: e.type,
      time: e.time,
      redemptionId: e.redemptionId ?? null,
      itemId: e.itemId ?? null,
      quantity: e.quantity ?? null,
      valueDelta: e.valueDelta ?? subtract(outstandingValue(this.#pkg), outstandingValue(before)),
      breakageDelta: e.breakageDelta ?? subtract(breakageValue(this.#pkg), breakageValue(before)),
      refund: e.refund ?? zero,
      totalRemainingAfter: totalRemaining(this.#pkg),
      data: e.data,
    } as EventDraft;
    this.#events.push(draft);
    return this;
  }

  done(): Decision {
    return { state: { pkg: this.#pkg, holds: this.#holds }, moves: this.#moves, redemptions: this.#redemptions, events: this.#events };
  }
}
