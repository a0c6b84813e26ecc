// Rate-limit buckets in Redis, so that every server process spends one budget per key (REDIS_URL). One Lua
// script per request does what refill() does in memory, atomically and on Redis's own clock (the processes'
// clocks need not agree). While Redis cannot answer, requests are still served: each process falls back to
// buckets of its own (limits then hold per process, not across them) and goes back to Redis once it answers.
import { Redis } from 'ioredis';
import type { BucketStore, RatePolicy } from '../application/rate-limit.js';
import { MemoryBuckets } from '../application/rate-limit.js';

// KEYS[1] the bucket; ARGV: size, window in ms, 1 to take a token (0 only looks). A full bucket is absent; a
// bucket is written only when a token is taken, and expires when it would be full again.
const TAKE = `
local size = tonumber(ARGV[1])
local per_ms = size / tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = size
if state[1] then
  tokens = math.min(size, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * per_ms)
end
if tokens < 1 then return {0, tostring(tokens)} end
if ARGV[3] == '1' then
  tokens = tokens - 1
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil((size - tokens) / per_ms) + 1000)
end
return {1, tostring(tokens)}
`;

type TakeReply = [number, string];

interface TakingRedis extends Redis {
  punchcardTake(bucket: string, size: number, windowMs: number, take: '0' | '1'): Promise<TakeReply>;
}

export interface RedisBucketsOptions {
  /** Milliseconds a request waits for Redis before it is served from this process's buckets. */
  readonly timeoutMs?: number;
  /** Told when Redis stops answering (once per outage) and when it answers again. */
  readonly onOutage?: (error: Error | null) => void;
  /** Counts each request served from the fallback because Redis could not answer. */
  readonly onFallback?: () => void;
  /** Prefix of every bucket's Redis key. */
  readonly prefix?: string;
}

export class RedisBuckets implements BucketStore {
  private readonly redis: TakingRedis;
  private readonly fallback = new MemoryBuckets();
  private down = false;

  constructor(
    url: string,
    private readonly options: RedisBucketsOptions = {},
  ) {
    this.redis = new Redis(url, {
      // A command while disconnected fails at once (and falls back) instead of queueing behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 250,
      connectTimeout: 2_000,
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      // The requests of one turn of the event loop go to Redis in one write.
      enableAutoPipelining: true,
      lazyConnect: false,
    }) as TakingRedis;
    this.redis.defineCommand('punchcardTake', { numberOfKeys: 1, lua: TAKE });
    this.redis.on('error', (error: Error) => this.outage(error));
    this.redis.on('ready', () => this.recovered());
  }

  take(bucket: string, policy: RatePolicy, take: boolean): { allowed: boolean; tokens: number } | Promise<{ allowed: boolean; tokens: number }> {
    if (this.redis.status !== 'ready') {
      this.outage(new Error(`the connection to Redis is ${this.redis.status}`));
      return this.fromFallback(bucket, policy, take);
    }
    return this.redis.punchcardTake(`${this.options.prefix ?? 'punchcard:rl:'}${bucket}`, policy.requests, policy.windowSeconds * 1000, take ? '1' : '0').then(
      ([allowed, tokens]) => {
        if (this.down) this.recovered();
        return { allowed: allowed === 1, tokens: Number(tokens) };
      },
      (error: Error) => {
        this.outage(error);
        return this.fromFallback(bucket, policy, take);
      },
    );
  }

  /** Resolves once connected (for start-up and tests); never throws. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      this.redis.on('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private fromFallback(bucket: string, policy: RatePolicy, take: boolean) {
    this.options.onFallback?.();
    return this.fallback.take(bucket, policy, take);
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.options.onOutage?.(null);
  }

  private outage(error: Error): void {
    if (this.down) return;
    this.down = true;
    this.options.onOutage?.(error);
  }
}
