// What every use case receives: its storage, its clock, and who is asking.
import type { Clock } from '../domain/clock.js';
import type { Principal } from '../domain/access.js';
import { notFound } from '../domain/errors.js';
import type { Store } from './ports.js';
import type { GenerationCache } from './generation-cache.js';
import type { PackageCache } from './package-cache.js';
import type { AnswerCache } from './answer-cache.js';
import type { Outbox } from './webhook-outbox.js';
import type { RateLimiter } from './rate-limit.js';

export interface Deps {
  readonly store: Store;
  readonly clock: Clock;
  /** The platform key from PUNCHCARD_MASTER_KEY, if set. */
  readonly masterKey: string | null;
  /** Keys this process has seen, dropped whenever a revocation may have happened anywhere. */
  readonly keyCache?: GenerationCache<Principal>;
  /** Reference records this process has read (GET one), dropped whenever any may have changed anywhere. */
  readonly referenceCache?: GenerationCache<{}>;
  /** Packages as last read, by version; reads check the version in the database every time. */
  readonly packageCache?: PackageCache;
  /** Rendered answers of the polled package reads, served while nothing they show can differ (answer-cache.ts). */
  readonly answerCache?: AnswerCache;
  /** Writes the webhook messages of every change in its transaction; absent, no webhooks are written. */
  readonly outbox?: Outbox;
  /** The per-key and per-address request budgets; absent, nothing is limited. */
  readonly rateLimiter?: RateLimiter;
}

/** A key's own company exists by construction; the master key may name any, so check it. */
export async function requireCompany(deps: Deps, principal: Principal, companyId: string): Promise<void> {
  if (principal.kind === 'master' && !(await deps.store.read.companies.get(companyId))) {
    throw notFound('company', companyId);
  }
}
