// The storage the use cases need, stated as interfaces beside their consumers; storage/ implements them.
// A repository obtained inside Store.transaction runs on that transaction; Store.read runs outside one.
import type { Role } from '../domain/access.js';
import type { DomainError } from '../domain/errors.js';
import type { Business, Company, Customer, Product, Service, Staff } from '../domain/reference.js';
import type { PageRequest } from './paging.js';
import type { CustomerPackage, Lifecycle } from '../domain/package.js';
import type { EventType, LedgerEvent, Redemption, RedemptionStatus } from '../domain/ledger.js';
import type { Money } from '../domain/money.js';
import type { BalanceMove } from '../domain/decision.js';
import type { PackageTemplate } from '../domain/template.js';

export interface StoredApiKey {
  readonly companyId: string;
  readonly id: string;
  /** SHA-256 of the key text, hex; the text itself is never stored. */
  readonly hash: string;
  readonly prefix: string;
  /** For people to read, in lists and the history; '' when it has none. */
  readonly name: string;
  readonly role: Role;
  readonly businessIds: readonly string[];
  readonly createTime: number;
  readonly revokeTime: number | null;
}

export interface CompanyRepo {
  /** Throws ALREADY_EXISTS when the id is taken. */
  insert(company: Company): Promise<void>;
  get(id: string): Promise<Company | undefined>;
  count(): Promise<number>;
  /** Company ids in order, after the given one: for jobs that visit every tenant. */
  listIds(after: string | null, limit: number): Promise<string[]>;
}

export interface ApiKeyRepo {
  insert(key: StoredApiKey): Promise<void>;
  /** Revoked keys are returned too; the caller decides. */
  findByHash(companyId: string, hash: string): Promise<StoredApiKey | undefined>;
  list(companyId: string, page: PageRequest): Promise<StoredApiKey[]>;
  /** These keys, revoked ones included; missing ids are left out. */
  getMany(companyId: string, ids: readonly string[]): Promise<StoredApiKey[]>;
  /** Sets the revoke time once; false when no such key. */
  revoke(companyId: string, id: string, at: number): Promise<boolean>;
}

/** Upserts by (companyId, id) and returns the stored row; lists in id order, size+1 rows for paging. */
export interface ReferenceRepo<T, F = undefined> {
  upsert(entity: T): Promise<T>;
  get(companyId: string, id: string): Promise<T | undefined>;
  getMany(companyId: string, ids: readonly string[]): Promise<T[]>;
  list(companyId: string, page: PageRequest, filter?: F): Promise<T[]>;
}

export interface CustomerFilter {
  /** Lower-cased text matched anywhere in names, email or phone digits. */
  readonly query?: string;
}

export interface Repos extends PackageRepos {
  readonly companies: CompanyRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly businesses: ReferenceRepo<Business>;
  readonly customers: ReferenceRepo<Customer, CustomerFilter>;
  readonly staff: ReferenceRepo<Staff>;
  readonly services: ReferenceRepo<Service>;
  readonly products: ReferenceRepo<Product>;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly read: Repos;
  transaction<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
  /** Throws when storage cannot be reached. */
  ping(): Promise<void>;
  /**
   * Changes whenever a key may have been revoked or reference data changed, by this process or another; null
   * when that cannot be known right now (then cache nothing).
   */
  changeGeneration(): number | null;
  /** Whether a driver error is a unique violation: a concurrent writer stored the same key first. */
  isUniqueViolation(error: unknown): boolean;
  /** Maps a driver error to a DomainError when it means something to a client (retry, duplicate). */
  classify(error: unknown): DomainError | undefined;
  close(): Promise<void>;
}

// ---- the catalog, packages and the ledger ----

export interface TemplateRepo {
  /** Throws ALREADY_EXISTS when the id is taken. */
  insert(template: PackageTemplate): Promise<void>;
  /** Replaces a template that exists; false when none. */
  update(template: PackageTemplate): Promise<boolean>;
  get(companyId: string, id: string): Promise<PackageTemplate | undefined>;
  list(companyId: string, page: PageRequest, options: { includeArchived: boolean }): Promise<PackageTemplate[]>;
}

/** What the one package query keeps: every field given narrows it; lifecycles are judged at asOf. */
export interface PackageFilter {
  readonly customerIds?: readonly string[];
  /** The selling business. */
  readonly businessId?: string;
  /** The lifecycles to keep, as domain lifecycleAt judges them at asOf; an empty list keeps nothing. */
  readonly lifecycles?: readonly Lifecycle[];
  /**
   * A business: keeps packages ACTIVE at asOf that may be redeemed there and have a service unit to redeem
   * (units left, or held by a hold that has lapsed by asOf, whose units are back whether or not it was written).
   */
  readonly redeemableAt?: string;
  /** Keeps open packages (ACTIVE, FROZEN, NOT_STARTED) whose expiration date, in the package's own time zone, is from today through today + N. */
  readonly expiringWithinDays?: number;
  readonly asOf: number;
}

/**
 * `created`: package id (creation order). `expiring`: end of validity, then id. `redemption`: the order
 * auto-apply tries packages in: grace end (never-expiring last), then purchase time, then id.
 */
export type PackageOrder = 'created' | 'expiring' | 'redemption';

