// The server's rate limiter (API.md "Rate limits"), built from the configuration: buckets in Redis when
// REDIS_URL is set, shared by every process, else in this process's memory.
import type { Config } from './config.js';
import { MemoryBuckets, RateLimiter } from './application/rate-limit.js';
import { RedisBuckets } from './storage/redis-buckets.js';
import { rateLimitMetrics } from './transport/http/operations-metrics.js';

/**
 * Null when both budgets are off. `onOutage` hears when Redis stops answering (requests are then counted in
 * this process's own buckets: limits hold per process until it is back) and, with null, when it answers again.
 */
export function openRateLimiter(config: Config, onOutage: (error: Error | null) => void = () => {}): RateLimiter | null {
  const { perKey, authFailures } = config.rateLimits;
  if (perKey === null && authFailures === null) return null;
  const store = config.redisUrl ? new RedisBuckets(config.redisUrl, { onOutage, onFallback: rateLimitMetrics.fellBack }) : new MemoryBuckets();
  return new RateLimiter(store, config.rateLimits, rateLimitMetrics);
}
