// Rate limits shared through a real Redis (REDIS_URL): the buckets' script, two server processes spending one
// budget per key and per address, and what happens when Redis goes away (requests keep being served, counted
// in each process's own buckets, and shared again once Redis is back). Runs when TEST_REDIS_URL is set.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBuckets } from '../../src/storage/redis-buckets.js';
import { SERVER_MASTER_KEY, client, freePort, startServer, type ServerProcess } from '../support/server-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fresh = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;
/** A client address of its own per test (with PUNCHCARD_TRUST_PROXY), so runs sharing one Redis never meet. */
const anAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}, 10.0.0.1`;

describe.runIf(REDIS_URL)('rate-limit buckets in Redis', () => {
  const stores: RedisBuckets[] = [];
  const open = async () => {
    const store = new RedisBuckets(REDIS_URL!, { prefix: `test:${fresh('rl')}:` });
    stores.push(store);
    expect(await store.ready()).toBe(true);
    return store;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('is one bucket for two clients, takes nothing when refusing or peeking, and refills on Redis time', async () => {
    const shared = fresh('prefix');
    const a = new RedisBuckets(REDIS_URL!, { prefix: shared });
    const b = new RedisBuckets(REDIS_URL!, { prefix: shared });
    stores.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const policy = { requests: 2, windowSeconds: 1 };
    for (let i = 0; i < 5; i++) expect((await a.take('k', policy, false)).allowed).toBe(true);
    expect(await a.take('k', policy, true)).toMatchObject({ allowed: true, tokens: expect.closeTo(1, 1) });
    expect((await b.take('k', policy, true)).allowed).toBe(true);
    // Refusals, many of them, leave the bucket as it was: half a second later one is back.
    for (let i = 0; i < 10; i++) expect((await (i % 2 ? a : b).take('k', policy, true)).allowed).toBe(false);
    expect((await b.take('k', policy, false)).allowed).toBe(false);
    await sleep(600);
    expect((await b.take('k', policy, true)).allowed).toBe(true);
    expect((await a.take('k', policy, true)).allowed).toBe(false);
  });

  it('keeps buckets apart by name', async () => {
    const store = await open();
    const policy = { requests: 1, windowSeconds: 60 };
    expect((await store.take('one', policy, true)).allowed).toBe(true);
    expect((await store.take('one', policy, true)).allowed).toBe(false);
    expect((await store.take('two', policy, true)).allowed).toBe(true);
  });
});

describe.runIf(REDIS_URL)('two server processes sharing their budgets through Redis', () => {
  let dataDir: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-rl-'));
    const extra = { REDIS_URL: REDIS_URL!, PUNCHCARD_RATE_LIMIT: '6/60s', PUNCHCARD_AUTH_FAILURE_LIMIT: '4/60s', PUNCHCARD_TRUST_PROXY: 'true' };
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl: null, dataDir, extra }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("spends one key's budget through either process, and refuses past it on both", async () => {
    const companyId = fresh('cmp');
    const master = client(servers[0]!.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: companyId, name: 'Shared' });
    const key = (await master('POST', `/v1/companies/${companyId}/apiKeys`, { role: 'VIEWER' })).json.key as string;
    const left: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await client(servers[i % 2]!.url, key)('GET', '/v1/me');
      expect(r.status).toBe(200);
      left.push(r.headers.get('ratelimit')!.replace(/;t=\d+$/, ''));
    }
    expect(left).toEqual([5, 4, 3, 2, 1, 0].map((r) => `"key";r=${r}`));
    for (const s of servers) {
      const r = await client(s.url, key)('GET', '/v1/me');
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.json.details[0].reason).toBe('RATE_LIMITED');
    }
  });

  it('counts wrong keys from one address through either process', async () => {
    const forwarded = { 'x-forwarded-for': anAddress() };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await client(servers[i % 2]!.url, 'pck.nobody.wrong')('GET', '/v1/me', undefined, forwarded)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

describe.runIf(REDIS_URL)('a server whose Redis goes away', () => {
  let redis: RedisServer;
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    redis = await startRedis(await freePort());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-rl-'));
    server = await startServer({ databaseUrl: null, dataDir, extra: { REDIS_URL: redis.url, PUNCHCARD_RATE_LIMIT: '3/60s', LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const fallbacks = async () => Number(/^punchcard_rate_limit_fallbacks_total (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);

  it("keeps serving, limited by the process's own buckets, and shares the budget again once Redis is back", async () => {
    const companyId = fresh('cmp');
    const master = client(server.url, SERVER_MASTER_KEY);
    await master('POST', '/v1/companies', { id: companyId, name: 'Outage' });
    const me = client(server.url, (await master('POST', `/v1/companies/${companyId}/apiKeys`, { role: 'VIEWER' })).json.key as string);
    expect((await me('GET', '/v1/me')).headers.get('ratelimit')).toMatch(/^"key";r=2;/);
    expect(await fallbacks()).toBe(0);

    await redis.kill();
    // Served at once, not after a timeout, from a bucket of this process's own: it fails over, not open.
    const during = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const r = await me('GET', '/v1/me');
      during.push([r.status, r.headers.get('ratelimit')?.replace(/;t=\d+$/, '')]);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    expect(during).toEqual([
      [200, '"key";r=2'],
      [200, '"key";r=1'],
      [200, '"key";r=0'],
      [429, '"key";r=0'],
    ]);
    expect(await fallbacks()).toBe(4);
    expect(server.output()).toMatch(/Redis is not answering/);

    redis = await startRedis(redis.port);
    // The new Redis holds no buckets: once the process is back on it, the key's bucket is full again.
    const deadline = Date.now() + 10_000;
    let back = await me('GET', '/v1/me');
    while (back.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      back = await me('GET', '/v1/me');
    }
    expect(back.status).toBe(200);
    expect(back.headers.get('ratelimit')).toMatch(/^"key";r=2;/);
    const settled = await fallbacks();
    await me('GET', '/v1/me');
    expect(await fallbacks()).toBe(settled);
  });
});
