// The only reader of process.env: validated once at boot and frozen. A bad value stops the process with
// one line naming the variable.
import path from 'node:path';
import { parseRetrySchedule } from './domain/webhooks.js';
import type { RatePolicy } from './application/rate-limit.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly grpcPort: number;
  readonly host: string;
  /** postgres://… selects PostgreSQL; null means the embedded SQLite database in dataDir. */
  readonly databaseUrl: string | null;
  /** PostgreSQL: the LISTEN connection's own URL (straight to the server when DATABASE_URL is PgBouncer); null: DATABASE_URL. */
  readonly listenUrl: string | null;
  readonly dataDir: string;
  readonly masterKey: string | null;
  readonly logLevel: LogLevel;
  /** How often each process records lapsed holds and expiries; answers never depend on it. */
  readonly sweepIntervalMs: number;
  readonly webhooks: {
    /** A receiver slower than this has failed the attempt. */
    readonly timeoutMs: number;
    /** The delays between attempts, in milliseconds. */
    readonly retrySchedule: readonly number[];
    /** FAILED messages in a row that disable an endpoint. */
    readonly disableAfter: number;
    /** package.expiring_soon goes out when the expiration date is this many local days away or fewer. */
    readonly expiringSoonDays: number;
  };
  /** Server processes sharing the ports (node:cluster); 1 runs the server in this process. */
  readonly workers: number;
  /** Token buckets per key and, for requests without a valid key, per client address; null turns one off. */
  readonly rateLimits: {
    readonly perKey: RatePolicy | null;
    readonly authFailures: RatePolicy | null;
  };
  /** redis://… shares the rate limits' buckets among every process; null keeps them in each process. */
  readonly redisUrl: string | null;
  /** Take the client's address from the first X-Forwarded-For entry (behind a load balancer). */
  readonly trustProxy: boolean;
}

export class ConfigError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return n;
}

function intervalMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 100 || n > 86_400_000) throw new ConfigError(`${name} must be a number of milliseconds from 100 to 86400000, got "${raw}"`);
  return n;
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function schedule(env: NodeJS.ProcessEnv, name: string, fallback: string): number[] {
  try {
    return parseRetrySchedule(env[name] || fallback, name);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

const WINDOW_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `<requests>/<window>` such as 1200/60s, 100/1m or 5000/1h; `off` for no limit. */
export function parseRatePolicy(text: string, name: string): RatePolicy | null {
  if (text.trim().toLowerCase() === 'off') return null;
  const m = /^(\d+)\/(\d+)(s|m|h)?$/.exec(text.trim());
  const requests = m ? Number(m[1]) : NaN;
  const windowSeconds = m ? Number(m[2]) * WINDOW_SECONDS[m[3] ?? 's']! : NaN;
  if (!(requests >= 1 && requests <= 1_000_000_000 && windowSeconds >= 1 && windowSeconds <= 86_400)) {
    throw new ConfigError(`${name} must be <requests>/<window> such as 1200/60s (1 to 1000000000 requests, a window of 1s to 24h) or off, got "${text}"`);
  }
  return Object.freeze({ requests, windowSeconds });
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql:// (unset it for the embedded database)');
  }
  const listenUrl = env.PUNCHCARD_LISTEN_URL?.trim() || null;
  if (listenUrl !== null && !/^postgres(ql)?:\/\//.test(listenUrl)) {
    throw new ConfigError('PUNCHCARD_LISTEN_URL must start with postgres:// or postgresql:// (unset it to listen through DATABASE_URL)');
  }
  const masterKey = env.PUNCHCARD_MASTER_KEY || null;
  if (masterKey !== null && masterKey.length < 16) {
    throw new ConfigError('PUNCHCARD_MASTER_KEY must be at least 16 characters');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL must start with redis:// or rediss:// (unset it to keep rate limits in each process)');
  }
  return Object.freeze({
    port: port(env, 'PORT', 8080),
    grpcPort: port(env, 'GRPC_PORT', 8081),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    listenUrl,
    dataDir: path.resolve(env.PUNCHCARD_DATA_DIR || './data'),
    masterKey,
    logLevel,
    sweepIntervalMs: intervalMs(env, 'PUNCHCARD_SWEEP_INTERVAL_MS', 5_000),
    webhooks: Object.freeze({
      timeoutMs: count(env, 'PUNCHCARD_WEBHOOK_TIMEOUT_MS', 10_000, 100, 600_000),
      retrySchedule: Object.freeze(schedule(env, 'PUNCHCARD_WEBHOOK_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,10h')),
      disableAfter: count(env, 'PUNCHCARD_WEBHOOK_DISABLE_AFTER', 20, 1, 100_000),
      expiringSoonDays: count(env, 'PUNCHCARD_EXPIRING_SOON_DAYS', 14, 0, 3660),
    }),
    workers: count(env, 'PUNCHCARD_WORKERS', 1, 1, 64),
    rateLimits: Object.freeze({
      perKey: parseRatePolicy(env.PUNCHCARD_RATE_LIMIT || '1200/60s', 'PUNCHCARD_RATE_LIMIT'),
      authFailures: parseRatePolicy(env.PUNCHCARD_AUTH_FAILURE_LIMIT || '60/60s', 'PUNCHCARD_AUTH_FAILURE_LIMIT'),
    }),
    redisUrl,
    trustProxy: flag(env, 'PUNCHCARD_TRUST_PROXY'),
  });
}
