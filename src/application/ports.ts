// The storage the use cases need, stated as interfaces beside their consumers; storage/ implements them.
import type { ImportedDetails } from '../domain/import.js';
// A repository obtained inside Store.transaction runs on that transaction; Store.read runs outside one.
import type { Role } from '../domain/access.js';
import type { DomainError } from '../domain/errors.js';
import type { Business, Company, Customer, Product, Service, Staff } from '../domain/reference.js';
import type { PageRequest } from './paging.js';
import type { CustomerPackage, Lifecycle } from '../domain/package.js';
import type { EventType, LedgerEvent, Redemption, RedemptionStatus } from '../domain/ledger.js';
import type { BalanceMove, RedemptionWrite } from '../domain/decision.js';
import type { MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage } from '../domain/webhooks.js';
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

// Every repository comes in two parts: its reads (…Reads), which Store.read offers outside any transaction,
// and its writes and locks (…Repo), which exist only on the repositories a transaction hands out.

export interface CompanyReads {
  get(id: string): Promise<Company | undefined>;
  count(): Promise<number>;
  /** Company ids in order, after the given one: for jobs that visit every tenant. */
  listIds(after: string | null, limit: number): Promise<string[]>;
}

export interface CompanyRepo extends CompanyReads {
  /** Throws ALREADY_EXISTS when the id is taken. */
  insert(company: Company): Promise<void>;
}

export interface ApiKeyReads {
  /** Revoked keys are returned too; the caller decides. */
  findByHash(companyId: string, hash: string): Promise<StoredApiKey | undefined>;
  list(companyId: string, page: PageRequest): Promise<StoredApiKey[]>;
  /** These keys, revoked ones included; missing ids are left out. */
  getMany(companyId: string, ids: readonly string[]): Promise<StoredApiKey[]>;
}

export interface ApiKeyRepo extends ApiKeyReads {
  insert(key: StoredApiKey): Promise<void>;
  /** Sets the revoke time once; false when no such key. */
  revoke(companyId: string, id: string, at: number): Promise<boolean>;
}

/** Lists in id order, size+1 rows for paging. */
export interface ReferenceReads<T, F = undefined> {
  get(companyId: string, id: string): Promise<T | undefined>;
  getMany(companyId: string, ids: readonly string[]): Promise<T[]>;
  list(companyId: string, page: PageRequest, filter?: F): Promise<T[]>;
}

/** Upserts by (companyId, id) and returns the stored row. */
export interface ReferenceRepo<T, F = undefined> extends ReferenceReads<T, F> {
  upsert(entity: T): Promise<T>;
}

/** Services' and products' lists: archived entries are left out unless asked for. */
export interface CatalogFilter {
  readonly includeArchived?: boolean;
}

/**
 * Services and products, which the catalog archives and restores. Their upsert keeps the archive time as stored
 * (a PUT of an archived entry leaves it archived): only setArchived changes it.
 */
export interface CatalogEntryRepo<T> extends ReferenceRepo<T, CatalogFilter> {
  /**
   * Archives (at `at`) or restores the entry when it is not so already, in one guarded update, so two at once
   * change it once. Answers the entry as stored afterwards, changed or not; undefined when there is none.
   */
  setArchived(companyId: string, id: string, archived: boolean, at: number): Promise<T | undefined>;
}

export interface CustomerFilter {
  /** Lower-cased text matched anywhere in names, email or phone digits. */
  readonly query?: string;
}

/** What Store.read offers: reads only, outside any transaction; nothing here writes or locks. */
export interface ReadRepos {
  readonly companies: CompanyReads;
  readonly apiKeys: ApiKeyReads;
  readonly businesses: ReferenceReads<Business>;
  readonly customers: ReferenceReads<Customer, CustomerFilter>;
  readonly staff: ReferenceReads<Staff>;
  readonly services: ReferenceReads<Service, CatalogFilter>;
  readonly products: ReferenceReads<Product, CatalogFilter>;
  readonly templates: TemplateReads;
  readonly packages: PackageReads;
  readonly redemptions: RedemptionReads;
  readonly events: EventReads;
  readonly idempotency: IdempotencyReads;
  readonly webhookEndpoints: WebhookEndpointReads;
  readonly webhookMessages: WebhookMessageReads;
}

