// Data out, for a business moving on and for its accountants: every package item in the import's columns, and
// the whole history, oldest first. Both are read a page at a time from a keyset cursor and handed on as they are
// read, so a company of a million packages exports in constant memory.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { formatInstant, parseInstant, parseLocalDate } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import { IMPORT_COLUMN_NAMES } from '../domain/import.js';
import type { Money } from '../domain/money.js';
import { toDecimalString } from '../domain/money.js';
import type { Lifecycle } from '../domain/package.js';
import { LIFECYCLES, expirationDate, itemValueAt, lifecycleAt, neverExpires } from '../domain/package.js';
import type { Customer } from '../domain/reference.js';
import { withActorNames, type NamedEvent } from './actor-names.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import { findPackages } from './package-queries.js';
import { parsePageRequest } from './paging.js';
import type { EventPlace } from './ports.js';

const PAGE = 500;

/** The import's columns (API.md "Import and export"), then what the export adds. */
export const PACKAGE_COLUMNS = [...IMPORT_COLUMN_NAMES, 'package_id', 'lifecycle', 'remaining', 'held', 'remaining_value'] as const;

export type PackageExportRow = Record<(typeof PACKAGE_COLUMNS)[number], string | number>;

export interface PackageExportQuery {
  readonly businessId?: string;
  readonly lifecycle?: string;
}

const decimal = (m: Money) => toDecimalString(m);

/**
 * Every package item of the company (of one business, of one lifecycle now), one row each, in the order the
 * packages were recorded. Checks the request before the first row, so a bad one is refused with an error
 * rather than cut off mid-stream.
 */
export async function exportPackages(deps: Deps, p: Principal, companyId: string, query: PackageExportQuery): Promise<AsyncIterable<PackageExportRow[]>> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  if (query.lifecycle !== undefined && !(LIFECYCLES as readonly string[]).includes(query.lifecycle)) {
    throw invalidArgument('lifecycle', `must be one of ${LIFECYCLES.join(', ')}`);
  }
  if (query.businessId !== undefined && !(await deps.store.read.businesses.get(companyId, query.businessId))) throw notFound('business', query.businessId);
  const now = deps.clock.now();
  const search = {
    ...(query.businessId === undefined ? {} : { businessId: query.businessId }),
    ...(query.lifecycle === undefined ? {} : { lifecycles: [query.lifecycle as Lifecycle] }),
  };
  return (async function* () {
    for (let token = ''; ; ) {
      const page = await findPackages(deps, p, companyId, search, 'created', parsePageRequest(PAGE, token), now);
      const customers = new Map<string, Customer>((await deps.store.read.customers.getMany(companyId, [...new Set(page.items.map((v) => v.pkg.customerId))])).map((c) => [c.id, c]));
      yield page.items.flatMap(({ pkg, asOf }) => {
        const customer = customers.get(pkg.customerId);
        const lifecycle = lifecycleAt(pkg, asOf);
        return pkg.items.map(
          (i): PackageExportRow => ({
            source_id: pkg.sourceId ?? pkg.id,
            customer_id: pkg.customerId,
            business_id: pkg.businessId,
            package_name: pkg.name,
            package_description: pkg.description,
            template_id: pkg.templateId,
            // An item redeemable for any one of several services lists them all, space-separated.
            service_id: i.kind === 'SERVICE' ? i.choices.map((c) => c.id).join(' ') : '',
            product_id: i.kind === 'PRODUCT' ? i.choices[0]!.id : '',
            total: i.total,
            used: i.used,
            unit_price: decimal(i.unitPrice),
            item_value: decimal(i.value),
            price: decimal(pkg.paid),
            currency: pkg.paid.currency,
            paid_amount: decimal(pkg.paid),
            purchase_date: formatInstant(pkg.purchaseTime),
            start_date: pkg.startTime === null ? '' : formatInstant(pkg.startTime),
            expiration_date: neverExpires(pkg) ? (pkg.startTime === null ? '' : 'never') : expirationDate(pkg),
            staff_id: pkg.staffId ?? '',
            invoice_no: pkg.invoice?.no ?? '',
            customer_first_name: customer?.firstName ?? '',
            customer_last_name: customer?.lastName ?? '',
            customer_email: customer?.email ?? '',
            customer_phone: customer?.phone ?? '',
            package_id: pkg.id,
            lifecycle,
            remaining: i.remaining,
            held: i.held,
            remaining_value: decimal(itemValueAt(pkg, i, asOf)),
          }),
        );
      });
      if (page.nextPageToken === '') return;
      token = page.nextPageToken;
    }
  })();
}

export interface EventExportQuery {
  readonly from?: string;
  readonly to?: string;
}

/** An instant (RFC 3339) or a date (yyyy-MM-dd, taken as the start of that day in UTC: events span businesses). */
function boundOf(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parseInstant(`${parseLocalDate(text, field)}T00:00:00Z`, field);
  return parseInstant(text, field);
}

/** The company's history, every package's events, oldest first (from ≤ time < to; default: all of it until now). */
export async function exportEvents(deps: Deps, p: Principal, companyId: string, query: EventExportQuery): Promise<AsyncIterable<(NamedEvent & { readonly currency: string })[]>> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  const now = deps.clock.now();
  const from = boundOf(query.from, 'from', 0);
  const to = boundOf(query.to, 'to', now + 1);
  if (from > to) throw invalidArgument('from', 'must not be after to');
  return (async function* () {
    let after: EventPlace | null = null;
    for (;;) {
      const events = await deps.store.read.events.listByTime(companyId, from, to, after, PAGE);
      if (events.length === 0) return;
      const named = await withActorNames(deps.store.read, companyId, events);
      yield named.map((e) => ({ ...e, currency: e.valueDelta.currency }));
      const last = events[events.length - 1]!;
      if (events.length < PAGE) return;
      after = { time: last.time, packageId: last.packageId, seq: last.seq };
    }
  })();
}
