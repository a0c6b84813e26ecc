// Writes what the domain decided for one package inside one transaction: each balance move as one guarded
// update, each redemption record, each event with the next sequence number and the actor, then the state.
// It holds no rule of its own.
import type { Principal } from '../domain/access.js';
import { actorKeyId } from '../domain/access.js';
import { notFound } from '../domain/errors.js';
import type { LedgerEvent, Redemption } from '../domain/ledger.js';
import { totalHeld, type CustomerPackage } from '../domain/package.js';
import type { Decision, PackageState } from '../domain/decision.js';
import type { EventDraft } from '../domain/package-events.js';
import { catchUp, timeHasDecided } from '../domain/time-passes.js';
import { newId } from './ids.js';
import type { Repos } from './ports.js';
import type { Outbox } from './webhook-outbox.js';
import type { WebhookMessage } from '../domain/webhooks.js';

/** A package with its pending holds, as of a moment: what every read and write answers with. */
export interface PackageView {
  readonly pkg: CustomerPackage;
  readonly holds: readonly Redemption[];
  readonly asOf: number;
}

/** The package as a reader sees it at `asOf`: what time has decided by then, whether or not it is written yet. */
export function viewAt(state: PackageState, asOf: number): PackageView {
  if (!timeHasDecided(state, asOf)) return { pkg: state.pkg, holds: state.holds, asOf }; // the usual case, on every read
  const { pkg, holds } = catchUp(state, asOf).state;
  return { pkg, holds, asOf };
}

export interface Actor {
  readonly principal: Principal | null;
  readonly staffId: string | null;
}

export const SYSTEM_ACTOR: Actor = { principal: null, staffId: null };

/** A decided event as the history keeps it: its sequence number, id, where and by whom. */
function eventOf(draft: EventDraft, pkg: CustomerPackage, seq: number, now: number, actor: Actor): LedgerEvent {
  // What time decided (a hold lapsing, a package expiring) is the system's doing, whoever's request wrote it.
  const by = draft.type === 'HOLD_EXPIRED' || draft.type === 'EXPIRED' ? SYSTEM_ACTOR : actor;
  return {
    ...draft,
    companyId: pkg.companyId,
    packageId: pkg.id,
    seq,
    id: newId('event'),
    recordTime: now,
    businessId: pkg.businessId,
    actorKeyId: by.principal ? actorKeyId(by.principal) : null,
    actorStaffId: by.staffId,
  } as LedgerEvent;
}

export class PackageTx {
  readonly events: LedgerEvent[] = [];

  private constructor(
    private readonly repos: Repos,
    private current: PackageState,
    /** The next sequence number to use. */
    private seq: number,
    readonly now: number,
    private readonly actor: Actor,
    private readonly outbox: Outbox | undefined,
  ) {}

  /** Locks the package for this transaction (taking its next sequence number) and reads its pending holds. */
  static async open(repos: Repos, companyId: string, packageId: string, now: number, actor: Actor, outbox?: Outbox): Promise<PackageTx> {
    const pkg = await repos.packages.lockForUpdate(companyId, packageId);
    if (!pkg) throw notFound('package', packageId);
    // An item's held units are its pending holds' units (verify checks it), so a package holding none has none
    // to read: the usual case, spared a query on every change.
    const holds = totalHeld(pkg) > 0 ? await repos.redemptions.listPending(companyId, packageId) : [];
    return new PackageTx(repos, { pkg, holds }, pkg.eventSeq, now, actor, outbox);
  }

  /** Records a sale: the package is inserted as the decision has it, its first event gets sequence number 1. */
  static async create(repos: Repos, sale: Decision, now: number, actor: Actor, outbox?: Outbox): Promise<PackageTx> {
    const pkg = { ...sale.state.pkg, eventSeq: 0 };
    await repos.packages.insert(pkg);
    const tx = new PackageTx(repos, { pkg, holds: [] }, 1, now, actor, outbox);
    await tx.apply(sale);
    return tx;
  }

  /**
   * Records many new packages at once (an import): decisions that create a package and only append events (no
   * balance moves, no redemptions), written as the domain decided them in a few multi-row statements.
   */
  static async createMany(repos: Repos, created: readonly Decision[], now: number, actor: Actor, outbox?: Outbox): Promise<void> {
    const packages: CustomerPackage[] = [];
    const events: LedgerEvent[] = [];
    const written = new Map<CustomerPackage, LedgerEvent[]>();
    for (const d of created) {
      if (d.moves.length > 0 || d.redemptions.length > 0) throw new Error('createMany takes only decisions that create a package');
      const pkg = { ...d.state.pkg, eventSeq: d.events.length, updateTime: now };
      const own = d.events.map((draft, n) => eventOf(draft, pkg, n + 1, now, actor));
      packages.push(pkg);
      events.push(...own);
      written.set(pkg, own);
    }
    await repos.packages.insertMany(packages);
    await repos.events.appendMany(events);
    if (!outbox || packages.length === 0) return;
    const messages: WebhookMessage[] = [];
    if ((await repos.webhookEndpoints.listEnabled(packages[0]!.companyId)).length === 0) return;
    for (const [pkg, own] of written) messages.push(...(await outbox.messagesFor(repos, viewAt({ pkg, holds: [] }, now), own, now)));
    await repos.webhookMessages.insert(messages);
  }

  get state(): PackageState {
    return this.current;
  }

  get pkg(): CustomerPackage {
    return this.current.pkg;
  }

  /** Writes a decision made over this transaction's state. */
  async apply(decision: Decision): Promise<void> {
    const next = decision.state.pkg;
    const before = this.current.holds;
    const written = decision.events.map((draft) => eventOf(draft, next, this.seq++, this.now, this.actor));
    this.events.push(...written);
    const saved = { ...next, eventSeq: this.seq - 1, updateTime: decision.events.length > 0 ? this.now : next.updateTime };
    this.current = { pkg: saved, holds: decision.state.holds };
    // The webhook messages go in this same transaction, written with the state: rolled back with the change, or
    // kept with it.
    let messages: WebhookMessage[] = [];
    if (this.outbox && written.length > 0) {
      const known = new Map<string, Redemption>(before.map((h) => [h.id, h]));
      for (const w of decision.redemptions) if (w.kind === 'insert') known.set(w.redemption.id, w.redemption);
      messages = await this.outbox.messagesFor(this.repos, this.view(), written, this.now, known);
    }
    const change = { moves: decision.moves, redemptions: decision.redemptions, at: this.now, events: written, state: saved, messages };
    if (!(await this.repos.packages.writeChange(change))) this.disagree();
  }

  /** The package as a client sees it after this change, as of now. */
  view(): PackageView {
    return viewAt(this.current, this.now);
  }

  /** A guarded update that changed no row means the ledger and the balances disagree: stop everything. */
  private disagree(): never {
    throw new Error(`a guarded update refused a change the domain allowed (package ${this.current.pkg.id})`);
  }
}
