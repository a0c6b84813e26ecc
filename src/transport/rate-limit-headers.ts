// The IETF draft's RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After,
// as every surface sends them: HTTP headers, or gRPC metadata.
import type { BucketReading } from '../application/rate-limit.js';

/** The fields of an answer whose request was counted against a bucket; Retry-After only on a refusal. */
export function rateLimitHeaders(reading: BucketReading): Record<string, string> {
  const name = `"${reading.scope}"`;
  const headers: Record<string, string> = {
    'ratelimit-policy': `${name};q=${reading.policy.requests};w=${reading.policy.windowSeconds}`,
    ratelimit: `${name};r=${reading.remaining};t=${reading.resetSeconds}`,
  };
  if (!reading.allowed) headers['retry-after'] = String(reading.retryAfterSeconds);
  return headers;
}
