// Changes to a package's life rather than its visits: freeze and unfreeze, extend, adjust, cancel with a
// refund, and the refund a cancellation would give. Each loads the locked package, asks the domain, writes.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import type { LocalDate } from '../domain/calendar.js';
import type { Decision, PackageState } from '../domain/decision.js';
import { notFound } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import { parseDecimalAmount } from '../domain/money.js';
import type { AdjustCommand, CancelCommand, FreezeCommand, RefundSpec } from '../domain/package-changes.js';
import { adjust, cancel, checkAdjustCommand, extend, freeze, refundPreview, unfreeze } from '../domain/package-changes.js';
import type { Deps } from './context.js';
import type { Outcome } from './idempotency.js';
import { runIdempotent } from './idempotency.js';
import type { PackageView } from './package-tx.js';
import { PackageTx } from './package-tx.js';

export type { RefundSpec } from '../domain/package-changes.js';

/** One idempotent transaction on a locked package: the domain decides, the transaction writes. */
async function onPackage<T = PackageView>(
  deps: Deps,
  p: Principal,
  companyId: string,
  packageId: string,
  operation: string,
  request: unknown,
  idempotencyKey: string | undefined,
  decide: (state: PackageState, now: number) => Decision,
  answer: (tx: PackageTx, decision: Decision) => T = (tx) => tx.view() as T,
  action: 'freeze' | 'admin' = 'admin',
): Promise<Outcome<T>> {
  const now = deps.clock.now();
  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: `${operation}:${packageId}`, request, target: packageId }, async (repos) => {
    const tx = await PackageTx.open(repos, companyId, packageId, now, { principal: p, staffId: null }, deps.outbox);
    authorize(p, companyId, action, tx.pkg.businessId);
    const decision = decide(tx.state, now);
    await tx.apply(decision);
    return answer(tx, decision);
  });
}

export type FreezeInput = FreezeCommand;

/** Freezes a package (STAFF or ADMIN); see domain freeze for the rules. */
export function freezePackage(deps: Deps, p: Principal, companyId: string, packageId: string, input: FreezeInput, key?: string) {
  authorize(p, companyId, 'freeze');
  return onPackage(deps, p, companyId, packageId, 'freeze', input, key, (state, now) => freeze(state, input, now), undefined, 'freeze');
}

/** Ends a running freeze or calls off one to come (STAFF or ADMIN). */
export function unfreezePackage(deps: Deps, p: Principal, companyId: string, packageId: string, key?: string) {
  authorize(p, companyId, 'freeze');
  return onPackage(deps, p, companyId, packageId, 'unfreeze', {}, key, unfreeze, undefined, 'freeze');
}

/** Moves the expiration date later (ADMIN); 9999-01-01 makes it never expire. Revives an expired package. */
export function extendPackage(deps: Deps, p: Principal, companyId: string, packageId: string, newDate: LocalDate, key?: string) {
  authorize(p, companyId, 'admin');
  return onPackage(deps, p, companyId, packageId, 'extend', { expirationDate: newDate }, key, (state, now) => extend(state, newDate, now));
}

export type AdjustInput = AdjustCommand;

/** Adds free units or removes units of one item (ADMIN): a goodwill session, a correction. */
export function adjustPackage(deps: Deps, p: Principal, companyId: string, packageId: string, input: AdjustInput, key?: string) {
  authorize(p, companyId, 'admin');
  checkAdjustCommand(input);
  return onPackage(deps, p, companyId, packageId, 'adjust', input, key, (state, now) => adjust(state, input, now));
}

export interface CancelResult {
  readonly view: PackageView;
  readonly refund: Money;
}

/** Cancels a package (ADMIN): pending holds are released, what is left stops being redeemable, the refund is recorded. */
export function cancelPackage(deps: Deps, p: Principal, companyId: string, packageId: string, input: CancelCommand, key?: string): Promise<Outcome<CancelResult>> {
  authorize(p, companyId, 'admin');
  return onPackage(deps, p, companyId, packageId, 'cancel', input, key, (state, now) => cancel(state, input, now), (tx) => ({
    view: tx.view(),
    refund: tx.pkg.refund!,
  }));
}

/** A refund as a preview asks for it: a mode, or an amount written as a decimal in the package's currency. */
export type RefundQuery = { readonly mode: 'NONE' | 'FULL' | 'PRORATED' } | { readonly amount: string };

/** The refund :cancel would give now, from the same rule, without changing anything (ADMIN, as cancelling is). */
export async function previewRefund(deps: Deps, p: Principal, companyId: string, packageId: string, query: RefundQuery): Promise<Money> {
  authorize(p, companyId, 'admin');
  const read = deps.store.read;
  const pkg = await read.packages.get(companyId, packageId);
  if (!pkg) throw notFound('package', packageId);
  authorize(p, companyId, 'admin', pkg.businessId);
  const spec: RefundSpec = 'mode' in query ? query.mode : { amount: parseDecimalAmount(query.amount, pkg.paid.currency, 'amount') };
  return refundPreview({ pkg, holds: await read.redemptions.listPending(companyId, packageId) }, spec, deps.clock.now());
}
