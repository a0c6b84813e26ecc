// The company's redemptions (visits and holds) as one list: by status, business and redeem time, paged by keyset
// in the database, each with the names a front-desk list shows ("Today": the pending holds at this business).
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { parseInstant, parseLocalDate, startOfLocalDay } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { Redemption, RedemptionStatus } from '../domain/ledger.js';
import { REDEMPTION_STATUSES } from '../domain/ledger.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import type { Page, PageRequest } from './paging.js';
import { cursorOf, pageOf } from './paging.js';
import type { RedemptionFilter, RedemptionOrder } from './ports.js';

export const REDEMPTION_ORDERS: readonly RedemptionOrder[] = ['redeemTime', '-redeemTime', 'holdExpireTime'];

export interface RedemptionSearch {
  /** Statuses, each entry one or several comma-separated; absent or empty: all. */
  readonly status?: readonly string[];
  readonly businessId?: string;
  /** redeemTime from (inclusive) and to (exclusive): RFC 3339, or yyyy-MM-dd (see boundOf). */
  readonly from?: string;
  readonly to?: string;
  readonly orderBy?: string;
}

export interface ListedRedemption {
  /** As getRedemption shows it: a lapsed hold reads EXPIRED. */
  readonly redemption: Redemption;
  readonly customerId: string;
  /** "First Last", '' when the customer record is missing. */
  readonly customerName: string;
  readonly packageName: string;
  readonly serviceName: string;
}

function statusesOf(entries: readonly string[] | undefined): RedemptionStatus[] {
  const out = new Set<RedemptionStatus>();
  for (const entry of entries ?? []) {
    for (const part of entry.split(',')) {
      const s = part.trim();
      if (s === '') continue;
      if (!(REDEMPTION_STATUSES as readonly string[]).includes(s)) throw invalidArgument('status', `must be one of ${REDEMPTION_STATUSES.join(', ')}`);
      out.add(s as RedemptionStatus);
    }
  }
  return [...out];
}

/**
 * An instant (RFC 3339), or a date (yyyy-MM-dd): the start of that day in the business's zone when the list is
 * about one business (its day at the counter), else in UTC (the company's businesses may lie in several zones).
 */
function boundOf(text: string | undefined, field: string, timeZone: string): number | null {
  if (text === undefined || text === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return startOfLocalDay(parseLocalDate(text, field), timeZone);
  return parseInstant(text, field);
}

/** Soonest expiry first for pending holds alone (what the counter works through), else newest first. */
function orderOf(text: string | undefined, statuses: readonly RedemptionStatus[]): RedemptionOrder {
  const pendingOnly = statuses.length === 1 && statuses[0] === 'PENDING';
  if (text === undefined || text === '') return pendingOnly ? 'holdExpireTime' : '-redeemTime';
  if (!(REDEMPTION_ORDERS as readonly string[]).includes(text)) throw invalidArgument('orderBy', `must be one of ${REDEMPTION_ORDERS.join(', ')}`);
  // Only pending holds are still to expire; the others' expiry would sort visits (which have none) nowhere.
  if (text === 'holdExpireTime' && !pendingOnly) throw invalidArgument('orderBy', 'holdExpireTime orders pending holds only (status=PENDING)');
  return text as RedemptionOrder;
}

/** A page of the company's redemptions the search keeps, with customer, package and service names. */
export async function listRedemptions(deps: Deps, p: Principal, companyId: string, search: RedemptionSearch, page: PageRequest): Promise<Page<ListedRedemption>> {
  authorize(p, companyId, 'read', search.businessId);
  await requireCompany(deps, p, companyId);
  const statuses = statusesOf(search.status);
  const order = orderOf(search.orderBy, statuses);
  let timeZone = 'UTC';
  let businessIds: readonly string[] = p.kind === 'key' ? p.businessIds : [];
  if (search.businessId !== undefined) {
    const business = await deps.store.read.businesses.get(companyId, search.businessId);
    if (!business) throw notFound('business', search.businessId);
    timeZone = business.timeZone;
    businessIds = [business.id];
  }
  const now = deps.clock.now();
  const filter: RedemptionFilter = { statuses, businessIds, from: boundOf(search.from, 'from', timeZone), to: boundOf(search.to, 'to', timeZone), now };
  if (filter.from !== null && filter.to !== null && filter.from > filter.to) throw invalidArgument('from', 'must not be after to');

  // The order is the key's last part, so a token of one order cannot continue another.
  const orderCode = REDEMPTION_ORDERS.indexOf(order);
  const cursor = cursorOf(page, ['int', 'id', 'int']);
  if (cursor && cursor[2] !== orderCode) throw invalidArgument('pageToken', 'continues a list in another order');
  const after = cursor ? { time: cursor[0] as number, id: cursor[1] as string } : null;
  const rows = await deps.store.read.redemptions.list(companyId, filter, order, { after, offset: page.offset, limit: page.size + 1 });
  const listed = pageOf(rows, page, (row) => [order === 'holdExpireTime' ? row.redemption.holdExpireTime : row.redemption.redeemTime, row.redemption.id, orderCode]);

  const customers = await deps.store.read.customers.getMany(companyId, [...new Set(listed.items.map((row) => row.customerId))]);
  const nameOf = new Map(customers.map((c) => [c.id, `${c.firstName} ${c.lastName}`.trim()]));
  return {
    nextPageToken: listed.nextPageToken,
    items: listed.items.map((row) => {
      const r = row.redemption;
      const lapsed = r.status === 'PENDING' && r.holdExpireTime !== null && r.holdExpireTime <= now;
      return { ...row, redemption: lapsed ? { ...r, status: 'EXPIRED' } : r, customerName: nameOf.get(row.customerId) ?? '' };
    }),
  };
}
