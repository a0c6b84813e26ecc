// Redeeming a package visit by visit: at once, or held for a booking and committed at checkout; released,
// expired or reversed when the visit does not happen. Every step is one transaction on a locked package.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { DomainError, failedPrecondition, notFound } from '../domain/errors.js';
import type { Redemption } from '../domain/ledger.js';
import { canRedeem } from '../domain/package.js';
import type { Decision, PackageState } from '../domain/decision.js';
import { insertedRedemption } from '../domain/decision.js';
import type { RedeemCommand } from '../domain/visits.js';
import { checkRedeemCommand, commit, redeem as decideRedeem, release, reverse } from '../domain/visits.js';
import type { Deps } from './context.js';
import { newId } from './ids.js';
import type { IdempotencyScope, Outcome } from './idempotency.js';
import { runIdempotent, storedOutcome } from './idempotency.js';
import type { Actor, PackageView } from './package-tx.js';
import { PackageTx } from './package-tx.js';
import { findPackages } from './package-queries.js';
import { MAX_PAGE_SIZE, parsePageRequest } from './paging.js';
import { findReference } from './reference-data.js';

export { DEFAULT_HOLD_MS } from '../domain/visits.js';

export interface RedeemInput {
  readonly serviceId: string;
  readonly quantity: number;
  readonly businessId: string;
  readonly staffId?: string | null;
  readonly appointmentId?: string | null;
  readonly redeemTime?: number;
  readonly hold?: boolean;
  readonly holdExpireTime?: number;
}

export interface RedemptionResult {
  readonly redemption: Redemption;
  readonly view: PackageView;
}

async function checkReferences(deps: Deps, companyId: string, input: RedeemInput): Promise<void> {
  const [business, staff] = await Promise.all([
    findReference(deps, companyId, 'businesses', input.businessId),
    input.staffId ? findReference(deps, companyId, 'staff', input.staffId) : Promise.resolve(true),
  ]);
  if (!business) throw notFound('business', input.businessId);
  if (!staff) throw notFound('staff member', input.staffId!);
}

const commandOf = (input: RedeemInput): RedeemCommand => ({
  redemptionId: newId('redemption'),
  serviceId: input.serviceId,
  quantity: input.quantity,
  businessId: input.businessId,
  staffId: input.staffId ?? null,
  appointmentId: input.appointmentId ?? null,
  redeemTime: input.redeemTime,
  hold: input.hold,
  holdExpireTime: input.holdExpireTime,
});

/** The redemption itself, on a package locked by tx. */
async function redeemIn(tx: PackageTx, input: RedeemInput): Promise<RedemptionResult> {
  const decision = decideRedeem(tx.state, commandOf(input), tx.now);
  await tx.apply(decision);
  return { redemption: insertedRedemption(decision), view: tx.view() };
}

/** The checks every redemption passes before any package is touched; returns the moment it is judged at. */
async function admitRedemption(deps: Deps, p: Principal, companyId: string, input: RedeemInput): Promise<number> {
  authorize(p, companyId, 'redeem', input.businessId);
  const now = deps.clock.now();
  checkRedeemCommand(input, now);
  await checkReferences(deps, companyId, input);
  return now;
}

/** Redeems (or, with hold, reserves) units of a service from one package (STAFF or ADMIN). */
export async function redeem(
  deps: Deps,
  p: Principal,
  companyId: string,
  packageId: string,
  input: RedeemInput,
  idempotencyKey?: string,
): Promise<Outcome<RedemptionResult>> {
  const now = await admitRedemption(deps, p, companyId, input);
  return redeemFrom(deps, p, companyId, packageId, input, { companyId, key: idempotencyKey, operation: `redeem:${packageId}`, request: input, target: packageId }, now);
}

function redeemFrom(deps: Deps, p: Principal, companyId: string, packageId: string, input: RedeemInput, scope: IdempotencyScope, now: number) {
  const actor: Actor = { principal: p, staffId: input.staffId ?? null };
  return runIdempotent(deps, { ...scope, target: packageId }, async (repos) => redeemIn(await PackageTx.open(repos, companyId, packageId, now, actor, deps.outbox), input));
}

/**
 * The customer's packages that could take this redemption now, in the order auto-apply tries them: the one
 * that expires first (never-expiring last), then the one bought first.
 */
