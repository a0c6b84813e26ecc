import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to HTTP on 8080, gRPC on 8081, the embedded database in ./data and no master key', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      grpcPort: 8081,
      databaseUrl: null,
      dataDir: path.resolve('./data'),
      masterKey: null,
      logLevel: 'info',
      sweepIntervalMs: 5000,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('reads every variable it knows and returns a frozen object', () => {
    const config = loadConfig({
      PORT: '9000',
      GRPC_PORT: '9001',
      DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db',
      PUNCHCARD_DATA_DIR: 'some/dir',
      PUNCHCARD_MASTER_KEY: 'a-master-key-of-enough-length',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 9000,
      grpcPort: 9001,
      databaseUrl: 'postgresql://u@127.0.0.1:5432/db',
      dataDir: path.resolve('some/dir'),
      masterKey: 'a-master-key-of-enough-length',
      logLevel: 'warn',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the sweep interval in milliseconds and refuses one out of range', () => {
    expect(loadConfig({ PUNCHCARD_SWEEP_INTERVAL_MS: '250' }).sweepIntervalMs).toBe(250);
    for (const bad of ['0', '99', '1.5', 'soon', '86400001']) {
      expect(() => loadConfig({ PUNCHCARD_SWEEP_INTERVAL_MS: bad }), bad).toThrow(/PUNCHCARD_SWEEP_INTERVAL_MS/);
    }
  });

  it('reads the webhook settings, and refuses a bad schedule, timeout or threshold with the variable named', () => {
    expect(loadConfig({}).webhooks).toEqual({ timeoutMs: 10_000, retrySchedule: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000], disableAfter: 20, expiringSoonDays: 14 });
    expect(loadConfig({ PUNCHCARD_WEBHOOK_RETRY_SCHEDULE: '500ms, 2s,1m', PUNCHCARD_WEBHOOK_TIMEOUT_MS: '250', PUNCHCARD_WEBHOOK_DISABLE_AFTER: '3', PUNCHCARD_EXPIRING_SOON_DAYS: '0' }).webhooks).toEqual({
      timeoutMs: 250,
      retrySchedule: [500, 2000, 60_000],
      disableAfter: 3,
      expiringSoonDays: 0,
    });
    for (const [name, bad] of [['PUNCHCARD_WEBHOOK_RETRY_SCHEDULE', '5s,soon'], ['PUNCHCARD_WEBHOOK_RETRY_SCHEDULE', '0s'], ['PUNCHCARD_WEBHOOK_TIMEOUT_MS', '50'], ['PUNCHCARD_WEBHOOK_DISABLE_AFTER', '0'], ['PUNCHCARD_EXPIRING_SOON_DAYS', '-1']]) {
      expect(() => loadConfig({ [name!]: bad }), `${name}=${bad}`).toThrow(new RegExp(name!));
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', PUNCHCARD_MASTER_KEY: '', LOG_LEVEL: '' })).toMatchObject({
      port: 8080,
      databaseUrl: null,
      masterKey: null,
      logLevel: 'info',
    });
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['GRPC_PORT', { GRPC_PORT: 'x' }],
    ['GRPC_PORT', { GRPC_PORT: '65536' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/punchcard' }],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:./data.db' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['PUNCHCARD_MASTER_KEY', { PUNCHCARD_MASTER_KEY: 'short' }],
    ['PUNCHCARD_WORKERS', { PUNCHCARD_WORKERS: '0' }],
    ['PUNCHCARD_WORKERS', { PUNCHCARD_WORKERS: 'two' }],
    ['PUNCHCARD_RATE_LIMIT', { PUNCHCARD_RATE_LIMIT: '1200' }],
    ['PUNCHCARD_RATE_LIMIT', { PUNCHCARD_RATE_LIMIT: '0/60s' }],
    ['PUNCHCARD_RATE_LIMIT', { PUNCHCARD_RATE_LIMIT: '10/2d' }],
    ['PUNCHCARD_AUTH_FAILURE_LIMIT', { PUNCHCARD_AUTH_FAILURE_LIMIT: '60 per minute' }],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }],
    ['PUNCHCARD_LISTEN_URL', { PUNCHCARD_LISTEN_URL: 'pgbouncer:6432' }],
    ['PUNCHCARD_TRUST_PROXY', { PUNCHCARD_TRUST_PROXY: 'yes' }],
  ])('refuses a bad %s (%o) with a ConfigError naming it', (name, env) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(name);
  });

  it('accepts a master key of exactly 16 characters', () => {
    expect(loadConfig({ PUNCHCARD_MASTER_KEY: '0123456789abcdef' }).masterKey).toBe('0123456789abcdef');
  });

  it('limits 1200 requests a minute per key and 60 a minute per address by default, in each process, one worker', () => {
    expect(loadConfig({})).toMatchObject({
      workers: 1,
      rateLimits: { perKey: { requests: 1200, windowSeconds: 60 }, authFailures: { requests: 60, windowSeconds: 60 } },
      redisUrl: null,
      trustProxy: false,
    });
  });

  it('reads rate policies in seconds, minutes or hours, off, workers, REDIS_URL and PUNCHCARD_TRUST_PROXY', () => {
    const config = loadConfig({
      PUNCHCARD_RATE_LIMIT: '100/1m',
      PUNCHCARD_AUTH_FAILURE_LIMIT: 'off',
      PUNCHCARD_WORKERS: '3',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      PUNCHCARD_TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({ workers: 3, rateLimits: { perKey: { requests: 100, windowSeconds: 60 }, authFailures: null }, redisUrl: 'redis://127.0.0.1:6379/2', trustProxy: true });
    expect(loadConfig({ PUNCHCARD_RATE_LIMIT: '5000/1h' }).rateLimits.perKey).toEqual({ requests: 5000, windowSeconds: 3600 });
    expect(loadConfig({ PUNCHCARD_RATE_LIMIT: 'OFF' }).rateLimits.perKey).toBeNull();
    expect(loadConfig({ PUNCHCARD_RATE_LIMIT: '10/30' }).rateLimits.perKey).toEqual({ requests: 10, windowSeconds: 30 });
    expect(loadConfig({}).listenUrl).toBeNull();
    expect(loadConfig({ PUNCHCARD_LISTEN_URL: 'postgres://u@db:5432/p' }).listenUrl).toBe('postgres://u@db:5432/p');
  });
});
