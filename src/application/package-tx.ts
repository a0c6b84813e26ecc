// One change to one package inside a transaction: the package is locked, holds that expired are released
// first, and every change is appended to the ledger with the next sequence number and the balance after it.
import type { Principal } from '../domain/access.js';
import { actorKeyId } from '../domain/access.js';
import { notFound } from '../domain/errors.js';
import type { EventType, LedgerEvent, Redemption } from '../domain/ledger.js';
import type { Money } from '../domain/money.js';
import { money, subtract } from '../domain/money.js';
import type { CustomerPackage, PackageItem } from '../domain/package.js';
import { remainingValue, totalRemaining, withItem } from '../domain/package.js';
import { newId } from './ids.js';
import type { PackageStatePatch, Repos } from './ports.js';

/** A package with its pending holds, as of a moment: what every read and write answers with. */
export interface PackageView {
  readonly pkg: CustomerPackage;
  readonly holds: readonly Redemption[];
  readonly asOf: number;
}

export interface Actor {
  readonly principal: Principal | null;
  readonly staffId: string | null;
}

export const SYSTEM_ACTOR: Actor = { principal: null, staffId: null };

export interface EventFields {
  readonly time?: number;
  readonly redemptionId?: string | null;
  readonly itemId?: string | null;
  readonly quantity?: number | null;
  readonly refund?: Money;
  readonly breakageDelta?: Money;
  readonly data?: Record<string, unknown>;
}

export class PackageTx {
  private seq: number;
  readonly events: LedgerEvent[] = [];

  private constructor(
    readonly repos: Repos,
    public pkg: CustomerPackage,
    readonly now: number,
    readonly actor: Actor,
  ) {
    this.seq = pkg.eventSeq;
  }

  /** Locks the package for this transaction and releases its holds that have expired. */
  static async open(repos: Repos, companyId: string, packageId: string, now: number, actor: Actor): Promise<PackageTx> {
    const pkg = await repos.packages.lockForUpdate(companyId, packageId);
    if (!pkg) throw notFound('package', packageId);
    const tx = new PackageTx(repos, pkg, now, actor);
    for (const hold of await repos.redemptions.listPending(companyId, packageId)) {
      if (hold.holdExpireTime !== null && hold.holdExpireTime <= now) await tx.expireHold(hold);
    }
    return tx;
  }

  /** Inserts a newly sold package; its first event gets sequence number 1. */
  static async create(repos: Repos, pkg: CustomerPackage, now: number, actor: Actor): Promise<PackageTx> {
    await repos.packages.insert({ ...pkg, eventSeq: 0 });
    const tx = new PackageTx(repos, { ...pkg, eventSeq: 0 }, now, actor);
    tx.seq = 1;
    return tx;
  }

  /** The package as a client sees it after this change: with its pending holds, as of now. */
  async view(): Promise<PackageView> {
    return { pkg: this.pkg, holds: await this.repos.redemptions.listPending(this.pkg.companyId, this.pkg.id), asOf: this.now };
  }

  item(id: string): PackageItem {
    const found = this.pkg.items.find((i) => i.id === id);
    if (!found) throw notFound('package item', id);
    return found;
  }

  setItem(item: PackageItem): void {
    this.pkg = withItem(this.pkg, item);
  }

  /** Applies a change of state and returns the change of outstanding value it caused. */
  change(next: CustomerPackage): Money {
    const before = remainingValue(this.pkg);
    this.pkg = next;
    return subtract(remainingValue(this.pkg), before);
  }

  async append(type: EventType, valueDelta: Money, fields: EventFields = {}): Promise<LedgerEvent> {
    const p = this.pkg;
    const event: LedgerEvent = {
      companyId: p.companyId,
      packageId: p.id,
      seq: this.seq++,
      id: newId('event'),
      type,
      time: fields.time ?? this.now,
      recordTime: this.now,
      businessId: p.businessId,
      actorKeyId: this.actor.principal ? actorKeyId(this.actor.principal) : null,
      actorStaffId: this.actor.staffId,
      redemptionId: fields.redemptionId ?? null,
      itemId: fields.itemId ?? null,
      quantity: fields.quantity ?? null,
      valueDelta,
      breakageDelta: fields.breakageDelta ?? money(p.paid.currency, 0),
      refund: fields.refund ?? money(p.paid.currency, 0),
      totalRemainingAfter: totalRemaining(p),
      data: fields.data ?? {},
    };
    await this.repos.events.append(event);
    this.events.push(event);
    return event;
  }

  /** Writes the package's state columns and the last sequence number used. */
  async finish(patch: Omit<PackageStatePatch, 'updateTime' | 'eventSeq'> = {}): Promise<CustomerPackage> {
    const eventSeq = this.seq - 1;
    await this.repos.packages.updateState(this.pkg.companyId, this.pkg.id, { ...patch, eventSeq, updateTime: this.now });
    this.pkg = { ...this.pkg, eventSeq, updateTime: this.now };
    return this.pkg;
  }

  /** Gives a lapsed hold's units back, as of its expiry time. */
  async expireHold(hold: Redemption): Promise<void> {
    if (!(await this.repos.redemptions.transition(hold.companyId, hold.id, 'PENDING', 'EXPIRED', this.now))) return;
    const item = this.item(hold.itemId);
    await this.guard(this.repos.packages.releaseHeld(hold.companyId, hold.packageId, hold.itemId, hold.quantity));
    this.setItem({ ...item, held: item.held - hold.quantity, remaining: item.remaining + hold.quantity });
    await this.append('HOLD_EXPIRED', money(this.pkg.paid.currency, 0), {
      time: hold.holdExpireTime ?? this.now,
      redemptionId: hold.id,
      itemId: hold.itemId,
      quantity: hold.quantity,
    });
  }

  /** A guarded balance update that changed no row means the ledger and balances disagree: stop everything. */
  async guard(moved: Promise<boolean>): Promise<void> {
    if (!(await moved)) throw new Error(`balance guard refused a change the ledger allowed (package ${this.pkg.id})`);
  }
}
