// Upserts and reads of businesses, customers, staff, services and products.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { isValidTimeZone } from '../domain/calendar.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import { isCurrencyCode, isNegative } from '../domain/money.js';
import type { Business, Customer, Product, Service, Staff } from '../domain/reference.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import type { Page, PageRequest } from './paging.js';
import { pageOf } from './paging.js';
import type { CatalogEntryRepo, CatalogFilter, CustomerFilter, ReferenceRepo, Repos } from './ports.js';

type Kind = 'businesses' | 'customers' | 'staff' | 'services' | 'products';
const NOUN: Record<Kind, string> = {
  businesses: 'business',
  customers: 'customer',
  staff: 'staff member',
  services: 'service',
  products: 'product',
};

const ARCHIVABLE: ReadonlySet<Kind> = new Set(['services', 'products']);

/**
 * Stores a record under (companyId, id), keeping the time it was first created: one transaction, so the two agree.
 * A service or product keeps its archive state too (a new one is in the catalog): only :archive and :restore change it.
 */
function save<K extends Kind>(
  deps: Deps,
  kind: K,
  companyId: string,
  id: string,
  fields: Omit<EntityOf<K>, 'companyId' | 'id' | 'createTime' | 'updateTime' | 'archiveTime'>,
): Promise<EntityOf<K>> {
  const now = deps.clock.now();
  return deps.store.transaction(async (repos) => {
    type Record = EntityOf<K> & { createTime: number; archiveTime?: number | null };
    const repo = repos[kind] as unknown as ReferenceRepo<Record, unknown>;
    const before = await repo.get(companyId, id);
    const kept = ARCHIVABLE.has(kind) ? { archiveTime: before?.archiveTime ?? null } : {};
    return repo.upsert({ ...fields, ...kept, companyId, id, createTime: before?.createTime ?? now, updateTime: now } as unknown as Record);
  });
}

/** The distinct business ids given, each checked to be one of the company's; INVALID_ARGUMENT names the first unknown. */
export async function checkBusinessIds(deps: Deps, companyId: string, ids: readonly string[] | undefined): Promise<string[]> {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return [];
  const found = new Set((await deps.store.read.businesses.getMany(companyId, unique)).map((b) => b.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw invalidArgument('businessIds', `business ${missing} does not exist`);
  return unique;
}

function checkPrice(price: Money): Money {
  if (isNegative(price)) throw invalidArgument('price', 'must not be negative');
  return price;
}

export interface BusinessInput {
  readonly name: string;
  readonly timeZone: string;
  readonly currencyCode: string;
}

/** Creates or replaces a business (ADMIN). */
export async function upsertBusiness(deps: Deps, p: Principal, companyId: string, id: string, input: BusinessInput): Promise<Business> {
  authorize(p, companyId, 'admin');
  if (!isValidTimeZone(input.timeZone)) throw invalidArgument('timeZone', `"${input.timeZone}" is not an IANA time zone`);
  if (!isCurrencyCode(input.currencyCode)) throw invalidArgument('currencyCode', `"${input.currencyCode}" is not an ISO 4217 currency`);
  await requireCompany(deps, p, companyId);
  return save(deps, 'businesses', companyId, id, {
    name: input.name,
    timeZone: input.timeZone,
    currencyCode: input.currencyCode,
  });
}

export interface CustomerInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly email?: string | null;
  readonly phone?: string | null;
}

/** Creates or replaces a customer (ADMIN or STAFF: the front desk records walk-ins). */
export async function upsertCustomer(deps: Deps, p: Principal, companyId: string, id: string, input: CustomerInput): Promise<Customer> {
  authorize(p, companyId, 'upsertCustomer');
  if (input.email && !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw invalidArgument('email', 'is not an email address');
  await requireCompany(deps, p, companyId);
  return save(deps, 'customers', companyId, id, {
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email || null,
    phone: input.phone || null,
  });
}

export interface StaffInput {
  readonly firstName: string;
  readonly lastName: string;
}

/** Creates or replaces a staff member (ADMIN). */
export async function upsertStaff(deps: Deps, p: Principal, companyId: string, id: string, input: StaffInput): Promise<Staff> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  return save(deps, 'staff', companyId, id, {
    firstName: input.firstName,
    lastName: input.lastName,
  });
}

export interface ServiceInput {
  readonly name: string;
  readonly durationMinutes: number;
  readonly price: Money;
  readonly businessIds?: readonly string[];
}

/** Creates or replaces a service of the catalog (ADMIN). */
export async function upsertService(deps: Deps, p: Principal, companyId: string, id: string, input: ServiceInput): Promise<Service> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  const businessIds = await checkBusinessIds(deps, companyId, input.businessIds);
  return save(deps, 'services', companyId, id, {
    name: input.name,
    durationMinutes: input.durationMinutes,
    price: checkPrice(input.price),
    businessIds,
  });
}

