// Whether a request may go in, the same for every surface: who its key is (keys.ts), and whether that key's
// budget, or for a request without a valid key its address's budget, has a request left (rate-limit.ts).
// Answers at once when the key is known, the store knows its changes without a round trip (SQLite) and the
// buckets are in memory, and as a promise otherwise, so the HTTP hook pays no promise on its common path.
import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import type { Deps } from './context.js';
import { authenticate, keyRequired, knownPrincipal, masterPrincipal } from './keys.js';
import { rateLimited, type BucketReading } from './rate-limit.js';

export type Admission =
  /** Let in; `reading` is the key's bucket after this request (null when the caller is not limited). */
  | { readonly principal: Principal; readonly reading: BucketReading | null; readonly refusal: null }
  /** Turned away: UNAUTHENTICATED, or RESOURCE_EXHAUSTED RATE_LIMITED; `reading` is the bucket that was asked. */
  | { readonly principal: null; readonly reading: BucketReading | null; readonly refusal: DomainError };

type Maybe<T> = T | Promise<T>;

/** Runs `next` on a value that may or may not be a promise, without making one when it is not. */
function then<T, U>(value: Maybe<T>, next: (v: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

const refused = (reading: BucketReading | null, refusal: DomainError): Admission => ({ principal: null, reading, refusal });

function letIn(deps: Deps, principal: Principal): Maybe<Admission> {
  const reading = deps.rateLimiter?.forKey(principal) ?? null;
  return then(reading, (r): Admission => (r && !r.allowed ? refused(r, rateLimited(r)) : { principal, reading: r, refusal: null }));
}

/**
 * The admission of a request presenting `keyText` (undefined: none) from `address`. A key not known good yet
 * is looked up only while the address has budget for wrong keys, so keys cannot be guessed at speed; a wrong
 * or missing key then spends from that budget. A valid key never spends the address's budget, and the
 * master key is never limited. Rejects only for what is not the client's doing (the database is down).
 */
export function admit(deps: Deps, keyText: string | undefined, address: string): Maybe<Admission> {
  if (!keyText) return chargeAddress(deps, address, keyRequired());
  // The cache may answer only for what was not revoked anywhere before this request came.
  const heard = deps.keyCache ? deps.store.heardChanges() : null;
  return then(heard, (generation) => {
    const known = (generation === null ? undefined : knownPrincipal(deps, keyText, generation)) ?? masterPrincipal(deps, keyText);
    if (known) return letIn(deps, known);
    const peek = deps.rateLimiter?.peekAddress(address) ?? null;
    return then(peek, (p) => {
      if (p && !p.allowed) return refused(p, rateLimited(p));
      return authenticate(deps, keyText).then(
        (principal) => letIn(deps, principal),
        (error: unknown) => chargeAddress(deps, address, error),
      );
    });
  });
}

function chargeAddress(deps: Deps, address: string, error: unknown): Maybe<Admission> {
  if (!(error instanceof DomainError) || error.code !== 'UNAUTHENTICATED') throw error;
  const charge = deps.rateLimiter?.chargeAddress(address) ?? null;
  return then(charge, (c) => refused(c, c && !c.allowed ? rateLimited(c) : error));
}
