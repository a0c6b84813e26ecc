// Reads of packages for every surface: one package, the one package query (a customer's packages, MoeGo's
// lists, Zenoti's guest list, auto-apply's candidates, the expiring-soon list) and the history. Holds whose
// time has passed count as released even before the sweeper writes it.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { CustomerPackage } from '../domain/package.js';
import type { NamedEvent } from './actor-names.js';
import { withActorNames } from './actor-names.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import type { PackageView } from './package-tx.js';
import { viewAt } from './package-tx.js';
import type { KeyShape, Page, PageRequest } from './paging.js';
import { cursorOf, pageOf } from './paging.js';
import type { PackageFilter, PackageOrder, PackageVersion, PackageVersionAt } from './ports.js';
import type { Rendering } from './answer-cache.js';
import { foundOf } from './answer-cache.js';

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

/** What the one package query is asked for (PackageFilter in ports.ts says what each field keeps). */
export type PackageSearch = Omit<PackageFilter, 'asOf'>;

export interface CountedPage<T> extends Page<T> {
  /** How many match, over all pages. */
  readonly total: number;
}

/** How each order's page token reads back: its sort key's parts. */
const KEY_SHAPES: Record<PackageOrder, KeyShape> = {
  created: ['id'],
  expiring: ['int?', 'id'],
  redemption: ['int?', 'int', 'id'],
};

const MAX_EXPIRING_DAYS = 3660;

function filterOf(search: PackageSearch, asOf: number): PackageFilter {
  if (search.customerIds && search.customerIds.length > 500) throw invalidArgument('customerIds', 'at most 500 ids');
  const days = search.expiringWithinDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > MAX_EXPIRING_DAYS)) {
    throw invalidArgument('withinDays', `must be an integer from 0 to ${MAX_EXPIRING_DAYS}`);
  }
  return { ...search, asOf };
}

/** One page of the query's versions, from the database. */
async function versionsPage(deps: Deps, companyId: string, filter: PackageFilter, order: PackageOrder, page: PageRequest): Promise<Page<PackageVersionAt>> {
  const keyset = { size: page.size, after: cursorOf(page, KEY_SHAPES[order]), offset: page.offset };
  return pageOf(await deps.store.read.packages.query(companyId, filter, order, keyset), page, (v) => v.key);
}

/** One page of the query's answer: versions from the database, views from the cache where it has them. */
async function pageOfPackages(deps: Deps, companyId: string, filter: PackageFilter, order: PackageOrder, page: PageRequest): Promise<Page<PackageView>> {
  const versions = await versionsPage(deps, companyId, filter, order, page);
  return { items: await viewsOfVersions(deps, companyId, versions.items, filter.asOf), nextPageToken: versions.nextPageToken };
}

/** What a read found in the database: the versions to show, what the cache compares, and the result to render. */
interface Found<T> {
  readonly versions: readonly PackageVersion[];
  /** foundOf the versions and whatever else the answer shows (a count, the next page token). */
  readonly found: string;
  readonly resultOf: (views: PackageView[]) => T;
}

/**
 * A read rendered by its surface, through the answer cache: its copy while nothing has been written anywhere
 * since (no read at all), or while what `find` reads is what it was; otherwise the views, rendered and kept.
 * The generations are read first: an answer is kept under those read before anything it shows.
 */
async function rendered<T>(deps: Deps, p: Principal, companyId: string, rendering: Rendering<T>, find: (asOf: number) => Promise<Found<T>>): Promise<Uint8Array> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  const cache = deps.answerCache;
  const generation = deps.store.changeGeneration();
  const writes = await deps.store.writeGeneration();
  const asOf = deps.clock.now();
  const unchanged = cache?.unchanged(rendering.key, writes, generation, asOf);
  if (unchanged) return unchanged;
  const { versions, found, resultOf } = await find(asOf);
  const kept = cache?.get(rendering.key, found, writes, generation, asOf);
  if (kept) return kept;
  const views = await viewsOfVersions(deps, companyId, versions, asOf);
  const answer = await rendering.render(resultOf(views));
  cache?.set(rendering.key, found, writes, generation, asOf, views, answer);
  return answer;
}

/** A page of the one package query, as findPackages takes it. */
export interface PackageQuery {
  readonly search: PackageSearch;
  readonly order: PackageOrder;
  readonly page: PageRequest;
}

/** findPackages, rendered by the surface (from the answer cache while the page cannot have changed). */
export function answerPackages(deps: Deps, p: Principal, companyId: string, q: PackageQuery, rendering: Rendering<Page<PackageView>>): Promise<Uint8Array> {
  return rendered(deps, p, companyId, rendering, async (asOf) => {
    const { items, nextPageToken } = await versionsPage(deps, companyId, filterOf(q.search, asOf), q.order, q.page);
    return { versions: items, found: foundOf(items, nextPageToken), resultOf: (views) => ({ items: views, nextPageToken }) };
  });
}

/** findPackagesCounted, rendered by the surface (from the answer cache while the page and the count cannot have changed). */
export function answerPackagesCounted(deps: Deps, p: Principal, companyId: string, q: PackageQuery, rendering: Rendering<CountedPage<PackageView>>): Promise<Uint8Array> {
  return rendered(deps, p, companyId, rendering, async (asOf) => {
    const { total, versions } = await countedVersions(deps, companyId, filterOf(q.search, asOf), q.order, q.page);
    const { items, nextPageToken } = versions;
    return { versions: items, found: foundOf(items, total, nextPageToken), resultOf: (views) => ({ items: views, nextPageToken, total }) };
  });
}