/** What a transaction hands out: the reads and every write and lock, all on that transaction. */
export interface Repos extends ReadRepos {
  readonly companies: CompanyRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly businesses: ReferenceRepo<Business>;
  readonly customers: ReferenceRepo<Customer, CustomerFilter>;
  readonly staff: ReferenceRepo<Staff>;
  readonly services: CatalogEntryRepo<Service>;
  readonly products: CatalogEntryRepo<Product>;
  readonly templates: TemplateRepo;
  readonly packages: PackageRepo;
  readonly redemptions: RedemptionRepo;
  readonly events: EventRepo;
  readonly idempotency: IdempotencyRepo;
  readonly webhookEndpoints: WebhookEndpointRepo;
  readonly webhookMessages: WebhookMessageRepo;
  readonly expiringNotices: ExpiringNoticeRepo;
}

export interface CommandOptions {
  /** The row the command locks ('' for none): commands of a batch take their locks in this order. */
  readonly target: string;
  /** The command's size for the batch bound: its request's JSON length. */
  readonly bytes: number;
}

/** One group commit: how many commands it held (and how many of them were refused), their size, its time. */
export interface WriteBatch {
  readonly commands: number;
  readonly failed: number;
  readonly bytes: number;
  readonly ms: number;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Reads outside a transaction. Writes and locks exist only inside transaction(). */
  readonly read: ReadRepos;
  transaction<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
  /**
   * A command that moves balance or money, run in the next group commit: fn runs in a savepoint of a
   * transaction shared with the commands that arrived while the writer was busy, and the promise settles as fn
   * did once that transaction has committed (or rejects with what made it fail). fn's rows are as safe as in
   * transaction(); a refusal undoes only fn's own writes. `target` is the row fn locks (its package; '' for
   * none), `bytes` the size the batch bound counts.
   */
  command<T>(fn: (repos: Repos) => Promise<T>, options: CommandOptions): Promise<T>;
  /** Calls fn after each group commit with what it held; returns the way to stop. */
  onWriteBatch(fn: (batch: WriteBatch) => void): () => void;
  /** Throws when storage cannot be reached. */
  ping(): Promise<void>;
  /** Brings the query planner's statistics up to date after a large bulk write (an import). */
  refreshStatistics(): Promise<void>;
  /**
   * Changes whenever a key may have been revoked or reference data changed, by this process or another; null
   * when that cannot be known right now (then cache nothing).
   */
  changeGeneration(): number | null;
  /**
   * changeGeneration counting every change committed before the call, here or in any other process: a key
   * revoked anywhere before a request came is never taken from a cache (a promise where that takes a round trip).
   */
  heardChanges(): number | null | Promise<number | null>;
  /**
   * Names the stored content exactly, as of a moment after the call: it changes with every committed write of
   * any process (a write under way may move it early, never late). Null when it cannot be known: then a read
   * asks the database what changed.
   */
  writeGeneration(): Promise<string | null>;
  /**
   * Calls fn with a company whose webhook messages became due: written or redelivered by this process (after
   * the commit), or by a process with no listener of its own, such as the CLI (PostgreSQL's NOTIFY; on SQLite
   * such writes are not heard). While a listener is registered this process sends no notices. Returns the way to stop.
   */
  onWebhookWork(fn: (companyId: string) => void): () => void;
  /** The database connections' use right now (how many may be open, are open, are busy; callers waiting). */
  poolUse(): { readonly max: number; readonly open: number; readonly busy: number; readonly waiting: number };
  /** Whether a driver error is a unique violation: a concurrent writer stored the same key first. */
  isUniqueViolation(error: unknown): boolean;
  /** Maps a driver error to a DomainError when it means something to a client (retry, duplicate). */
  classify(error: unknown): DomainError | undefined;
  close(): Promise<void>;
}

// ---- the catalog, packages and the ledger ----

export interface TemplateReads {
  get(companyId: string, id: string): Promise<PackageTemplate | undefined>;
  list(companyId: string, page: PageRequest, options: { includeArchived: boolean }): Promise<PackageTemplate[]>;
}

