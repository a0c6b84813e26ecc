// Zenoti's guest packages list over the application queries: the guest's packages (listPackages, a page of
// 500 at a time), filtered by status and redeemability at the center, paged by page number, with the
// reference data the entries name.
import type { Principal } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import { lifecycleAt } from '../../domain/package.js';
import type { Deps } from '../../application/context.js';
import type { PackageView } from '../../application/package-tx.js';
import { listPackages } from '../../application/package-queries.js';
import { MAX_PAGE_SIZE, parsePageRequest } from '../../application/paging.js';
import { getReference } from '../../application/reference-data.js';
import type { GuestPackagesQuery } from './guest-packages-request.js';
import type { Catalog, GuestPackage, GuestPackageJson } from './package-json.js';
import { guestPackageJson, statusCode } from './package-json.js';
import { redeemableAt } from './redeemable.js';

export interface GuestPackagesPage {
  readonly packages: GuestPackageJson[];
  /** How many packages match, over all pages. */
  readonly total: number;
}

/** Zenoti keys name no company: the key's own company is the one asked about. */
function companyOf(p: Principal): string {
  if (p.kind === 'master') {
    throw new DomainError('PERMISSION_DENIED', 'the master key belongs to no company: call the Zenoti API with a key of the company');
  }
  return p.companyId;
}

async function allPackagesOf(deps: Deps, p: Principal, companyId: string, customerId: string): Promise<PackageView[]> {
  const views: PackageView[] = [];
  let token = '';
  do {
    const page = await listPackages(deps, p, companyId, { customerIds: [customerId] }, parsePageRequest(MAX_PAGE_SIZE, token));
    views.push(...page.items);
    token = page.nextPageToken;
  } while (token !== '');
  return views;
}

/** Reads each record once; a record missing from the catalog is simply absent from the map. */
async function byId<T>(ids: Iterable<string>, read: (id: string) => Promise<T>): Promise<Map<string, T>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map((id) =>
      read(id).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }),
    ),
  );
  return new Map(unique.flatMap((id, n) => (found[n] === undefined ? [] : [[id, found[n]!] as [string, T]])));
}

async function catalogFor(deps: Deps, p: Principal, companyId: string, views: readonly PackageView[]): Promise<Catalog> {
  const items = views.flatMap((v) => v.pkg.items);
  const refIds = (kind: 'SERVICE' | 'PRODUCT') => items.filter((i) => i.kind === kind).flatMap((i) => i.choices.map((c) => c.id));
  const [businesses, services, products] = await Promise.all([
    byId(views.map((v) => v.pkg.businessId), (id) => getReference(deps, p, companyId, 'businesses', id)),
    byId(refIds('SERVICE'), (id) => getReference(deps, p, companyId, 'services', id)),
    byId(refIds('PRODUCT'), (id) => getReference(deps, p, companyId, 'products', id)),
  ]);
  return { businessNames: new Map([...businesses].map(([id, b]) => [id, b.name])), services, products };
}

/** One page of the guest's packages as Zenoti lists them; NOT_FOUND for an unknown guest or center. */
export async function guestPackagesPage(deps: Deps, p: Principal, q: GuestPackagesQuery): Promise<GuestPackagesPage> {
  const companyId = companyOf(p);
  await Promise.all([getReference(deps, p, companyId, 'customers', q.guestId), getReference(deps, p, companyId, 'businesses', q.centerId)]);
  const matching = (await allPackagesOf(deps, p, companyId, q.guestId))
    .map((view): GuestPackage => ({ view, lifecycle: lifecycleAt(view.pkg, view.asOf), redeemable: redeemableAt(view, q.centerId) }))
    .filter((g) => (q.status === null || statusCode(g) === q.status) && (!q.showRedeemable || g.redeemable));
  const start = (q.pageNum - 1) * q.pageSize;
  const page = matching.slice(start, start + q.pageSize);
  const catalog = await catalogFor(deps, p, companyId, page.map((g) => g.view));
  return { packages: page.map((g) => guestPackageJson(g, catalog, q.centerId)), total: matching.length };
}