/** A package's place in an order, the id last: [id], [endTime, id], [graceEndTime, purchaseTime, id]; null is never (sorts last). */
export type PackageKey = readonly (string | number | null)[];

export interface PackageVersion {
  readonly id: string;
  readonly eventSeq: number;
}

/** A version as the query found it, with its sort key for the next page's keyset. */
export interface PackageVersionAt extends PackageVersion {
  readonly key: PackageKey;
}

export interface PackageKeyset {
  readonly size: number;
  /** Rows after this sort key (of the order asked), or null from the start. */
  readonly after: PackageKey | null;
  /** Rows to skip (page-number requests). */
  readonly offset: number;
}

/**
 * Sold packages with their items. The balance methods are guarded updates: each changes exactly one row or
 * returns false, and never lets remaining, held or used go below zero (the CHECKs back them).
 */
export interface PackageRepo {
  insert(pkg: CustomerPackage): Promise<void>;
  get(companyId: string, id: string): Promise<CustomerPackage | undefined>;
  getMany(companyId: string, ids: readonly string[]): Promise<CustomerPackage[]>;
  /**
   * Must run inside a transaction: takes the next ledger sequence number and with it the package row's lock
   * until the transaction ends, so state checks and the writes after them see no interleaving.
   */
  lockForUpdate(companyId: string, id: string): Promise<CustomerPackage | undefined>;
  /**
   * The one package query: the versions (id and ledger sequence number) of the packages the filter keeps, in
   * the order asked, after the keyset's key and offset, at most size + 1 of them (the extra one says another
   * page exists). Filtering, ordering and paging all happen in the database.
   */
  query(companyId: string, filter: PackageFilter, order: PackageOrder, page: PackageKeyset): Promise<PackageVersionAt[]>;
  /** How many packages the filter keeps, over all pages. */
  count(companyId: string, filter: PackageFilter): Promise<number>;
  /** The versions of these packages; missing ids are left out. */
  versionsOf(companyId: string, ids: readonly string[]): Promise<PackageVersion[]>;
  /** A company's packages whose grace ended by `before`, not yet marked expired or cancelled, soonest first. */
  listPastEnd(companyId: string, before: number, limit: number, offset: number): Promise<CustomerPackage[]>;
  /** Every package of every company in (companyId, id) order, a batch at a time; for verification. */
  scan(after: { companyId: string; packageId: string } | null, limit: number): Promise<CustomerPackage[]>;
  /**
   * Writes the package's state columns (dates, freeze, cancellation, expiry, sequence number) and what is
   * derived from them; never the item balances, which change only through move().
   */
  saveState(pkg: CustomerPackage): Promise<void>;
  /** One balance move as one guarded update (domain applyMove says what it does); false when the guard refused. */
  move(companyId: string, packageId: string, move: BalanceMove): Promise<boolean>;
}

export interface RedemptionRepo {
  insert(r: Redemption): Promise<void>;
  get(companyId: string, id: string): Promise<Redemption | undefined>;
  /** Moves status from → to; false when it was not in `from` (someone else moved it first). */
  transition(companyId: string, id: string, from: RedemptionStatus, to: RedemptionStatus, at: number, value?: Money): Promise<boolean>;
  listPending(companyId: string, packageId: string): Promise<Redemption[]>;
  listByPackages(companyId: string, packageIds: readonly string[], statuses: readonly RedemptionStatus[]): Promise<Redemption[]>;
  /** Pending holds of any company whose expiry has passed. */
  listDueHolds(now: number, limit: number): Promise<Redemption[]>;
}

export interface EventRepo {
  append(event: LedgerEvent): Promise<void>;
  /** In sequence order, after the given sequence number. */
  list(companyId: string, packageId: string, afterSeq: number, offset: number, limit: number): Promise<LedgerEvent[]>;
  all(companyId: string, packageId: string): Promise<LedgerEvent[]>;
  /** Sums of value changes and refunds by business and event type, for events with from ≤ time < to. */
  sums(companyId: string, from: number, to: number, businessId?: string): Promise<LedgerSum[]>;
  redemptionsPerDay(companyId: string, from: number, to: number, businessId?: string): Promise<{ businessId: string; time: number; quantity: number; type: string }[]>;
}

/** Exact sums in minor units: many bounded amounts may add up past what a double holds. */
export interface LedgerSum {
  readonly businessId: string;
  readonly type: EventType;
  readonly valueDeltaMinor: bigint;
  readonly breakageDeltaMinor: bigint;
  readonly refundMinor: bigint;
}

export interface StoredResponse {
  readonly operation: string;
  readonly requestHash: string;
  readonly status: number;
  readonly body: string;
}

export interface IdempotencyRepo {
  get(companyId: string, key: string): Promise<StoredResponse | undefined>;
  insert(companyId: string, key: string, response: StoredResponse, at: number): Promise<void>;
  /**
   * Inside a transaction: claims the key until commit or rollback; false when another transaction holds it
   * (a retry racing the first request). SQLite's single writer makes this always true there.
   */
  tryLock(companyId: string, key: string): Promise<boolean>;
}

export interface PackageRepos {
  readonly templates: TemplateRepo;
  readonly packages: PackageRepo;
  readonly redemptions: RedemptionRepo;
  readonly events: EventRepo;
  readonly idempotency: IdempotencyRepo;
}