export interface ProductInput {
  readonly name: string;
  readonly price: Money;
  readonly businessIds?: readonly string[];
}

/** Creates or replaces a product of the catalog (ADMIN). */
export async function upsertProduct(deps: Deps, p: Principal, companyId: string, id: string, input: ProductInput): Promise<Product> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  const businessIds = await checkBusinessIds(deps, companyId, input.businessIds);
  return save(deps, 'products', companyId, id, {
    name: input.name,
    price: checkPrice(input.price),
    businessIds,
  });
}

type CatalogKind = 'services' | 'products';

/** Archives or restores a service or product; NOT_FOUND when absent, and the entry as it stands when it is so already. */
async function setArchived<K extends CatalogKind>(deps: Deps, p: Principal, companyId: string, kind: K, id: string, archived: boolean): Promise<EntityOf<K>> {
  authorize(p, companyId, 'admin');
  const now = deps.clock.now();
  const entry = await deps.store.transaction((repos) => (repos[kind] as unknown as CatalogEntryRepo<EntityOf<K>>).setArchived(companyId, id, archived, now));
  if (!entry) throw notFound(NOUN[kind], id);
  return entry;
}

/**
 * Takes a service or product out of the catalog (ADMIN): lists leave it out and no template takes it in, while
 * packages already sold keep redeeming it and templates holding it keep selling. Archiving twice is harmless.
 */
export const archiveCatalogEntry = <K extends CatalogKind>(deps: Deps, p: Principal, companyId: string, kind: K, id: string) =>
  setArchived(deps, p, companyId, kind, id, true);

/** Brings an archived service or product back into the catalog (ADMIN). Restoring one in it is harmless. */
export const restoreCatalogEntry = <K extends CatalogKind>(deps: Deps, p: Principal, companyId: string, kind: K, id: string) =>
  setArchived(deps, p, companyId, kind, id, false);

type RepoOf<K extends Kind> = Repos[K];
type EntityOf<K extends Kind> = RepoOf<K> extends ReferenceRepo<infer T, any> ? T : never;

/** Reads one record of a company; NOT_FOUND when absent. */
export async function getReference<K extends Kind>(deps: Deps, p: Principal, companyId: string, kind: K, id: string): Promise<EntityOf<K>> {
  authorize(p, companyId, 'read');
  const found = await findReference(deps, companyId, kind, id);
  if (!found) throw notFound(NOUN[kind], id);
  return found;
}

/**
 * One record of a company, or undefined, from this process's cache while no reference data may have changed
 * (a record found is kept; an absent one is asked again): for the use cases that check what a command names,
 * as every redemption does its business.
 */
export async function findReference<K extends Kind>(deps: Deps, companyId: string, kind: K, id: string): Promise<EntityOf<K> | undefined> {
  const cache = deps.referenceCache;
  const key = `${kind}/${companyId}/${id}`;
  const generation = cache ? deps.store.changeGeneration() : null;
  const cached = cache?.get(key, generation) as EntityOf<K> | undefined;
  if (cached) return cached;
  const repo = deps.store.read[kind] as unknown as ReferenceRepo<EntityOf<K>, any>;
  const found = await repo.get(companyId, id);
  if (found && cache && generation !== null && deps.store.changeGeneration() === generation) cache.set(key, found, generation);
  return found;
}

/** Lists a company's records in id order, a page at a time; customers may be searched; archived services and products only when asked for. */
export async function listReference<K extends Kind>(
  deps: Deps,
  p: Principal,
  companyId: string,
  kind: K,
  page: PageRequest,
  filter?: CustomerFilter & CatalogFilter,
): Promise<Page<EntityOf<K>>> {
  authorize(p, companyId, 'read');
  await requireCompany(deps, p, companyId);
  const repo = deps.store.read[kind] as unknown as ReferenceRepo<EntityOf<K>, CustomerFilter | CatalogFilter>;
  const typed = filter?.query?.trim().toLowerCase();
  // A phone typed with separators matches the stored digits.
  const query = typed && /^[\d\s()+.-]+$/.test(typed) ? typed.replace(/\D/g, '') : typed;
  const rows = await repo.list(
    companyId,
    page,
    kind === 'customers' ? (query ? { query } : undefined) : ARCHIVABLE.has(kind) ? { includeArchived: filter?.includeArchived ?? false } : undefined,
  );
  return pageOf(rows, page, (r) => (r as { id: string }).id);
}
