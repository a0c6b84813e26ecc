// Reads of packages for every surface: one package, a customer's, a page for MoeGo's lists, the history,
// the expiring-soon list. Holds whose time has passed count as released even before the sweeper writes it.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { addDays, localDateOf } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { Redemption } from '../domain/ledger.js';
import type { CustomerPackage } from '../domain/package.js';
import { expirationDate, lifecycleAt } from '../domain/package.js';
import type { NamedEvent } from './actor-names.js';
import { withActorNames } from './actor-names.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import type { PackageView } from './package-tx.js';
import { viewAt } from './package-tx.js';
import type { Page, PageRequest } from './paging.js';
import { pageOf } from './paging.js';
import type { PackageListFilter, PackageVersion } from './ports.js';

async function viewsOf(deps: Deps, companyId: string, pkgs: CustomerPackage[], asOf: number): Promise<PackageView[]> {
  const pending = await deps.store.read.redemptions.listByPackages(companyId, pkgs.map((p) => p.id), ['PENDING']);
  return pkgs.map((pkg) => {
    const holds = pending.filter((h) => h.packageId === pkg.id);
    deps.packageCache?.set({ pkg, holds });
    return viewAt({ pkg, holds }, asOf);
  });
}

/** Views of these versions, from the cache where it has them and from the database otherwise; in order. */
async function viewsOfVersions(deps: Deps, companyId: string, versions: readonly PackageVersion[], asOf: number): Promise<PackageView[]> {
  const cache = deps.packageCache;
  const found = new Map<string, PackageView>();
  const missing: string[] = [];
  for (const v of versions) {
    const hit = cache?.get(companyId, v.id, v.eventSeq);
    if (hit) found.set(v.id, viewAt(hit, asOf));
    else missing.push(v.id);
  }
  if (missing.length > 0) {
    const loaded = await deps.store.read.packages.getMany(companyId, missing);
    for (const view of await viewsOf(deps, companyId, loaded, asOf)) found.set(view.pkg.id, view);
  }
  return versions.flatMap((v) => found.get(v.id) ?? []);
}

export async function loadCustomerViews(deps: Deps, companyId: string, customerId: string, asOf: number): Promise<PackageView[]> {
  const views: PackageView[] = [];
  let after: string | null = null;
  for (;;) {
    const versions = await deps.store.read.packages.listVersions(companyId, { customerIds: [customerId] }, { size: 500, after, offset: 0 });
    views.push(...(await viewsOfVersions(deps, companyId, versions.slice(0, 500), asOf)));
    if (versions.length <= 500) return views;
    after = versions[499]!.id;
  }
}

/** One package, as of now. */
export async function getPackage(deps: Deps, p: Principal, companyId: string, packageId: string): Promise<PackageView> {
  authorize(p, companyId, 'read');
  const [view] = await viewsOfVersions(deps, companyId, await deps.store.read.packages.versionsOf(companyId, [packageId]), deps.clock.now());
  if (!view) throw notFound('package', packageId);
  return view;
}

/** Several packages by id; NOT_FOUND names the first id missing (or of another business). Kept in the order asked. */
export async function getPackages(deps: Deps, p: Principal, companyId: string, ids: readonly string[], businessId?: string): Promise<PackageView[]> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  const unique = [...new Set(ids)];
  const versions = new Map((await deps.store.read.packages.versionsOf(companyId, unique)).map((v) => [v.id, v]));
  const absent = unique.find((id) => !versions.has(id));
  if (absent !== undefined) throw notFound('package', absent);
  const views = await viewsOfVersions(deps, companyId, unique.map((id) => versions.get(id)!), deps.clock.now());
  const elsewhere = businessId ? views.find((v) => v.pkg.businessId !== businessId) : undefined;
  if (elsewhere) throw notFound('package', elsewhere.pkg.id);
  return views;
}

/** A page of packages in id order (creation order), filtered by customers and business. */
export async function listPackages(
  deps: Deps,
  p: Principal,
  companyId: string,
  filter: PackageListFilter,
  page: PageRequest,
): Promise<Page<PackageView>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  if (filter.customerIds && filter.customerIds.length > 500) throw invalidArgument('customerIds', 'at most 500 ids');
  const versions = pageOf(await deps.store.read.packages.listVersions(companyId, filter, page), page, (v) => v.id);
  return { items: await viewsOfVersions(deps, companyId, versions.items, deps.clock.now()), nextPageToken: versions.nextPageToken };
}

/** A customer's packages, a page at a time; NOT_FOUND for a customer the company does not have. */
export async function listCustomerPackages(
  deps: Deps,
  p: Principal,
  companyId: string,
  customerId: string,
  businessId: string | undefined,
  page: PageRequest,
): Promise<Page<PackageView>> {
  authorize(p, companyId, 'read');
  if (!(await deps.store.read.customers.get(companyId, customerId))) throw notFound('customer', customerId);
  return listPackages(deps, p, companyId, { customerIds: [customerId], businessId }, page);
}

/** The package's history, oldest first, each event with the name of who did it. */
export async function listEvents(deps: Deps, p: Principal, companyId: string, packageId: string, page: PageRequest): Promise<Page<NamedEvent>> {
  authorize(p, companyId, 'read');
  if (!(await deps.store.read.packages.get(companyId, packageId))) throw notFound('package', packageId);
  // Event tokens carry the last sequence number; the keyset is the ledger order itself.
  const afterSeq = page.after === null ? 0 : Number(page.after.replace(/^s/, ''));
  if (!Number.isSafeInteger(afterSeq)) throw invalidArgument('pageToken', 'is not a page token this service issued');
  const rows = await deps.store.read.events.list(companyId, packageId, afterSeq, page.offset, page.size + 1);
  const events = pageOf(rows, page, (e) => `s${e.seq}`);
  return { items: await withActorNames(deps, companyId, events.items), nextPageToken: events.nextPageToken };
}

export interface ExpiringQuery {
  readonly withinDays: number;
  readonly businessId?: string;
}

/** Open packages whose expiration date falls within the next N days (today included), soonest first. */
export async function listExpiring(deps: Deps, p: Principal, companyId: string, query: ExpiringQuery, page: PageRequest): Promise<Page<PackageView>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  if (!Number.isInteger(query.withinDays) || query.withinDays < 0 || query.withinDays > 3660) {
    throw invalidArgument('withinDays', 'must be an integer from 0 to 3660');
  }
  const now = deps.clock.now();
  // A day either side of the window covers every time zone; the local dates decide.
  const from = now - 2 * 86_400_000;
  const to = now + (query.withinDays + 2) * 86_400_000;
  const limit = page.offset + page.size + 1 + 1000;
  const rows = await deps.store.read.packages.listEnding(companyId, from, to, query.businessId, limit);
  const views = (await viewsOf(deps, companyId, rows, now)).filter(({ pkg }) => {
    const today = localDateOf(now, pkg.timeZone);
    const date = expirationDate(pkg);
    const state = lifecycleAt(pkg, now);
    return date >= today && date <= addDays(today, query.withinDays) && (state === 'ACTIVE' || state === 'FROZEN' || state === 'NOT_STARTED');
  });
  const after = page.after === null ? 0 : Number(page.after.replace(/^o/, ''));
  const start = page.offset + (Number.isSafeInteger(after) ? after : 0);
  const items = views.slice(start, start + page.size);
  const more = views.length > start + page.size;
  return { items, nextPageToken: more ? `~o${start + page.size}` : '' };
}

