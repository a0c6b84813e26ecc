// Recomputes every balance from the ledger alone and reports where the stored balances disagree: the check
// that no paid-for session was lost, used twice, or created from nothing.
import type { LedgerEvent } from '../domain/ledger.js';
import type { CustomerPackage } from '../domain/package.js';
import { breakageValue, outstandingValue, totalRemaining } from '../domain/package.js';
import type { Deps } from './context.js';

export interface Drift {
  readonly companyId: string;
  readonly packageId: string;
  readonly what: string;
  readonly stored: number;
  readonly fromLedger: number;
}

export interface VerifyReport {
  readonly packages: number;
  readonly events: number;
  readonly drifts: Drift[];
}

interface Counts {
  total: number;
  used: number;
  held: number;
}

/** What the history says each item holds. */
export function replay(pkg: CustomerPackage, events: readonly LedgerEvent[]): Map<string, Counts> {
  const counts = new Map(pkg.items.map((i) => [i.id, { total: i.quantity, used: 0, held: 0 }]));
  for (const e of events) {
    if (e.type === 'IMPORTED') {
      // A package brought from another system starts with the units it had used there.
      for (const i of e.data.items) {
        const c = counts.get(i.packageServiceId);
        if (c) c.used += i.used;
      }
      continue;
    }
    const c = e.itemId ? counts.get(e.itemId) : undefined;
    const q = e.quantity ?? 0;
    if (!c) continue;
    switch (e.type) {
      case 'REDEEMED':
        c.used += q;
        break;
      case 'HELD':
        c.held += q;
        break;
      case 'COMMITTED':
        c.held -= q;
        c.used += q;
        break;
      case 'RELEASED':
      case 'HOLD_EXPIRED':
        c.held -= q;
        break;
      case 'REVERSED':
        c.used -= q;
        break;
      case 'ADJUSTED':
        c.total += q;
        break;
      default:
        break;
    }
  }
  return counts;
}

export function verifyPackage(pkg: CustomerPackage, events: readonly LedgerEvent[]): Drift[] {
  const drifts: Drift[] = [];
  const drift = (what: string, stored: number, fromLedger: number) => {
    if (stored !== fromLedger) drifts.push({ companyId: pkg.companyId, packageId: pkg.id, what, stored, fromLedger });
  };
  const counts = replay(pkg, events);
  for (const item of pkg.items) {
    const c = counts.get(item.id)!;
    drift(`${item.id}.total`, item.total, c.total);
    drift(`${item.id}.used`, item.used, c.used);
    drift(`${item.id}.held`, item.held, c.held);
    drift(`${item.id}.remaining`, item.remaining, c.total - c.used - c.held);
  }
  events.forEach((e, n) => drift(`event ${e.id} sequence`, e.seq, n + 1));
  drift('eventSeq', pkg.eventSeq, events.length);
  drift('outstandingValue', outstandingValue(pkg).minor, events.reduce((n, e) => n + e.valueDelta.minor, 0));
  // A cancelled package keeps what its refund did not take of its breakage; every other holds exactly its own.
  if (pkg.cancelTime === null) drift('breakage', breakageValue(pkg).minor, events.reduce((n, e) => n + e.breakageDelta.minor, 0));
  const last = events[events.length - 1];
  if (last) drift('totalRemainingQuantity', totalRemaining(pkg), last.totalRemainingAfter);
  return drifts;
}

/** Checks every package of every company (or of one company), telling `onChecked` the count as it goes. */
export async function verifyLedger(deps: Deps, onlyCompany?: string, onChecked?: (packages: number) => void): Promise<VerifyReport> {
  const drifts: Drift[] = [];
  let packages = 0;
  let events = 0;
  // Company by company, a batch of packages at a time: each statement is about one company.
  const verifyCompany = async (companyId: string) => {
    for (let after: string | null = null; ; ) {
      const batch = await deps.store.read.packages.scan(companyId, after, 200);
      for (const pkg of batch) {
        const history = await deps.store.read.events.all(pkg.companyId, pkg.id);
        packages++;
        events += history.length;
        drifts.push(...verifyPackage(pkg, history));
        onChecked?.(packages);
      }
      if (batch.length < 200) return;
      after = batch[batch.length - 1]!.id;
    }
  };
  if (onlyCompany !== undefined) await verifyCompany(onlyCompany);
  else {
    for (let after: string | null = null; ; ) {
      const companies = await deps.store.read.companies.listIds(after, 500);
      for (const companyId of companies) await verifyCompany(companyId);
      if (companies.length < 500) break;
      after = companies[companies.length - 1]!;
    }
  }
  return { packages, events, drifts };
}