export async function redeemableCandidates(
  deps: Deps,
  p: Principal,
  companyId: string,
  customerId: string,
  query: { serviceId: string; businessId: string; quantity?: number },
): Promise<PackageView[]> {
  authorize(p, companyId, 'read');
  if (!(await deps.store.read.customers.get(companyId, customerId))) throw notFound('customer', customerId);
  const now = deps.clock.now();
  const search = { customerIds: [customerId], redeemableAt: query.businessId };
  const usable: PackageView[] = [];
  let token = '';
  do {
    const page = await findPackages(deps, p, companyId, search, 'redemption', parsePageRequest(MAX_PAGE_SIZE, token), now);
    // The query kept what is redeemable here for some service; the domain says whether for this one, this many.
    usable.push(...page.items.filter(({ pkg }) => canRedeem(pkg, now, query.businessId, query.serviceId, query.quantity ?? 1)));
    token = page.nextPageToken;
  } while (token !== '');
  return usable;
}

/** Redeems from the customer's package that expires first among those that can take it (auto-apply). */
export async function autoRedeem(
  deps: Deps,
  p: Principal,
  companyId: string,
  customerId: string,
  input: RedeemInput,
  idempotencyKey?: string,
): Promise<Outcome<RedemptionResult>> {
  const now = await admitRedemption(deps, p, companyId, input);
  // One key for the whole auto-apply, whichever package it lands on: a retry replays the first answer even when
  // that package has nothing left by then.
  const scope: IdempotencyScope = { companyId, key: idempotencyKey, operation: `autoRedeem:${customerId}`, request: input, target: '' };
  const replay = await storedOutcome<RedemptionResult>(deps, scope);
  if (replay) return replay;
  const candidates = await redeemableCandidates(deps, p, companyId, customerId, input);
  // Each attempt is its own transaction under the same key: a refused attempt stores nothing, so the key
  // ends up recording only the redemption that succeeded.
  for (const candidate of candidates) {
    try {
      return await redeemFrom(deps, p, companyId, candidate.pkg.id, input, scope, now);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'FAILED_PRECONDITION') continue;
      throw error;
    }
  }
  throw failedPrecondition('NO_REDEEMABLE_PACKAGE', `customer ${customerId} has no package that can redeem ${input.serviceId} here now`, {
    customerId,
    serviceId: input.serviceId,
  });
}

/** One redemption or hold. */
export async function getRedemption(deps: Deps, p: Principal, companyId: string, redemptionId: string): Promise<Redemption> {
  authorize(p, companyId, 'read');
  const r = await deps.store.read.redemptions.get(companyId, redemptionId);
  if (!r) throw notFound('redemption', redemptionId);
  // A lapsed hold has released itself, whether or not the sweeper has written it down yet.
  if (r.status === 'PENDING' && r.holdExpireTime !== null && r.holdExpireTime <= deps.clock.now()) return { ...r, status: 'EXPIRED' };
  return r;
}

type HoldStep = 'commit' | 'release' | 'reverse';

async function onRedemption(
  deps: Deps,
  p: Principal,
  companyId: string,
  redemptionId: string,
  step: HoldStep,
  request: unknown,
  idempotencyKey: string | undefined,
  decide: (state: PackageState, r: Redemption, now: number) => Decision,
): Promise<Outcome<RedemptionResult>> {
  authorize(p, companyId, 'redeem');
  const found = await deps.store.read.redemptions.get(companyId, redemptionId);
  if (!found) throw notFound('redemption', redemptionId);
  authorize(p, companyId, 'redeem', found.businessId);
  const now = deps.clock.now();
  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: `${step}:${redemptionId}`, request, target: found.packageId }, async (repos) => {
    const tx = await PackageTx.open(repos, companyId, found.packageId, now, { principal: p, staffId: found.staffId }, deps.outbox);
    // Read again under the package's lock: another request may have moved it since.
    const r = (await repos.redemptions.get(companyId, redemptionId))!;
    await tx.apply(decide(tx.state, r, now));
    return { redemption: (await repos.redemptions.get(companyId, redemptionId))!, view: tx.view() };
  });
}

/** Uses a held visit at checkout. */
export function commitHold(deps: Deps, p: Principal, companyId: string, redemptionId: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'commit', {}, idempotencyKey, commit);
}

/** Gives a held visit's units back (the booking was cancelled). */
export function releaseHold(deps: Deps, p: Principal, companyId: string, redemptionId: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'release', {}, idempotencyKey, (state, r, now) => release(state, r, now));
}

/** Gives a used visit's units back (the visit was cancelled or recorded by mistake). */
export function reverseRedemption(deps: Deps, p: Principal, companyId: string, redemptionId: string, reason: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'reverse', { reason }, idempotencyKey, (state, r, now) => reverse(state, r, now, reason));
}
