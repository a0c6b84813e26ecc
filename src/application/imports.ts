// A business moving in: its customers' open packages, from a file, with their history intact. Everything is
// checked before anything is written; then one transaction writes every new package (and the customers named
// on the way), or nothing at all.
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { DomainError, invalidArguments } from '../domain/errors.js';
import type { ImportLookups, ImportProblem, ImportRow, ImportedPackageSpec } from '../domain/import.js';
import { checkImportedPackage, importPackage, isCancelledRow, sameImport } from '../domain/import.js';
import type { Business, Customer, Product, Service } from '../domain/reference.js';
import { isValidId } from '../domain/reference.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import { newId } from './ids.js';
import type { ImportOptions, ImportSummary } from './import-types.js';
import { MAX_IMPORT_PROBLEMS } from './import-types.js';
import { PackageTx } from './package-tx.js';
import type { ImportedPackageRecord, ReadRepos } from './ports.js';

/** Rows one import may hold: a 50 MB file has far fewer; the command line's files are bounded by this too. */
export const MAX_IMPORT_ROWS = 2_000_000;
const BATCH = 500;
/** Packages written per round of multi-row statements. */
const WRITE_BATCH = 500;
/** An import of at least this many packages refreshes the planner's statistics once written. */
const STATISTICS_AFTER = 1000;

/** A customer the file creates: the first row that names a customer id not yet known gives its record. */
interface NewCustomer {
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly phone: string | null;
}

/** Reads many ids in batches (a query's list of values stays small). */
async function getInBatches<T>(ids: Iterable<string>, get: (batch: string[]) => Promise<T[]>): Promise<T[]> {
  const all = [...ids].filter(isValidId);
  const out: T[] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(...(await get(all.slice(i, i + BATCH))));
  return out;
}

const cell = (row: ImportRow, column: string): string => (row.cells[column] ?? '').trim();

/** The rows, grouped into packages by source_id (a row without one is a package of its own, to be refused). */
async function readPackages(rows: AsyncIterable<ImportRow> | Iterable<ImportRow>, options: ImportOptions, problems: ImportProblem[]) {
  const packages = new Map<string, ImportRow[]>();
  let count = 0;
  for await (const row of rows) {
    if (++count > MAX_IMPORT_ROWS) {
      problems.push({ line: row.line, column: 'source_id', description: `an import holds at most ${MAX_IMPORT_ROWS} rows` });
      break;
    }
    if (isCancelledRow(row)) continue; // an export's cancelled packages do not move
    const sourceId = cell(row, 'source_id');
    const key = sourceId === '' ? `\u0000${row.line}` : sourceId;
    const group = packages.get(key);
    if (group) group.push(row);
    else packages.set(key, [row]);
    if (count % 10_000 === 0) options.onProgress?.({ stage: 'reading', done: count, total: 0 });
  }
  return packages;
}

/** The customers the file creates: ids not in the company whose rows give both names. */
function customersToCreate(packages: Map<string, ImportRow[]>, existing: ReadonlySet<string>, problems: ImportProblem[]): Map<string, NewCustomer> {
  const created = new Map<string, NewCustomer>();
  for (const rows of packages.values()) {
    for (const row of rows) {
      const id = cell(row, 'customer_id');
      if (!isValidId(id) || existing.has(id) || created.has(id)) continue;
      const [firstName, lastName, email, phone] = ['customer_first_name', 'customer_last_name', 'customer_email', 'customer_phone'].map((c) => cell(row, c));
      if (firstName === '' || lastName === '') continue;
      const before = problems.length;
      const problem = (column: string, description: string) => problems.push({ line: row.line, column, description });
      if (firstName!.length > 200) problem('customer_first_name', 'must be at most 200 characters');
      if (lastName!.length > 200) problem('customer_last_name', 'must be at most 200 characters');
      if (email !== '' && (email!.length > 200 || !/^[^\s@]+@[^\s@]+$/.test(email!))) problem('customer_email', 'is not an email address');
      if (phone!.length > 64) problem('customer_phone', 'must be at most 64 characters');
      if (problems.length === before) created.set(id, { firstName: firstName!, lastName: lastName!, email: email || null, phone: phone || null });
    }
  }
  return created;
}

/** What the rules need of the company, read once for the whole file. */
async function lookupsFor(read: ReadRepos, companyId: string, packages: Map<string, ImportRow[]>, problems: ImportProblem[]) {
  const ids = { business: new Set<string>(), service: new Set<string>(), product: new Set<string>(), staff: new Set<string>(), customer: new Set<string>() };
  for (const rows of packages.values()) {
    for (const row of rows) {
      ids.business.add(cell(row, 'business_id'));
      ids.customer.add(cell(row, 'customer_id'));
      ids.staff.add(cell(row, 'staff_id'));
      ids.product.add(cell(row, 'product_id'));
      for (const s of cell(row, 'service_id').split(/\s+/)) ids.service.add(s);
    }
  }
  const [businesses, services, products, staff, customers] = await Promise.all([
    getInBatches(ids.business, (b) => read.businesses.getMany(companyId, b)),
    getInBatches(ids.service, (b) => read.services.getMany(companyId, b)),
    getInBatches(ids.product, (b) => read.products.getMany(companyId, b)),
    getInBatches(ids.staff, (b) => read.staff.getMany(companyId, b)),
    getInBatches(ids.customer, (b) => read.customers.getMany(companyId, b)),
  ]);
  const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
  const business = byId<Business>(businesses);
  const service = byId<Service>(services);
  const product = byId<Product>(products);
  const staffIds = new Set(staff.map((s) => s.id));
  const existingCustomers = new Set(customers.map((c: Customer) => c.id));
  const newCustomers = customersToCreate(packages, existingCustomers, problems);
  const lookups: ImportLookups = {
    business: (id) => business.get(id),
    service: (id) => service.get(id),
    product: (id) => product.get(id),
    staffExists: (id) => staffIds.has(id),
    customerKnown: (id) => existingCustomers.has(id) || newCustomers.has(id),
  };
  return { lookups, newCustomers, names: { service, product } };
}

