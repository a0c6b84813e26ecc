// Zenoti's guest packages list as a mapping of the one package query: the status code becomes lifecycles,
// show_redeemable redeemability at the center, page_num and page_size a page by number, and page_info.total
// the query's count; each entry is mapped with the reference data it names.
import type { Principal } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import { LIFECYCLES, lifecycleAt } from '../../domain/package.js';
import type { Deps } from '../../application/context.js';
import type { PackageView } from '../../application/package-tx.js';
import type { PackageSearch } from '../../application/package-queries.js';
import type { CountedPage } from '../../application/package-queries.js';
import { answerPackagesCounted } from '../../application/package-queries.js';
import type { PageRequest } from '../../application/paging.js';
import { getReference } from '../../application/reference-data.js';
import { STATUS_OF } from './codes.js';
import type { GuestPackagesQuery } from './guest-packages-request.js';
import type { Catalog, GuestPackage, GuestPackageJson } from './package-json.js';
import { guestPackageJson } from './package-json.js';
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

/** The query the request asks: the guest's packages, of the status code's lifecycles, redeemable at the center if asked. */
function searchOf(q: GuestPackagesQuery): PackageSearch {
  return {
    customerIds: [q.guestId],
    ...(q.status === null ? {} : { lifecycles: LIFECYCLES.filter((l) => STATUS_OF[l] === q.status) }),
    ...(q.showRedeemable ? { redeemableAt: q.centerId } : {}),
  };
}

/** page_num and page_size: a page by number. */
const pageRequestOf = (q: GuestPackagesQuery): PageRequest => ({ size: q.pageSize, after: null, offset: (q.pageNum - 1) * q.pageSize });

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

/** The guest and the center must exist (NOT_FOUND otherwise); answers the company asked about. */
async function checked(deps: Deps, p: Principal, q: GuestPackagesQuery): Promise<string> {
  const companyId = companyOf(p);
  await Promise.all([getReference(deps, p, companyId, 'customers', q.guestId), getReference(deps, p, companyId, 'businesses', q.centerId)]);
  return companyId;
}

async function pageOf(deps: Deps, p: Principal, companyId: string, q: GuestPackagesQuery, found: CountedPage<PackageView>): Promise<GuestPackagesPage> {
  const page = found.items.map((view): GuestPackage => ({ view, lifecycle: lifecycleAt(view.pkg, view.asOf), redeemable: redeemableAt(view, q.centerId) }));
  const catalog = await catalogFor(deps, p, companyId, found.items);
  return { packages: page.map((g) => guestPackageJson(g, catalog, q.centerId)), total: found.total };
}

/**
 * One page of the guest's packages as Zenoti lists them, rendered; NOT_FOUND for an unknown guest or center.
 * The answer cache's copy serves while the page, its count and the reference data it names (the store's
 * generation) cannot have changed.
 */
export async function answerGuestPackages(deps: Deps, p: Principal, q: GuestPackagesQuery, render: (page: GuestPackagesPage) => Uint8Array): Promise<Uint8Array> {
  const companyId = await checked(deps, p, q);
  return answerPackagesCounted(deps, p, companyId, { search: searchOf(q), order: 'created', page: pageRequestOf(q) }, {
    key: `zenoti.guestPackages ${companyId} ${JSON.stringify(q)}`,
    render: async (found) => render(await pageOf(deps, p, companyId, q, found)),
  });
}
