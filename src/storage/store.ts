// The Store port over a Kysely database: repositories bound either to the pool or to one transaction.
import type { ReadRepos, Repos, Store } from '../application/ports.js';
import { sql } from 'kysely';
import { DomainError } from '../domain/errors.js';
import type { Db, Queryable } from './database.js';
import { isDataException, isUnavailable, isUniqueViolation } from './database.js';
import {
  apiKeyRepo,
  businessRepo,
  companyRepo,
  customerRepo,
  productRepo,
  serviceRepo,
  staffRepo,
} from './reference-repos.js';
import { eventRepo, idempotencyRepo, packageRepo, redemptionRepo, templateRepo } from './package-repos.js';
import { expiringNoticeRepo, webhookEndpointRepo, webhookMessageRepo, type WebhookWork } from './webhook-repos.js';
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitLimits, type WorkScope } from './group-commit.js';
import type { WriteBatch } from '../application/ports.js';

/**
 * Repositories on q; `work` gathers the companies whose webhook messages a transaction made due. Each is made
 * when first used: a command touches four or five of the fifteen, and one set is made for every command. In a
 * group commit's batch (`scope`), every write method tells the batch that the command has written before it does.
 */
export function reposOn(q: Queryable, db: Db, work?: WebhookWork, scope?: WorkScope): Repos {
  return new LazyRepos(q, db, work, scope);
}

class LazyRepos implements Repos {
  #templates?: Repos['templates'];
  #packages?: Repos['packages'];
  #redemptions?: Repos['redemptions'];
  #events?: Repos['events'];
  #idempotency?: Repos['idempotency'];
  #companies?: Repos['companies'];
  #apiKeys?: Repos['apiKeys'];
  #businesses?: Repos['businesses'];
  #customers?: Repos['customers'];
  #staff?: Repos['staff'];
  #services?: Repos['services'];
  #products?: Repos['products'];
  #webhookEndpoints?: Repos['webhookEndpoints'];
  #webhookMessages?: Repos['webhookMessages'];
  #expiringNotices?: Repos['expiringNotices'];

  constructor(
    private readonly q: Queryable,
    private readonly db: Db,
    private readonly work: WebhookWork | undefined,
    private readonly scope: WorkScope | undefined,
  ) {}

  private marked<K extends keyof Repos>(name: K, repo: Repos[K]): Repos[K] {
    return this.scope ? markingWrites(repo, WRITES[name], this.scope) : repo;
  }

