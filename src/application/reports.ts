// Reports computed from the ledger alone: outstanding liability by business, and redemptions per day.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import type { LocalDate } from '../domain/calendar.js';
import { addDays, localDateOf, startOfLocalDay } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { EventType } from '../domain/ledger.js';
import type { Total } from '../domain/money.js';
import { addTotals, negateTotal, total } from '../domain/money.js';
import type { Business } from '../domain/reference.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import type { LedgerSum } from './ports.js';
import { sweepExpiredPackages } from './sweeper.js';

export interface LiabilityLine {
  /** The business's local date the figures are as of (the end of it). */
  readonly asOf: LocalDate;
  readonly businessId: string;
  readonly businessName: string;
  readonly currencyCode: string;
  /** Outstanding at the start of `from` (zero without one). */
  readonly opening: Total;
  readonly sold: Total;
  /** Value brought in with packages imported from another system. */
  readonly imported: Total;
  /** Value of visits used, less visits reversed. */
  readonly redeemed: Total;
  /** Outstanding value released by cancellations. */
  readonly refunded: Total;
  /** Money paid back by cancellations (may differ from what was outstanding). */
  readonly refundsPaid: Total;
  /** Breakage: value that expired unused, less expired value revived, used late or refunded. */
  readonly expired: Total;
  readonly adjusted: Total;
  /** opening + sold + imported − redeemed − refunded − expired + adjusted. */
  readonly closing: Total;
}

export interface LiabilityReport {
  readonly from: LocalDate | null;
  /** As asked; null means each business's today. */
  readonly to: LocalDate | null;
  readonly businesses: LiabilityLine[];
}

const ALL_TIME = 0;

async function linesFor(deps: Deps, companyId: string, b: Business, from: LocalDate | null, asked: LocalDate | null): Promise<LiabilityLine> {
  const to = asked ?? localDateOf(deps.clock.now(), b.timeZone);
  const end = startOfLocalDay(addDays(to, 1), b.timeZone);
  const start = from === null ? ALL_TIME : startOfLocalDay(from, b.timeZone);
  const events = deps.store.read.events;
  const [before, within] = await Promise.all([
    from === null ? Promise.resolve([]) : events.sums(companyId, ALL_TIME, start, b.id),
    events.sums(companyId, start, end, b.id),
  ]);
  const of = (sums: readonly LedgerSum[], amount: (s: LedgerSum) => bigint[]) => total(b.currencyCode, sums.flatMap(amount));
  // The value these events moved: out of the liability or, on an expired package, out of breakage (a late visit, a refund).
  const flow = (...types: EventType[]) => of(within.filter((s) => types.includes(s.type)), (s) => [s.valueDeltaMinor, s.breakageDeltaMinor]);
  // The closing balance is the ledger's own sum, not the columns': the identity with them is a check, not a definition.
  const opening = of(before, (s) => [s.valueDeltaMinor]);
  return {
    asOf: to,
    businessId: b.id,
    businessName: b.name,
    currencyCode: b.currencyCode,
    opening,
    sold: flow('SOLD'),
    imported: flow('IMPORTED'),
    redeemed: negateTotal(flow('REDEEMED', 'COMMITTED', 'REVERSED')),
    refunded: negateTotal(flow('CANCELLED')),
    refundsPaid: of(within, (s) => [s.refundMinor]),
    expired: of(within, (s) => [s.breakageDeltaMinor]),
    adjusted: flow('ADJUSTED'),
    closing: addTotals(opening, of(within, (s) => [s.valueDeltaMinor])),
  };
}

async function businessesOf(deps: Deps, companyId: string, businessId?: string): Promise<Business[]> {
  if (businessId) {
    const b = await deps.store.read.businesses.get(companyId, businessId);
    if (!b) throw notFound('business', businessId);
    return [b];
  }
  const out: Business[] = [];
  let after: string | null = null;
  for (;;) {
    const rows = await deps.store.read.businesses.list(companyId, { size: 500, after, offset: 0 });
    out.push(...rows.slice(0, 500));
    if (rows.length <= 500) return out;
    after = rows[499]!.id;
  }
}

/**
 * Outstanding liability by business as of the end of `asOf` (or `to`), with the movements from the start of
 * `from` when given; dates are each business's local dates.
 */
export async function liabilityReport(
  deps: Deps,
  p: Principal,
  companyId: string,
  query: { asOf?: LocalDate; from?: LocalDate; to?: LocalDate; businessId?: string },
): Promise<LiabilityReport> {
  authorize(p, companyId, 'read', query.businessId);
  await requireCompany(deps, p, companyId);
  if (query.asOf && query.to && query.asOf !== query.to) throw invalidArgument('asOf', 'give asOf or to, not both');
  const to = query.to ?? query.asOf ?? null;
  const from = query.from ?? null;
  if (from !== null && to !== null && from > to) throw invalidArgument('from', 'must not be after to');
  await sweepExpiredPackages(deps, companyId);
  const businesses = await businessesOf(deps, companyId, query.businessId);
  return { from, to, businesses: await Promise.all(businesses.map((b) => linesFor(deps, companyId, b, from, to))) };
}

export interface DayCount {
  readonly date: LocalDate;
  readonly units: number;
}

/** Units redeemed per local day over the last N days (reversals subtracted), for the dashboard's chart. */
export async function redemptionsPerDay(
  deps: Deps,
  p: Principal,
  companyId: string,
  query: { days: number; businessId?: string },
): Promise<DayCount[]> {
  authorize(p, companyId, 'read', query.businessId);
  if (!Number.isInteger(query.days) || query.days < 1 || query.days > 366) throw invalidArgument('days', 'must be from 1 to 366');
  const businesses = new Map((await businessesOf(deps, companyId, query.businessId)).map((b) => [b.id, b]));
  const now = deps.clock.now();
  const rows = await deps.store.read.events.redemptionsPerDay(companyId, now - (query.days + 1) * 86_400_000, now + 1, query.businessId);
  const zoneToday = localDateOf(now, [...businesses.values()][0]?.timeZone ?? 'UTC');
  const counts = new Map<LocalDate, number>();
  for (let d = 0; d < query.days; d++) counts.set(addDays(zoneToday, -d), 0);
  for (const r of rows) {
    const date = localDateOf(r.time, businesses.get(r.businessId)?.timeZone ?? 'UTC');
    if (!counts.has(date)) continue;
    counts.set(date, counts.get(date)! + (r.type === 'REVERSED' ? -r.quantity : r.quantity));
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, units]) => ({ date, units }));
}
