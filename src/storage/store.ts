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
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitLimits } from './group-commit.js';
import type { WriteBatch } from '../application/ports.js';

/**
 * Repositories on q; `work` gathers the companies whose webhook messages a transaction made due. Each is made
 * when first used: a command touches four or five of the fifteen, and one set is made for every command.
 */
export function reposOn(q: Queryable, db: Db, work?: WebhookWork): Repos {
  return new LazyRepos(q, db, work);
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
  ) {}

  get templates() {
    return (this.#templates ??= templateRepo(this.q));
  }
  get packages() {
    return (this.#packages ??= packageRepo(this.q, this.db, this.work));
  }
  get redemptions() {
    return (this.#redemptions ??= redemptionRepo(this.q, this.db));
  }
  get events() {
    return (this.#events ??= eventRepo(this.q, this.db));
  }
  get idempotency() {
    return (this.#idempotency ??= idempotencyRepo(this.q, this.db));
  }
  get companies() {
    return (this.#companies ??= companyRepo(this.q));
  }
  get apiKeys() {
    return (this.#apiKeys ??= apiKeyRepo(this.q, this.db));
  }
  get businesses() {
    return (this.#businesses ??= businessRepo(this.q, this.db));
  }
  get customers() {
    return (this.#customers ??= customerRepo(this.q, this.db));
  }
  get staff() {
    return (this.#staff ??= staffRepo(this.q, this.db));
  }
  get services() {
    return (this.#services ??= serviceRepo(this.q, this.db));
  }
  get products() {
    return (this.#products ??= productRepo(this.q, this.db));
  }
  get webhookEndpoints() {
    return (this.#webhookEndpoints ??= webhookEndpointRepo(this.q, this.db));
  }
  get webhookMessages() {
    return (this.#webhookMessages ??= webhookMessageRepo(this.q, this.db.engine, this.work));
  }
  get expiringNotices() {
    return (this.#expiringNotices ??= expiringNoticeRepo(this.q));
  }
}

/** The writes and locks of each repository: not there at all on Store.read, so none can run outside a transaction. */
const WRITES: { readonly [K in keyof ReadRepos]: readonly Exclude<keyof Repos[K], keyof ReadRepos[K]>[] } = {
  companies: ['insert'],
  apiKeys: ['insert', 'revoke'],
  businesses: ['upsert'],
  customers: ['upsert'],
  staff: ['upsert'],
  services: ['upsert'],
  products: ['upsert'],
  templates: ['insert', 'update'],
  packages: ['insert', 'insertMany', 'lockForUpdate', 'writeChange'],
  redemptions: [],
  events: ['appendMany'],
  idempotency: ['insert', 'claim'],
  webhookEndpoints: ['insert', 'update', 'delete'],
  webhookMessages: ['insert', 'claimDue', 'finishAttempt', 'failPending', 'redeliver'],
};

function readsOf(repos: Repos): ReadRepos {
  const strip = <T extends object>(repo: T, writes: readonly PropertyKey[]) =>
    Object.fromEntries(Object.entries(repo).filter(([name]) => !writes.includes(name)));
  // Repositories with no read part at all (expiringNotices) are left out whole.
  const readable = Object.keys(WRITES) as (keyof ReadRepos)[];
  return Object.fromEntries(readable.map((name) => [name, strip(repos[name], WRITES[name])])) as unknown as ReadRepos;
}

export function createStore(db: Db, limits: Partial<GroupCommitLimits> = {}): Store {
  // The dispatchers of this process: told of their own process's webhook writes once they commit.
  const listeners = new Set<(companyId: string) => void>();
  const batchWatchers = new Set<(batch: WriteBatch) => void>();
  const group = new GroupCommit<Queryable>((works) => db.batch(works), { ...DEFAULT_GROUP_COMMIT, writers: db.writers, ...limits }, (batch) => {
    for (const watcher of batchWatchers) watcher(batch);
  });
  const tell = (work: WebhookWork) => {
    for (const companyId of work.written) for (const listener of listeners) listener(companyId);
  };
  return {
    engine: db.engine,
    read: readsOf(reposOn(db.kysely, db)),
    async transaction(fn) {
      const work: WebhookWork = { written: new Set(), tellOthers: listeners.size === 0 };
      const result = await db.transaction((trx) => fn(reposOn(trx, db, work)));
      tell(work);
      return result;
    },
    async command(fn, options) {
      // Its own record of webhook work: a command refused in its savepoint made nothing due.
      const work: WebhookWork = { written: new Set(), tellOthers: listeners.size === 0 };
      const result = await group.submit<Awaited<ReturnType<typeof fn>>>({ work: (trx) => fn(reposOn(trx, db, work)), ...options });
      tell(work);
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