  get templates() {
    return (this.#templates ??= this.marked('templates', templateRepo(this.q)));
  }
  get packages() {
    return (this.#packages ??= this.marked('packages', packageRepo(this.q, this.db, this.work)));
  }
  get redemptions() {
    return (this.#redemptions ??= this.marked('redemptions', redemptionRepo(this.q, this.db)));
  }
  get events() {
    return (this.#events ??= this.marked('events', eventRepo(this.q, this.db)));
  }
  get idempotency() {
    return (this.#idempotency ??= this.marked('idempotency', idempotencyRepo(this.q, this.db)));
  }
  get companies() {
    return (this.#companies ??= this.marked('companies', companyRepo(this.q)));
  }
  get apiKeys() {
    return (this.#apiKeys ??= this.marked('apiKeys', apiKeyRepo(this.q, this.db)));
  }
  get businesses() {
    return (this.#businesses ??= this.marked('businesses', businessRepo(this.q, this.db)));
  }
  get customers() {
    return (this.#customers ??= this.marked('customers', customerRepo(this.q, this.db)));
  }
  get staff() {
    return (this.#staff ??= this.marked('staff', staffRepo(this.q, this.db)));
  }
  get services() {
    return (this.#services ??= this.marked('services', serviceRepo(this.q, this.db)));
  }
  get products() {
    return (this.#products ??= this.marked('products', productRepo(this.q, this.db)));
  }
  get webhookEndpoints() {
    return (this.#webhookEndpoints ??= this.marked('webhookEndpoints', webhookEndpointRepo(this.q, this.db, this.scope?.shared)));
  }
  get webhookMessages() {
    return (this.#webhookMessages ??= this.marked('webhookMessages', webhookMessageRepo(this.q, this.db.engine, this.work)));
  }
  get expiringNotices() {
    return (this.#expiringNotices ??= this.marked('expiringNotices', expiringNoticeRepo(this.q)));
  }
}

/** The methods of a repository that its read part lacks: its writes and locks. */
type WriteNames<K extends keyof Repos> = Exclude<keyof Repos[K], K extends keyof ReadRepos ? keyof ReadRepos[K] : never>;

/**
 * The writes and locks of each repository, every one of them (the type will not compile with one left out): not
 * there at all on Store.read, so none can run outside a transaction, and each write tells a group commit's batch
 * that its command has written.
 */
const WRITE_METHODS: { readonly [K in keyof Repos]: Readonly<Record<WriteNames<K>, true>> } = {
  companies: { insert: true },
  apiKeys: { insert: true, revoke: true },
  businesses: { upsert: true },
  customers: { upsert: true },
  staff: { upsert: true },
  services: { upsert: true, setArchived: true },
  products: { upsert: true, setArchived: true },
  templates: { insert: true, update: true },
  packages: { insert: true, insertMany: true, lockForUpdate: true, writeChange: true },
  redemptions: {},
  events: { appendMany: true },
  idempotency: { insert: true, claim: true },
  webhookEndpoints: { insert: true, update: true, delete: true },
  webhookMessages: { insert: true, claimDue: true, finishAttempt: true, failPending: true, redeliver: true, dropOrphan: true },
  expiringNotices: { known: true, record: true },
};

const WRITES = Object.fromEntries(Object.entries(WRITE_METHODS).map(([name, methods]) => [name, Object.keys(methods)])) as unknown as {
  readonly [K in keyof Repos]: readonly WriteNames<K>[];
};

/**
 * Take locks or read, and write nothing: a command refused after them has nothing to undo (the locks go with the
 * commit). expiringNotices.known is a read of a repository that has no read part on Store.read.
 */
const NOT_WRITING: ReadonlySet<PropertyKey> = new Set(['lockForUpdate', 'claim', 'known']);

/** The repository with each of its write methods setting scope.wrote before it runs. */
function markingWrites<T>(repo: T, writes: readonly PropertyKey[], scope: WorkScope): T {
  const marked = { ...repo } as Record<PropertyKey, unknown>;
  for (const name of writes) {
    if (NOT_WRITING.has(name)) continue;
    const write = marked[name] as (...args: unknown[]) => unknown;
    marked[name] = (...args: unknown[]) => {
      scope.wrote = true;
      return write.apply(repo, args);
    };
  }
  return marked as T;
}

function readsOf(repos: Repos): ReadRepos {
  const strip = <T extends object>(repo: T, writes: readonly PropertyKey[]) =>
    Object.fromEntries(Object.entries(repo).filter(([name]) => !writes.includes(name)));
  // Repositories with no read part at all (expiringNotices) are left out whole.
  const readable = (Object.keys(WRITES) as (keyof Repos)[]).filter((name): name is keyof ReadRepos => name !== 'expiringNotices');
  return Object.fromEntries(readable.map((name) => [name, strip(repos[name], WRITES[name])])) as unknown as ReadRepos;
}

export function createStore(db: Db, limits: Partial<GroupCommitLimits> = {}): Store {
  // The dispatchers of this process: told of their own process's webhook writes once they commit.
  const listeners = new Set<(companyId: string) => void>();
  const batchWatchers = new Set<(batch: WriteBatch) => void>();
  const group = new GroupCommit<Queryable>((works) => db.batch(works), { ...DEFAULT_GROUP_COMMIT, writers: db.writers, ...limits }, (batch) => {
    for (const watcher of batchWatchers) watcher(batch);
  });
  // A transaction's record of the webhook work it made due; the dispatchers of this process hear of it after
  // the commit, and other processes by NOTIFY when none listens here.
  const newWork = (): WebhookWork => ({ written: new Set(), tellOthers: listeners.size === 0 });
  const tell = (work: WebhookWork) => {
    for (const companyId of work.written) for (const listener of listeners) listener(companyId);
  };
  return {
    engine: db.engine,
    read: readsOf(reposOn(db.kysely, db)),
    async transaction(fn) {
      const work = newWork();
      const result = await db.transaction((trx) => fn(reposOn(trx, db, work)));
      tell(work);
      return result;
    },
    async command(fn, options) {
      // Its own record of webhook work, made anew each time the batch runs it: a command refused made nothing
      // due, and a batch run again with savepoints keeps only what its last run made.
      let work: WebhookWork | undefined;
      const result = await group.submit<Awaited<ReturnType<typeof fn>>>({
        work: (trx, scope) => fn(reposOn(trx, db, (work = newWork()), scope)),
        ...options,
      });
      if (work) tell(work);
      return result;
    },
    onWriteBatch(fn) {
      batchWatchers.add(fn);
      return () => void batchWatchers.delete(fn);
    },
    onWebhookWork(fn) {
      listeners.add(fn);
      const stop = db.onWebhookNotice(fn);
      return () => {
        listeners.delete(fn);
        stop();
      };
    },
    ping: () => db.ping(),
    async refreshStatistics() {
      // PostgreSQL plans by the statistics autovacuum gathers (if it runs, within a minute or so); SQLite's
      // planner by those ANALYZE writes, which PRAGMA optimize refreshes where they are out of date.
      if (db.engine === 'postgres') await sql`ANALYZE packages, package_items, package_events, customers`.execute(db.kysely);
      else await sql`PRAGMA optimize`.execute(db.kysely);
    },
    changeGeneration: () => db.changeGeneration(),
    heardChanges: () => db.heardChanges(),
    writeGeneration: () => db.writeGeneration(),
    poolUse: () => db.poolUse(),
    isUniqueViolation,
    classify(error) {
      if (isUnavailable(error)) return new DomainError('UNAVAILABLE', 'the database is unavailable; retry shortly');
      if (isUniqueViolation(error)) return new DomainError('ABORTED', 'a concurrent request changed the same record; retry');
      if (isDataException(error)) return new DomainError('INVALID_ARGUMENT', 'a value is out of range or not valid text');
      return undefined;
    },
    // Commands already taken are answered before the database goes.
    close: async () => {
      await group.drain();
      await db.close();
    },
  };
}