/**
 * Imports packages from rows (CSV or JSON, read by the transport) into a company (ADMIN). With any bad row
 * nothing is written and the refusal lists every problem found, by line (up to 1,000). A package imported
 * before with the same values is left as it is; with other values it is a bad row.
 */
export async function importPackages(
  deps: Deps,
  p: Principal,
  companyId: string,
  rows: AsyncIterable<ImportRow> | Iterable<ImportRow>,
  options: ImportOptions,
): Promise<ImportSummary> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
  const now = deps.clock.now();
  const read = deps.store.read;
  const problems: ImportProblem[] = [];
  const packages = await readPackages(rows, options, problems);
  const { lookups, newCustomers, names } = await lookupsFor(read, companyId, packages, problems);
  const known = new Map<string, ImportedPackageRecord>(
    (await getInBatches(packages.keys(), (b) => read.packages.findImported(companyId, b))).map((r) => [r.sourceId, r]),
  );

  const toCreate: ImportedPackageSpec[] = [];
  let items = 0;
  let unchanged = 0;
  const packageCount = packages.size;
  for (const [key, group] of packages) {
    if (problems.length >= MAX_IMPORT_PROBLEMS) break;
    packages.delete(key); // a package's rows are not needed once checked: a large file's memory goes as it is read
    const checked = checkImportedPackage(group, lookups, now);
    problems.push(...checked.problems);
    if (!checked.spec) continue;
    items += group.length;
    const before = known.get(checked.spec.sourceId);
    if (!before) toCreate.push(checked.spec);
    else if (sameImport(before.imported, checked.spec)) unchanged++;
    else {
      problems.push({
        line: group[0]!.line,
        column: 'source_id',
        description: `package ${checked.spec.sourceId} was imported before (as ${before.packageId}) with other values`,
      });
    }
  }
  if (problems.length > 0) {
    const listed = [...problems].sort((a, b) => a.line - b.line).slice(0, MAX_IMPORT_PROBLEMS);
    throw invalidArguments(listed.map((x) => ({ field: `line ${x.line}: ${x.column}`, description: x.description })));
  }

  // Customers are created only for the packages written (a customer of an unchanged package exists already).
  const customerIds = new Set(toCreate.map((s) => s.customerId));
  const summary: ImportSummary = {
    dryRun: options.dryRun,
    packages: packageCount,
    items,
    created: toCreate.length,
    unchanged,
    customersCreated: [...newCustomers.keys()].filter((id) => customerIds.has(id)).length,
  };
  if (options.dryRun || toCreate.length === 0) return summary;

  try {
    await writeImport(deps, p, companyId, toCreate, newCustomers, customerIds, names, now, options);
  } catch (error) {
    // Another import of the same packages committed first: its packages are there now, so a re-run answers them
    // as unchanged (or names what differs).
    if (deps.store.isUniqueViolation(error)) {
      throw new DomainError('ABORTED', 'another import of some of these packages finished meanwhile: run this one again');
    }
    throw error;
  }
  // The tables just grew by a whole business: the next reads (an export, the lists) should be planned for that.
  if (toCreate.length >= STATISTICS_AFTER) await deps.store.refreshStatistics().catch(() => {}); // only a plan's speed is at stake
  return summary;
}

async function writeImport(
  deps: Deps,
  p: Principal,
  companyId: string,
  toCreate: readonly ImportedPackageSpec[],
  newCustomers: ReadonlyMap<string, NewCustomer>,
  customerIds: ReadonlySet<string>,
  names: { service: ReadonlyMap<string, Service>; product: ReadonlyMap<string, Product> },
  now: number,
  options: ImportOptions,
): Promise<void> {
  await deps.store.transaction(async (repos) => {
    for (const [id, c] of newCustomers) {
      if (customerIds.has(id)) await repos.customers.upsert({ companyId, id, ...c, createTime: now, updateTime: now });
    }
    const nameOf = (kind: string, id: string) => (kind === 'SERVICE' ? names.service : names.product).get(id)?.name ?? id;
    let done = 0;
    for (let i = 0; i < toCreate.length; i += WRITE_BATCH) {
      const decisions = toCreate.slice(i, i + WRITE_BATCH).map((spec) =>
        importPackage(
          {
            spec,
            companyId,
            packageId: newId('package'),
            itemIds: spec.items.map((it) => newId(it.kind === 'SERVICE' ? 'packageService' : 'packageProduct')),
            names: new Map(spec.items.flatMap((it) => it.refIds.map((id) => [`${it.kind}:${id}`, nameOf(it.kind, id)] as const))),
          },
          now,
        ),
      );
      await PackageTx.createMany(repos, decisions, now, { principal: p, staffId: null }, deps.outbox);
      done += decisions.length;
      options.onProgress?.({ stage: 'writing', done, total: toCreate.length });
    }
  });
}
