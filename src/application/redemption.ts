// Redeeming a package visit by visit: at once, or held for a booking and committed at checkout; released,
// expired or reversed when the visit does not happen. Every step is one transaction on a locked package.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { DomainError, failedPrecondition, invalidArgument, notFound } from '../domain/errors.js';
import type { Redemption } from '../domain/ledger.js';
import { money, negate } from '../domain/money.js';
import type { CustomerPackage } from '../domain/package.js';
import { assertRedeemable, canRedeem, chooseItem, graceEndTime, startedAt } from '../domain/package.js';
import type { Deps } from './context.js';
import { newId } from './ids.js';
import type { IdempotencyScope, Outcome } from './idempotency.js';
import { runIdempotent, storedOutcome } from './idempotency.js';
import type { Actor, PackageView } from './package-tx.js';
import { PackageTx } from './package-tx.js';
import { loadCustomerViews } from './package-queries.js';

export const DEFAULT_HOLD_MS = 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

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

function checkRedeemInput(input: RedeemInput, now: number): void {
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 10_000) {
    throw invalidArgument('quantity', 'must be an integer from 1 to 10000');
  }
  if (input.redeemTime !== undefined && input.redeemTime > now + CLOCK_SKEW_MS) throw invalidArgument('redeemTime', 'must not lie in the future');
  if (input.holdExpireTime !== undefined) {
    if (!input.hold) throw invalidArgument('holdExpireTime', 'applies to holds only ("hold": true)');
    if (input.holdExpireTime <= now) throw invalidArgument('holdExpireTime', 'must lie in the future');
  }
}

async function checkReferences(deps: Deps, companyId: string, input: RedeemInput): Promise<void> {
  const [business, staff] = await Promise.all([
    deps.store.read.businesses.get(companyId, input.businessId),
    input.staffId ? deps.store.read.staff.get(companyId, input.staffId) : Promise.resolve(true),
  ]);
  if (!business) throw notFound('business', input.businessId);
  if (!staff) throw notFound('staff member', input.staffId!);
}

/** The redemption itself, on a package locked by tx. */
async function redeemIn(tx: PackageTx, input: RedeemInput): Promise<RedemptionResult> {
  const at = input.redeemTime ?? tx.now;
  let pkg: CustomerPackage = tx.pkg;
  if (at < pkg.purchaseTime) throw invalidArgument('redeemTime', 'is before the package was bought');
  // A package that starts at its first redemption starts now.
  const activates = pkg.startTime === null;
  if (activates) {
    pkg = startedAt(pkg, at);
    tx.pkg = pkg;
  }
  assertRedeemable(pkg, at, input.businessId);
  const item = chooseItem(pkg, input.serviceId, input.quantity);
  const { companyId, id: packageId } = pkg;
  const zero = money(pkg.paid.currency, 0);
  const base = {
    companyId,
    id: newId('redemption'),
    packageId,
    itemId: item.id,
    serviceId: input.serviceId,
    quantity: input.quantity,
    businessId: input.businessId,
    staffId: input.staffId ?? null,
    appointmentId: input.appointmentId ?? null,
    redeemTime: at,
    createTime: tx.now,
    updateTime: tx.now,
  };
  const fields = { time: at, itemId: item.id, quantity: input.quantity, data: { serviceId: input.serviceId, appointmentId: base.appointmentId, activated: activates } };
  let redemption: Redemption;
  if (input.hold) {
    await tx.guard(tx.repos.packages.hold(companyId, packageId, item.id, input.quantity));
    tx.setItem({ ...item, held: item.held + input.quantity, remaining: item.remaining - input.quantity });
    redemption = { ...base, status: 'PENDING', holdExpireTime: input.holdExpireTime ?? tx.now + DEFAULT_HOLD_MS, value: zero };
    await tx.repos.redemptions.insert(redemption);
    await tx.append('HELD', zero, { ...fields, redemptionId: redemption.id, data: { ...fields.data, holdExpireTime: redemption.holdExpireTime } });
  } else {
    await tx.guard(tx.repos.packages.consume(companyId, packageId, item.id, input.quantity));
    const delta = tx.change({ ...tx.pkg, items: tx.pkg.items.map((i) => (i.id === item.id ? { ...i, used: i.used + input.quantity, remaining: i.remaining - input.quantity } : i)) });
    redemption = { ...base, status: 'COMMITTED', holdExpireTime: null, value: negate(delta) };
    await tx.repos.redemptions.insert(redemption);
    await tx.append('REDEEMED', delta, { ...fields, redemptionId: redemption.id });
  }
  await tx.finish(activates ? { startTime: pkg.startTime, endTime: pkg.endTime } : {});
  return { redemption, view: await tx.view() };
}

/** The checks every redemption passes before any package is touched; returns the moment it is judged at. */
async function admitRedemption(deps: Deps, p: Principal, companyId: string, input: RedeemInput): Promise<number> {
  authorize(p, companyId, 'redeem', input.businessId);
  const now = deps.clock.now();
  checkRedeemInput(input, now);
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
  return redeemFrom(deps, p, companyId, packageId, input, { companyId, key: idempotencyKey, operation: `redeem:${packageId}`, request: input }, now);
}