export interface TemplateRepo extends TemplateReads {
  /** Throws ALREADY_EXISTS when the id is taken. */
  insert(template: PackageTemplate): Promise<void>;
  /** Replaces a template that exists; false when none. */
  update(template: PackageTemplate): Promise<boolean>;
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

export interface ImportedPackageRecord {
  readonly sourceId: string;
  readonly packageId: string;
  readonly imported: ImportedDetails;
}

/**
 * Sold packages with their items. The balance methods are guarded updates: each changes exactly one row or
 * returns false, and never lets remaining, held or used go below zero (the CHECKs back them).
 */
export interface PackageReads {
  get(companyId: string, id: string): Promise<CustomerPackage | undefined>;
  getMany(companyId: string, ids: readonly string[]): Promise<CustomerPackage[]>;
  /**
   * The one package query: the versions (id and ledger sequence number) of the packages the filter keeps, in
   * the order asked, after the keyset's key and offset, at most size + 1 of them (the extra one says another
   * page exists). Filtering, ordering and paging all happen in the database.
   */
  query(companyId: string, filter: PackageFilter, order: PackageOrder, page: PackageKeyset): Promise<PackageVersionAt[]>;
  /** How many packages the filter keeps, over all pages. */
  count(companyId: string, filter: PackageFilter): Promise<number>;
  /**
   * A page by number (no keyset) and the count, in one statement: the count is null when the page is empty
   * past the first (no row carries it), and count() must be asked.
   */
  queryCounted(companyId: string, filter: PackageFilter, order: PackageOrder, size: number, offset: number): Promise<{ versions: PackageVersionAt[]; total: number | null }>;
  /** The versions of these packages; missing ids are left out. */
  versionsOf(companyId: string, ids: readonly string[]): Promise<PackageVersion[]>;
  /** A company's packages whose grace ended by `before`, not yet marked expired or cancelled, soonest first. */
  listPastEnd(companyId: string, before: number, limit: number, offset: number): Promise<CustomerPackage[]>;
  /** The packages imported under these source ids, with what their IMPORTED event holds; others are left out. */
  findImported(companyId: string, sourceIds: readonly string[]): Promise<ImportedPackageRecord[]>;
  /** A company's packages in id order after the given id, a batch at a time; for verification. */
  scan(companyId: string, after: string | null, limit: number): Promise<CustomerPackage[]>;
}

/**
 * The writes: inside a transaction only. The balance methods are guarded updates: each changes exactly one row
 * or returns false, and never lets remaining, held or used go below zero (the CHECKs back them).
 */
export interface PackageRepo extends PackageReads {
  insert(pkg: CustomerPackage): Promise<void>;
  /** Inserts new packages with their items, as they are (their state final), in few statements. */
  insertMany(pkgs: readonly CustomerPackage[]): Promise<void>;
  /**
   * Takes the next ledger sequence number and with it the package row's lock until the transaction ends, so
   * the decision and the writes after it see no interleaving.
   */
  lockForUpdate(companyId: string, id: string): Promise<CustomerPackage | undefined>;
  /**
   * Writes one decision on a locked package: its moves as guarded updates (domain applyMove says what each
   * does), its redemption inserts and transitions (each guarded by the status it leaves), its events, then the
   * state columns (dates, freeze, cancellation, expiry, sequence number, what is derived from them) and the
   * webhook messages; never any other balance write. False when a guard refused, with some of it written: the caller must then roll back. On
   * PostgreSQL one statement (data-modifying CTEs: one round trip instead of one per row) unless the change
   * touches one item or one redemption twice, which a single statement cannot.
   */
  writeChange(change: PackageChange): Promise<boolean>;
}

/** What one decision writes on a package (PackageTx.apply): in this order on an engine that writes row by row. */
export interface PackageChange {
  readonly moves: readonly BalanceMove[];
  readonly redemptions: readonly RedemptionWrite[];
  /** When the redemption transitions happen. */
  readonly at: number;
  readonly events: readonly LedgerEvent[];
  readonly state: CustomerPackage;
  readonly messages: readonly WebhookMessage[];
}

export interface RedemptionReads {
  get(companyId: string, id: string): Promise<Redemption | undefined>;
  listPending(companyId: string, packageId: string): Promise<Redemption[]>;
  listByPackages(companyId: string, packageIds: readonly string[], statuses: readonly RedemptionStatus[]): Promise<Redemption[]>;
  /** A company's pending holds whose expiry has passed, soonest first. */
  listDueHolds(companyId: string, now: number, limit: number): Promise<Redemption[]>;
  /**
   * A company's redemptions the filter keeps, with the names a list shows, in the order asked (the id breaking
   * ties), after the keyset's key and offset, at most `limit` rows. Statuses are judged at `filter.now`: a pending
   * hold whose expiry has passed counts as EXPIRED (as getRedemption shows it), whether or not the sweeper has
   * written it yet. Filtering, ordering and paging all happen in the database.
   */
  list(companyId: string, filter: RedemptionFilter, order: RedemptionOrder, page: RedemptionKeyset): Promise<RedemptionListRow[]>;
}

export interface RedemptionFilter {
  /** Empty: every status. */
  readonly statuses: readonly RedemptionStatus[];
  /** Where it happened; empty: every business. */
  readonly businessIds: readonly string[];
  /** redeemTime in [from, to); null: unbounded. */
  readonly from: number | null;
  readonly to: number | null;
  /** The moment statuses are judged at. */
  readonly now: number;
}

/** By redeemTime oldest or newest first, or by holdExpireTime soonest first (pending holds only: they carry one). */
export type RedemptionOrder = 'redeemTime' | '-redeemTime' | 'holdExpireTime';

export interface RedemptionKeyset {
  /** The last row's sort time (redeemTime, or holdExpireTime) and id; null from the start. */
  readonly after: { readonly time: number; readonly id: string } | null;
  readonly offset: number;
  readonly limit: number;
}

export interface RedemptionListRow {
  readonly redemption: Redemption;
  readonly customerId: string;
  readonly packageName: string;
  /** The redeemed service's name as the package recorded it at sale. */
  readonly serviceName: string;
}

/** A redemption is written only as part of its package's change (PackageRepo.writeChange). */
export type RedemptionRepo = RedemptionReads;

export interface EventReads {
  /** In sequence order, after the given sequence number. */
  list(companyId: string, packageId: string, afterSeq: number, offset: number, limit: number): Promise<LedgerEvent[]>;
  all(companyId: string, packageId: string): Promise<LedgerEvent[]>;
  /**
   * A company's events with from ≤ time < to, oldest first (then by package and sequence), after the given
   * place in that order: a keyset for reading the whole history a page at a time.
   */
  listByTime(companyId: string, from: number, to: number, after: EventPlace | null, limit: number): Promise<LedgerEvent[]>;
  /** Exact sums of value changes, breakage changes and refunds by business and event type, for events with from ≤ time < to. */
  sums(companyId: string, from: number, to: number, businessId?: string): Promise<LedgerSum[]>;
  redemptionsPerDay(companyId: string, from: number, to: number, businessId?: string): Promise<{ businessId: string; time: number; quantity: number; type: string }[]>;
}

/** The history is append-only: appending is its only write (one change's events come with it, writeChange). */
export interface EventRepo extends EventReads {
  appendMany(events: readonly LedgerEvent[]): Promise<void>;
}

/** An event's place in the company's history by time. */
export interface EventPlace {
  readonly time: number;
  readonly packageId: string;
  readonly seq: number;
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

export interface IdempotencyReads {
  get(companyId: string, key: string): Promise<StoredResponse | undefined>;
}

export interface IdempotencyRepo extends IdempotencyReads {
  insert(companyId: string, key: string, response: StoredResponse, at: number): Promise<void>;
  /**
   * Inside a transaction: claims the key until commit or rollback (locked false when another transaction
   * holds it: a retry racing the first request; SQLite's single writer makes it always true there), and reads
   * the response stored under it if one is, as one step (on PostgreSQL one statement). A record committed by another process between the two is
   * caught by the insert's unique violation, as a race between two inserts is.
   */
  claim(companyId: string, key: string): Promise<{ readonly locked: boolean; readonly stored: StoredResponse | undefined }>;
}

// ---- webhooks ----

export interface WebhookEndpointReads {
  get(companyId: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** In id order, size+1 rows for paging. */
  list(companyId: string, page: PageRequest): Promise<WebhookEndpoint[]>;
  /** The company's endpoints that are not disabled: who hears of a change. */
  listEnabled(companyId: string): Promise<WebhookEndpoint[]>;
}

export interface WebhookEndpointRepo extends WebhookEndpointReads {
  insert(endpoint: WebhookEndpoint): Promise<void>;
  /** Replaces an endpoint that exists; false when none. */
  update(endpoint: WebhookEndpoint): Promise<boolean>;
  /** Removes the endpoint with its messages and their attempts; false when none. */
  delete(companyId: string, id: string): Promise<boolean>;
}

export interface MessagePage {
  readonly size: number;
  /** Newest first: messages older (smaller id) than this one. */
  readonly before: string | null;
  readonly offset: number;
}

export interface MessageStats {
  readonly byStatus: Readonly<Record<MessageStatus, number>>;
  /** When the oldest pending message was written, or null when none is pending. */
  readonly oldestPendingTime: number | null;
}

export interface WebhookMessageReads {
  get(companyId: string, id: string): Promise<WebhookMessage | undefined>;
  /** An endpoint's messages, newest first, size+1 rows. */
  list(companyId: string, endpointId: string, status: MessageStatus | undefined, page: MessagePage): Promise<WebhookMessage[]>;
  /** A message's attempts, oldest first. */
  attempts(companyId: string, messageId: string): Promise<WebhookAttempt[]>;
  /** Counts over every company (summed company by company), for the metrics. */
  stats(): Promise<MessageStats>;
  /**
   * The earliest time one of a company's pending messages may be claimed: its next attempt time, or the end of
   * its lease when that is later; null when none is pending.
   */
  nextClaimable(companyId: string): Promise<number | null>;
}

/** What a dispatcher decided after an attempt; written only if its claim still holds. */
export interface AttemptOutcome {
  readonly attempt: WebhookAttempt;
  readonly status: MessageStatus;
  readonly nextAttemptTime: number | null;
}

export interface WebhookMessageRepo extends WebhookMessageReads {
  insert(messages: readonly WebhookMessage[]): Promise<void>;
  /**
   * Claims up to `limit` of a company's pending messages that are due by `now` and not claimed by a live lease,
   * for `owner` until `leaseUntil`: with several processes, one attempts a message at a time (PostgreSQL skips
   * rows another claim has locked; SQLite's single writer serialises the guarded update).
   */
  claimDue(companyId: string, owner: string, now: number, leaseUntil: number, limit: number): Promise<WebhookMessage[]>;
  /** Records an attempt and its outcome if `owner` still holds the claim; false when it does not. */
  finishAttempt(companyId: string, id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Marks an endpoint's pending messages FAILED (it was disabled); how many. */
  failPending(companyId: string, endpointId: string): Promise<number>;
  /** Makes a message due again now, whatever its status, with a fresh retry schedule. */
  redeliver(companyId: string, id: string, now: number): Promise<WebhookMessage | undefined>;
  /**
   * Deletes a message, with its attempts, if its endpoint is gone: one written by a change that committed while
   * the endpoint was being deleted, which the deletion did not see. False when there was none such.
   */
  dropOrphan(companyId: string, id: string): Promise<boolean>;
}

export interface ExpiringNoticeRepo {
  /** Which of these packages were already told of for which expiration dates. */
  known(companyId: string, packageIds: readonly string[]): Promise<{ packageId: string; expirationDate: string }[]>;
  /** Records that package.expiring_soon went out for this package and expiration date; false if it already had. */
  record(companyId: string, packageId: string, expirationDate: string, at: number): Promise<boolean>;
}

// ---- webhooks: the outbound HTTP the dispatcher needs ----

export interface WebhookDelivery {
  readonly url: string;
  /** The Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) and the content type. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface WebhookAnswer {
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
  readonly durationMs: number;
  /** Why there was no answer, or '' when there was one. */
  readonly error: string;
  /** The first 1 KB of the answer's body, as text. */
  readonly body: string;
  /** A 429 or 503's Retry-After, in milliseconds; null when absent or unreadable. */
  readonly retryAfterMs: number | null;
}

/** Sends one webhook attempt: no redirect is followed, and it never throws (a failure is an answer too). */
export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookAnswer>;
}
