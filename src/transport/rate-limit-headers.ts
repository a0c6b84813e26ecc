// The IETF draft's RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After,
// as every surface sends them: HTTP headers, or gRPC metadata.
import type { BucketReading } from '../application/rate-limit.js';

/** The fields of an answer whose request was counted against a bucket, each given to `set`; Retry-After only on a refusal. */
export function setRateLimitHeaders(reading: BucketReading, set: (name: string, value: string) => unknown): void {
  set('ratelimit-policy', policyField(reading));
  set('ratelimit', `"${reading.scope}";r=${reading.remaining};t=${reading.resetSeconds}`);
  if (!reading.allowed) set('retry-after', String(reading.retryAfterSeconds));
}

// The policy field is the same for every answer of a bucket kind: made once per policy, not per request.
const policyFields = new WeakMap<object, Partial<Record<BucketReading['scope'], string>>>();
function policyField(reading: BucketReading): string {
  let fields = policyFields.get(reading.policy);
  if (fields === undefined) policyFields.set(reading.policy, (fields = {}));
  return (fields[reading.scope] ??= `"${reading.scope}";q=${reading.policy.requests};w=${reading.policy.windowSeconds}`);
}
