// The two MoeGo reads over the application queries, shared by the HTTP routes and the gRPC service.
import type { Principal } from '../../domain/access.js';
import { invalidArgument } from '../../domain/errors.js';
import type { Deps } from '../../application/context.js';
import type { PackageView } from '../../application/package-tx.js';
import type { Rendering } from '../../application/answer-cache.js';
import { answerPackages, answerPackagesById, getPackages, listPackages } from '../../application/package-queries.js';
import type { Page } from '../../application/paging.js';
import { cursorOf, pageOf } from '../../application/paging.js';
import type { ListPackageDetailsQuery, ListPackagesQuery } from './list-requests.js';

const PAGE_TOKEN = 'pagination.pageToken';

/** A page of the customers' packages (optionally of one business), in creation order. */
export function listPackagesPage(deps: Deps, p: Principal, q: ListPackagesQuery): Promise<Page<PackageView>> {
  return listPackages(deps, p, q.companyId, searchOf(q), q.page);
}

/** listPackagesPage, rendered (the answer cache's copy while the page cannot have changed). */
export function answerListPackages(deps: Deps, p: Principal, q: ListPackagesQuery, render: (page: Page<PackageView>) => Uint8Array): Promise<Uint8Array> {
  return answerPackages(deps, p, q.companyId, { search: searchOf(q), order: 'created', page: q.page }, rendering('moego.list', q, render));
}

/** The customers asked, and the business if one is. */
const searchOf = (q: ListPackagesQuery) =>
  q.businessId === undefined ? { customerIds: q.customerIds } : { customerIds: q.customerIds, businessId: q.businessId };

/**
 * A page of the asked packages, in the order asked. Every id is looked up on every page, so a missing one is
 * NOT_FOUND whichever page it falls on (at most 500 ids, so this stays cheap).
 */
export async function listPackageDetailsPage(deps: Deps, p: Principal, q: ListPackageDetailsQuery): Promise<Page<PackageView>> {
  return detailsPageOf(await getPackages(deps, p, q.companyId, q.packageIds, q.businessId), q);
}

/** listPackageDetailsPage, rendered (the answer cache's copy while none of the packages can have changed). */
export function answerListPackageDetails(deps: Deps, p: Principal, q: ListPackageDetailsQuery, render: (page: Page<PackageView>) => Uint8Array): Promise<Uint8Array> {
  return answerPackagesById(deps, p, q.companyId, q.packageIds, q.businessId, rendering('moego.details', q, (views: PackageView[]) => render(detailsPageOf(views, q))));
}

/** Names a request for the answer cache by everything it asks: the parsed query, whole. */
function rendering<T>(surface: string, q: ListPackagesQuery | ListPackageDetailsQuery, render: (result: T) => Uint8Array): Rendering<T> {
  return { key: `${surface} ${JSON.stringify(q)}`, render };
}

function detailsPageOf(views: PackageView[], q: ListPackageDetailsQuery): Page<PackageView> {
  // The cursor is the last id of the page before; the list it continues is the ids asked, in their order.
  const [after] = cursorOf(q.page, ['id'], PAGE_TOKEN) ?? [];
  let start = q.page.offset;
  if (after !== undefined) {
    start = views.findIndex((v) => v.pkg.id === after) + 1;
    if (start === 0) throw invalidArgument(PAGE_TOKEN, 'is not a page token of this list of package ids');
  }
  return pageOf(views.slice(start, start + q.page.size + 1), q.page, (v) => [v.pkg.id]);
}
