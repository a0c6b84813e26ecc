// Idempotency for the writes that move balance or money. The key is stored with a hash of the request and the
// result, in the same transaction as the change: a retry with the same body replays the first result, another
// body is refused, and a retry racing the first gets ABORTED. Failed requests store nothing, so they can be retried.
import { createHash } from 'node:crypto';
import { DomainError, invalidArgument } from '../domain/errors.js';
import type { Deps } from './context.js';
import type { CommandOptions, Repos } from './ports.js';

export interface IdempotencyScope {
  readonly companyId: string;
  /** The client's Idempotency-Key, if it sent one. */
  readonly key: string | undefined;
  /** Names the operation and its target, e.g. "redeem:pkg_…". */
  readonly operation: string;
  /** The request as parsed; hashed canonically. */
  readonly request: unknown;
  /** The package the work locks ('' for none, as a sale): the order a group commit runs its commands in. */
  readonly target: string;
}

export interface Outcome<T> {
  readonly result: T;
  readonly replayed: boolean;
}

const inFlight = new Set<string>();

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (operation: string, request: unknown): string =>
  createHash('sha256').update(operation).update('\n').update(canonical(request)).digest('hex');

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalidArgument('Idempotency-Key', 'must be 1–255 visible ASCII characters');
  }
  return key;
}

/** The recorded outcome for this key, if the same request already succeeded; refuses a key reused for another. */
export async function storedOutcome<T>(deps: Deps, scope: IdempotencyScope): Promise<Outcome<T> | undefined> {
  const key = checkIdempotencyKey(scope.key);
  if (key === undefined) return undefined;
  const stored = await deps.store.read.idempotency.get(scope.companyId, key);
  if (!stored) return undefined;
  if (stored.requestHash !== requestHash(scope.operation, scope.request)) throw keyReused();
  return { result: JSON.parse(stored.body) as T, replayed: true };
}

/**
 * Runs work as one command of a group commit (a savepoint in a transaction shared with the commands that came
 * meanwhile), recording its JSON-serialisable result under the idempotency key in the same savepoint.
 */
export async function runIdempotent<T>(deps: Deps, scope: IdempotencyScope, work: (repos: Repos) => Promise<T>): Promise<Outcome<T>> {
  const key = checkIdempotencyKey(scope.key);
  const options = { target: scope.target, bytes: JSON.stringify(scope.request)?.length ?? 0 };
  if (key === undefined) return { result: await deps.store.command(work, options), replayed: false };
  const hash = requestHash(scope.operation, scope.request);
  const slot = `${scope.companyId}\u0000${key}`;
  if (inFlight.has(slot)) throw keyInUse();
  inFlight.add(slot);
  try {
    return await runOnce(deps, scope.companyId, key, hash, scope.operation, work, options);
  } catch (error) {
    // Another process stored the same key between our check and our insert: its answer is the answer.
    if (!deps.store.isUniqueViolation(error)) throw error;
    const stored = await deps.store.read.idempotency.get(scope.companyId, key);
    if (!stored) throw error;
    if (stored.requestHash !== hash) throw keyReused();
    return { result: JSON.parse(stored.body) as T, replayed: true };
  } finally {
    inFlight.delete(slot);
  }
}

/** The first run of a keyed request: claim the key, replay what is stored, or do the work and store its answer. */
function runOnce<T>(
  deps: Deps,
  companyId: string,
  key: string,
  hash: string,
  operation: string,
  work: (repos: Repos) => Promise<T>,
  options: CommandOptions,
): Promise<Outcome<T>> {
  return deps.store.command(async (repos) => {
    const { locked, stored } = await repos.idempotency.claim(companyId, key);
    if (!locked) throw keyInUse();
    if (stored) {
      if (stored.requestHash !== hash) throw keyReused();
      return { result: JSON.parse(stored.body) as T, replayed: true };
    }
    const result = await work(repos);
    await repos.idempotency.insert(companyId, key, { operation, requestHash: hash, status: 200, body: JSON.stringify(result) }, deps.clock.now());
    return { result, replayed: false };
  }, options);
}

const keyInUse = () =>
  new DomainError('ABORTED', 'a request with this Idempotency-Key is still in progress; retry shortly', {
    reason: 'IDEMPOTENCY_KEY_IN_USE',
  });

const keyReused = () =>
  new DomainError('INVALID_ARGUMENT', 'this Idempotency-Key was used with a different request', { reason: 'IDEMPOTENCY_KEY_REUSED' });