/**
 * The one package query: a page of the company's packages that the search keeps, in the order asked, as of
 * `asOf` (default now). Every surface's list maps this; the database filters, orders and pages.
 */
export async function findPackages(
  deps: Deps,
  p: Principal,
  companyId: string,
  search: PackageSearch,
  order: PackageOrder,
  page: PageRequest,
  asOf = deps.clock.now(),
): Promise<Page<PackageView>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  return pageOfPackages(deps, companyId, filterOf(search, asOf), order, page);
}

/** As findPackages, with how many packages the search keeps over all pages (a page past them is empty). */
export async function findPackagesCounted(
  deps: Deps,
  p: Principal,
  companyId: string,
  search: PackageSearch,
  order: PackageOrder,
  page: PageRequest,
): Promise<CountedPage<PackageView>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  const filter = filterOf(search, deps.clock.now());
  const { total, versions } = await countedVersions(deps, companyId, filter, order, page);
  return { items: await viewsOfVersions(deps, companyId, versions.items, filter.asOf), nextPageToken: versions.nextPageToken, total };
}

/** The count and a page of versions: a page by number in one statement, a keyset page and the count at once. */
async function countedVersions(deps: Deps, companyId: string, filter: PackageFilter, order: PackageOrder, page: PageRequest) {
  const packages = deps.store.read.packages;
  if (page.after !== null) {
    // On PostgreSQL two connections, one round trip's wait.
    const [total, versions] = await Promise.all([packages.count(companyId, filter), versionsPage(deps, companyId, filter, order, page)]);
    return { total, versions };
  }
  // A page number past any count asks for nothing: the database is not handed an offset it cannot take.
  if (!Number.isSafeInteger(page.offset)) return { total: await packages.count(companyId, filter), versions: { items: [], nextPageToken: '' } };
  const found = await packages.queryCounted(companyId, filter, order, page.size, page.offset);
  const total = found.total ?? (await packages.count(companyId, filter));
  return { total, versions: pageOf(found.versions, page, (v) => v.key) };
}

/** One package, as of now. */
export async function getPackage(deps: Deps, p: Principal, companyId: string, packageId: string): Promise<PackageView> {
  authorize(p, companyId, 'read');
  const [view] = await viewsOfVersions(deps, companyId, await deps.store.read.packages.versionsOf(companyId, [packageId]), deps.clock.now());
  if (!view) throw notFound('package', packageId);
  return view;
}

/** The versions of these packages, each once, in the order asked; NOT_FOUND names the first id missing. */
async function versionsOfAll(deps: Deps, companyId: string, ids: readonly string[]): Promise<PackageVersion[]> {
  const unique = [...new Set(ids)];
  const versions = new Map((await deps.store.read.packages.versionsOf(companyId, unique)).map((v) => [v.id, v]));
  const absent = unique.find((id) => !versions.has(id));
  if (absent !== undefined) throw notFound('package', absent);
  return unique.map((id) => versions.get(id)!);
}

/** NOT_FOUND for the first package of another business than the one asked (a business's packages never move). */
function ofBusiness(views: PackageView[], businessId: string | undefined): PackageView[] {
  const elsewhere = businessId ? views.find((v) => v.pkg.businessId !== businessId) : undefined;
  if (elsewhere) throw notFound('package', elsewhere.pkg.id);
  return views;
}

/** Several packages by id; NOT_FOUND names the first id missing (or of another business). Kept in the order asked. */
export async function getPackages(deps: Deps, p: Principal, companyId: string, ids: readonly string[], businessId?: string): Promise<PackageView[]> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  const versions = await versionsOfAll(deps, companyId, ids);
  return ofBusiness(await viewsOfVersions(deps, companyId, versions, deps.clock.now()), businessId);
}

/** getPackages, rendered by the surface (from the answer cache while none of the packages can have changed). */
export function answerPackagesById(
  deps: Deps,
  p: Principal,
  companyId: string,
  ids: readonly string[],
  businessId: string | undefined,
  rendering: Rendering<PackageView[]>,
): Promise<Uint8Array> {
  return rendered(deps, p, companyId, rendering, async () => {
    const versions = await versionsOfAll(deps, companyId, ids);
    // What was rendered passed the business check with these very packages, so a kept answer needs no check.
    return { versions, found: foundOf(versions), resultOf: (views) => ofBusiness(views, businessId) };
  });
}

/** A page of packages in id order (creation order), filtered by customers and business. */
export function listPackages(
  deps: Deps,
  p: Principal,
  companyId: string,
  filter: { readonly customerIds?: readonly string[]; readonly businessId?: string },
  page: PageRequest,
): Promise<Page<PackageView>> {
  return findPackages(deps, p, companyId, filter, 'created', page);
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
  // The cursor is the last sequence number: the keyset is the ledger order itself.
  const after = cursorOf(page, ['int']);
  const afterSeq = after === null ? 0 : Number(after[0]);
  const rows = await deps.store.read.events.list(companyId, packageId, afterSeq, page.offset, page.size + 1);
  const events = pageOf(rows, page, (e) => [e.seq]);
  return { items: await withActorNames(deps.store.read, companyId, events.items), nextPageToken: events.nextPageToken };
}

export interface ExpiringQuery {
  readonly withinDays: number;
  readonly businessId?: string;
}

/** Open packages whose expiration date falls within the next N days (today included), soonest first. */
export function listExpiring(deps: Deps, p: Principal, companyId: string, query: ExpiringQuery, page: PageRequest): Promise<Page<PackageView>> {
  const search = query.businessId === undefined ? { expiringWithinDays: query.withinDays } : { expiringWithinDays: query.withinDays, businessId: query.businessId };
  return findPackages(deps, p, companyId, search, 'expiring', page);
}