function redeemFrom(deps: Deps, p: Principal, companyId: string, packageId: string, input: RedeemInput, scope: IdempotencyScope, now: number) {
  const actor: Actor = { principal: p, staffId: input.staffId ?? null };
  return runIdempotent(deps, scope, async (repos) => redeemIn(await PackageTx.open(repos, companyId, packageId, now, actor), input));
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
  const views = await loadCustomerViews(deps, companyId, customerId, now);
  const usable = views.filter(({ pkg }) => canRedeem(pkg, now, query.businessId, query.serviceId, query.quantity ?? 1));
  const end = (v: PackageView) => graceEndTime(v.pkg) ?? Number.MAX_SAFE_INTEGER;
  return usable.sort((a, b) => end(a) - end(b) || a.pkg.purchaseTime - b.pkg.purchaseTime || (a.pkg.id < b.pkg.id ? -1 : 1));
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
  const scope: IdempotencyScope = { companyId, key: idempotencyKey, operation: `autoRedeem:${customerId}`, request: input };
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
  apply: (tx: PackageTx, r: Redemption) => Promise<void>,
): Promise<Outcome<RedemptionResult>> {
  authorize(p, companyId, 'redeem');
  const found = await deps.store.read.redemptions.get(companyId, redemptionId);
  if (!found) throw notFound('redemption', redemptionId);
  authorize(p, companyId, 'redeem', found.businessId);
  const now = deps.clock.now();
  return runIdempotent(deps, { companyId, key: idempotencyKey, operation: `${step}:${redemptionId}`, request }, async (repos) => {
    const tx = await PackageTx.open(repos, companyId, found.packageId, now, { principal: p, staffId: found.staffId });
    const r = (await repos.redemptions.get(companyId, redemptionId))!;
    await apply(tx, r);
    await tx.finish();
    return { redemption: (await repos.redemptions.get(companyId, redemptionId))!, view: await tx.view() };
  });
}

const notPending = (r: Redemption) =>
  failedPrecondition(
    'HOLD_NOT_PENDING',
    r.status === 'EXPIRED' ? `hold ${r.id} expired and its units went back` : `redemption ${r.id} is ${r.status.toLowerCase()}, not a pending hold`,
    { redemptionId: r.id, status: r.status },
  );

/** Uses a held visit at checkout. */
export function commitHold(deps: Deps, p: Principal, companyId: string, redemptionId: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'commit', {}, idempotencyKey, async (tx, r) => {
    if (r.status !== 'PENDING') throw notPending(r);
    const item = tx.item(r.itemId);
    await tx.guard(tx.repos.packages.commitHeld(r.companyId, r.packageId, r.itemId, r.quantity));
    const delta = tx.change({ ...tx.pkg, items: tx.pkg.items.map((i) => (i.id === item.id ? { ...i, held: i.held - r.quantity, used: i.used + r.quantity } : i)) });
    if (!(await tx.repos.redemptions.transition(r.companyId, r.id, 'PENDING', 'COMMITTED', tx.now, negate(delta)))) throw notPending(r);
    await tx.append('COMMITTED', delta, { redemptionId: r.id, itemId: r.itemId, quantity: r.quantity });
  });
}

/** Gives a held visit's units back (the booking was cancelled). */
export function releaseHold(deps: Deps, p: Principal, companyId: string, redemptionId: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'release', {}, idempotencyKey, async (tx, r) => {
    if (r.status !== 'PENDING') throw notPending(r);
    const item = tx.item(r.itemId);
    await tx.guard(tx.repos.packages.releaseHeld(r.companyId, r.packageId, r.itemId, r.quantity));
    tx.setItem({ ...item, held: item.held - r.quantity, remaining: item.remaining + r.quantity });
    if (!(await tx.repos.redemptions.transition(r.companyId, r.id, 'PENDING', 'RELEASED', tx.now))) throw notPending(r);
    await tx.append('RELEASED', money(tx.pkg.paid.currency, 0), { redemptionId: r.id, itemId: r.itemId, quantity: r.quantity });
  });
}

/** Gives a used visit's units back (the visit was cancelled or recorded by mistake). */
export function reverseRedemption(deps: Deps, p: Principal, companyId: string, redemptionId: string, reason: string, idempotencyKey?: string) {
  return onRedemption(deps, p, companyId, redemptionId, 'reverse', { reason }, idempotencyKey, async (tx, r) => {
    if (r.status === 'PENDING') throw failedPrecondition('HOLD_PENDING', `redemption ${r.id} is a pending hold: release it instead`, { redemptionId: r.id });
    if (r.status !== 'COMMITTED') throw failedPrecondition('ALREADY_REVERSED', `redemption ${r.id} was already given back (${r.status.toLowerCase()})`, { redemptionId: r.id });
    if (tx.pkg.cancelTime !== null) throw failedPrecondition('PACKAGE_CANCELLED', `package ${r.packageId} is cancelled`, { packageId: r.packageId });
    const item = tx.item(r.itemId);
    await tx.guard(tx.repos.packages.unconsume(r.companyId, r.packageId, r.itemId, r.quantity));
    const delta = tx.change({ ...tx.pkg, items: tx.pkg.items.map((i) => (i.id === item.id ? { ...i, used: i.used - r.quantity, remaining: i.remaining + r.quantity } : i)) });
    if (!(await tx.repos.redemptions.transition(r.companyId, r.id, 'COMMITTED', 'REVERSED', tx.now))) {
      throw failedPrecondition('ALREADY_REVERSED', `redemption ${r.id} was already reversed`, { redemptionId: r.id });
    }
    await tx.append('REVERSED', delta, { redemptionId: r.id, itemId: r.itemId, quantity: r.quantity, data: { reason } });
  });
}

