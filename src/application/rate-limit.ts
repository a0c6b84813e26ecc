// Rate limits, a token bucket per key and, for requests without a valid key, per client address (API.md "Rate
// limits"). A bucket holds as many tokens as its policy's requests and fills at requests per window; a
// request takes one, and a refused request takes none. The arithmetic is here once (readBucket); where the
// tokens live is a BucketStore: this process's memory, or Redis so that every process spends one budget.
import { LRUCache } from 'lru-cache';
import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';

/** A bucket's size and how long it takes to fill from empty: `requests` per `windowSeconds`. */
export interface RatePolicy {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** What the headers say of a bucket: its policy's name ("key" or "address") is the IETF draft's policy item. */
export type BucketScope = 'key' | 'address';

export interface BucketReading {
  readonly scope: BucketScope;
  readonly policy: RatePolicy;
  /** Whether this request got a token. */
  readonly allowed: boolean;
  /** Whole requests left after this one. */
  readonly remaining: number;
  /** Seconds until one more request is back (0 when the bucket is full), rounded up. */
  readonly resetSeconds: number;
  /** For a refused request: seconds until one request is back, rounded up and at least 1. */
  readonly retryAfterSeconds: number;
}

/** A bucket's state: its tokens (fractional) at a moment in milliseconds. Absent means full. */
export interface BucketState {
  readonly tokens: number;
  readonly at: number;
}

/**
 * The bucket at `now`: refilled since `state.at` at requests per window, capped at its size, and one token
 * taken when `take` is set and one is there. `tokens` is what is left afterwards.
 */
export function refill(state: BucketState | undefined, policy: RatePolicy, now: number, take: boolean): { allowed: boolean; tokens: number } {
  const perMs = policy.requests / (policy.windowSeconds * 1000);
  const tokens = state === undefined ? policy.requests : Math.min(policy.requests, state.tokens + Math.max(0, now - state.at) * perMs);
  if (tokens < 1) return { allowed: false, tokens };
  return { allowed: true, tokens: take ? tokens - 1 : tokens };
}

/** What a bucket's tokens after a request mean for the answer's headers. */
export function readBucket(scope: BucketScope, policy: RatePolicy, allowed: boolean, tokens: number): BucketReading {
  const msPerToken = (policy.windowSeconds * 1000) / policy.requests;
  // A hair of slack: refill arithmetic in floating point may leave 4.9999999 for what is 5.
  const whole = Math.floor(tokens + 1e-9);
  const resetSeconds = whole >= policy.requests ? 0 : Math.ceil(((whole + 1 - tokens) * msPerToken) / 1000 - 1e-9);
  const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil(((1 - tokens) * msPerToken) / 1000 - 1e-9));
  return { scope, policy, allowed, remaining: Math.max(0, whole), resetSeconds: Math.max(resetSeconds, allowed ? 0 : 1), retryAfterSeconds };
}

/**
 * Where buckets live. `take` takes a token when one is there (a refused request changes nothing), `take: false`
 * only looks. The answer is the store's view after the request: whether it was allowed and the tokens left.
 * A store may answer at once (memory) or later (Redis); it never throws: a store that cannot answer falls
 * back to one that can.
 */
export interface BucketStore {
  take(bucket: string, policy: RatePolicy, take: boolean): { allowed: boolean; tokens: number } | Promise<{ allowed: boolean; tokens: number }>;
  close?(): Promise<void>;
}

/** Buckets in this process's memory, the least recently used going first past `limit` (a full bucket is absent). */
export class MemoryBuckets implements BucketStore {
  private readonly buckets: LRUCache<string, { tokens: number; at: number }>;

  constructor(
    private readonly now: () => number = Date.now,
    limit = 100_000,
  ) {
    this.buckets = new LRUCache({ max: limit });
  }

  take(bucket: string, policy: RatePolicy, take: boolean): { allowed: boolean; tokens: number } {
    const now = this.now();
    // get() makes the bucket the most recently used; its state is then updated in place (no second lookup).
    const state = this.buckets.get(bucket);
    const result = refill(state, policy, now, take);
    if (!result.allowed || !take) return result;
    if (state) {
      state.tokens = result.tokens;
      state.at = now;
    } else {
      this.buckets.set(bucket, { tokens: result.tokens, at: now });
    }
    return result;
  }
}

export interface RateLimitPolicies {
  /** Every key's bucket; null: keys are not limited. */
  readonly perKey: RatePolicy | null;
  /** Requests with no key or a wrong one, per client address; null: not limited. */
  readonly authFailures: RatePolicy | null;
}

/** Counts what the limiter refused, for /metrics. */
export interface RateLimitObserver {
  refused(scope: BucketScope): void;
}

type Reading = BucketReading | Promise<BucketReading>;

/** The two budgets of the contract over one store. */
export class RateLimiter {
  constructor(
    private readonly store: BucketStore,
    readonly policies: RateLimitPolicies,
    private readonly observer: RateLimitObserver = { refused: () => {} },
  ) {}

  /** Takes a request from the key's budget; null when the caller is not limited (the master key, or limits off). */
  forKey(principal: Principal): Reading | null {
    const policy = this.policies.perKey;
    if (principal.kind !== 'key' || policy === null) return null;
    return this.read('key', `key:${principal.companyId}:${principal.keyId}`, policy, true);
  }

  /** Whether the address may try a key it has not shown good yet (takes nothing); null when not limited. */
  peekAddress(address: string): Reading | null {
    const policy = this.policies.authFailures;
    return policy === null ? null : this.read('address', `address:${address}`, policy, false);
  }

  /** Charges a request with no key or a wrong one to its address; null when not limited. */
  chargeAddress(address: string): Reading | null {
    const policy = this.policies.authFailures;
    return policy === null ? null : this.read('address', `address:${address}`, policy, true);
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  private read(scope: BucketScope, bucket: string, policy: RatePolicy, take: boolean): Reading {
    const answer = this.store.take(bucket, policy, take);
    const reading = (r: { allowed: boolean; tokens: number }) => {
      if (!r.allowed) this.observer.refused(scope);
      return readBucket(scope, policy, r.allowed, r.tokens);
    };
    return answer instanceof Promise ? answer.then(reading) : reading(answer);
  }
}

/** The refusal every surface answers in its own shape: 429 RESOURCE_EXHAUSTED, reason RATE_LIMITED. */
export function rateLimited(reading: BucketReading): DomainError {
  const { requests, windowSeconds } = reading.policy;
  const whose = reading.scope === 'key' ? 'this key' : 'requests without a valid key from this address';
  return new DomainError('RESOURCE_EXHAUSTED', `rate limit reached: ${requests} requests per ${windowSeconds} s for ${whose}; retry in ${reading.retryAfterSeconds} s`, {
    reason: 'RATE_LIMITED',
    metadata: { retryAfterSeconds: String(reading.retryAfterSeconds), limit: String(requests), windowSeconds: String(windowSeconds) },
  });
}
