// Rate limits over HTTP on the three surfaces (API.md "Rate limits"): a token bucket per key with the IETF
// fields on every answer to a key, 429 RATE_LIMITED with Retry-After in each surface's shape, nothing of a
// refused request done and no budget spent by it, keys apart, wrong keys limited per client address. The
// buckets run on the test's clock, so refills are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, uniqueId, type TestApp } from '../support/app.js';
import { MemoryBuckets, RateLimiter } from '../../src/application/rate-limit.js';
import { rateLimitMetrics } from '../../src/transport/http/operations-metrics.js';

const master = { authorization: `Bearer ${MASTER_KEY}` };
/** 5 requests a minute per key: one back every 12 s. 3 wrong keys a minute per address: one back every 20 s. */
const PER_KEY = { requests: 5, windowSeconds: 60 };
const PER_ADDRESS = { requests: 3, windowSeconds: 60 };

describe.each(ENGINES)('rate limits over HTTP on %s', (engine) => {
  let t: TestApp;
  let companyId: string;
  let businessId: string;
  let customerId: string;
  let serviceId: string;
  let templateId: string;

  beforeAll(async () => {
    t = await createTestApp(engine, {
      trustProxy: true,
      rateLimiter: (clock) => new RateLimiter(new MemoryBuckets(() => clock.now()), { perKey: PER_KEY, authFailures: PER_ADDRESS }, rateLimitMetrics),
    });
    // The master key is not limited: the whole set-up goes through it.
    companyId = uniqueId('cmp');
    const asMaster = async (method: string, url: string, payload: unknown) => {
      const r = await t.app.inject({ method: method as 'PUT', url, headers: master, payload: payload as object });
      if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
      expect(r.headers['ratelimit']).toBeUndefined();
      return r.json();
    };
    await asMaster('POST', '/v1/companies', { id: companyId, name: 'Limited Grooming' });
    businessId = uniqueId('bus');
    customerId = uniqueId('cus');
    serviceId = uniqueId('srv');
    const base = `/v1/companies/${companyId}`;
    await asMaster('PUT', `${base}/businesses/${businessId}`, { name: 'Main St', timeZone: 'UTC', currencyCode: 'USD' });
    await asMaster('PUT', `${base}/customers/${customerId}`, { firstName: 'Ada', lastName: 'Lovelace' });
    await asMaster('PUT', `${base}/services/${serviceId}`, { name: 'Bath', durationMinutes: 60, price: { currencyCode: 'USD', units: 30 } });
    templateId = (
      await asMaster('POST', `${base}/packageTemplates`, {
        name: 'Ten baths',
        type: 'REGULAR',
        price: { currencyCode: 'USD', units: 300 },
        items: [{ serviceIds: [serviceId], quantity: 10 }],
        validity: { days: 365 },
      })
    ).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A fresh STAFF key (through the master key), so each test starts with a full bucket. */
  const newKey = async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${companyId}/apiKeys`, headers: master, payload: { role: 'STAFF' } });
    return { id: r.json().id as string, auth: { authorization: `Bearer ${r.json().key}` } };
  };
  const sell = async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${companyId}/packages:sell`, headers: master, payload: { templateId, customerId, businessId } });
    return r.json().packageInfo.id as string;
  };
  const getPackage = (packageId: string, headers: Record<string, string>, remoteAddress?: string) =>
    t.app.inject({ method: 'GET', url: `/v1/companies/${companyId}/packages/${packageId}`, headers, ...(remoteAddress ? { remoteAddress } : {}) });
  const remainingOf = async (packageId: string) => (await getPackage(packageId, master)).json().packageInfo.totalRemainingQuantity as number;
  /** Empties a bucket: the requests it lets through. */
  const spend = async (n: number, headers: Record<string, string>, packageId: string) => {
    for (let i = 0; i < n; i++) expect((await getPackage(packageId, headers)).statusCode).toBe(200);
  };

  it('tells every answer to a key its policy and what is left of it, in the IETF draft fields', async () => {
    const key = await newKey();
    const packageId = await sell();
    for (const left of [4, 3, 2, 1, 0]) {
      const r = await getPackage(packageId, key.auth);
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit-policy']).toBe('"key";q=5;w=60');
      // One request is back 12 s after the bucket was last full.
      expect(r.headers['ratelimit']).toBe(`"key";r=${left};t=12`);
      expect(r.headers['retry-after']).toBeUndefined();
    }
  });

  it('refuses the request past the budget with 429 RESOURCE_EXHAUSTED RATE_LIMITED and Retry-After, in google.rpc.Status', async () => {
    const key = await newKey();
    const packageId = await sell();
    await spend(5, key.auth, packageId);
    const r = await getPackage(packageId, key.auth);
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('12');
    expect(r.headers['ratelimit']).toBe('"key";r=0;t=12');
    expect(r.headers['ratelimit-policy']).toBe('"key";q=5;w=60');
    const body = r.json();
    expect(body.code).toBe(8);
    expect(body.message).toMatch(/rate limit/);
    expect(body.details).toContainEqual(expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMITED', domain: 'punchcard' }));
  });

  it('gives one request back per 1/5 of the window, rounds Retry-After up, and a refused request spends nothing', async () => {
    const key = await newKey();
    const packageId = await sell();
    await spend(5, key.auth, packageId);
    // Many refusals in a row dig no hole: once one request's worth is back, exactly one goes through.
    for (let i = 0; i < 20; i++) expect((await getPackage(packageId, key.auth)).statusCode).toBe(429);
    t.clock.advance(7_000);
    const early = await getPackage(packageId, key.auth);
    expect(early.statusCode).toBe(429);
    expect(early.headers['retry-after']).toBe('5');
    t.clock.advance(4_500);
    // 0.5 s left: rounded up to 1, never 0.
    expect((await getPackage(packageId, key.auth)).headers['retry-after']).toBe('1');
    t.clock.advance(500);
    expect((await getPackage(packageId, key.auth)).statusCode).toBe(200);
    expect((await getPackage(packageId, key.auth)).statusCode).toBe(429);
    // A full window later the bucket is full again, no fuller.
    t.clock.advance(600_000);
    const full = await getPackage(packageId, key.auth);
    expect(full.headers['ratelimit']).toBe('"key";r=4;t=12');
  });

  it('does nothing of a refused redemption: the balance stays and the idempotency key is free for the retry', async () => {
    const key = await newKey();
    const packageId = await sell();
    await spend(5, key.auth, packageId);
    const redeem = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/companies/${companyId}/packages/${packageId}:redeem`,
        headers: { ...key.auth, 'idempotency-key': 'visit-1' },
        payload: { serviceId, quantity: 1, businessId },
      });
    const refused = await redeem();
    expect(refused.statusCode).toBe(429);
    expect(await remainingOf(packageId)).toBe(10);
    t.clock.advance(12_000);
    const retried = await redeem();
    expect(retried.statusCode).toBe(200);
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect(await remainingOf(packageId)).toBe(9);
  });

  it("never spends one key's budget on another's traffic, in the same company or another", async () => {
    const spent = await newKey();
    const other = await newKey();
    const packageId = await sell();
    await spend(5, spent.auth, packageId);
    expect((await getPackage(packageId, spent.auth)).statusCode).toBe(429);
    const r = await getPackage(packageId, other.auth);
    expect(r.statusCode).toBe(200);
    expect(r.headers['ratelimit']).toBe('"key";r=4;t=12');
  });

  it('does not limit the master key, nor count /healthz, /readyz, /metrics, /openapi.json and the web app', async () => {
    const packageId = await sell();
    for (let i = 0; i < 12; i++) {
      const r = await getPackage(packageId, master);
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit']).toBeUndefined();
    }
    const key = await newKey();
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/']) {
      for (let i = 0; i < 6; i++) {
        const r = await t.app.inject({ method: 'GET', url, headers: key.auth });
        expect(r.statusCode, url).toBeLessThan(400);
        expect(r.headers['ratelimit'], url).toBeUndefined();
      }
    }
    expect((await getPackage(packageId, key.auth)).headers['ratelimit']).toBe('"key";r=4;t=12');
  });

  it('limits requests with no key or a wrong one per client address, and then looks no key up from it', async () => {
    const address = '198.51.100.7';
    const packageId = await sell();
    const wrong = { authorization: `Bearer pck.${companyId}.not-a-key-at-all` };
    const answers = [];
    for (const headers of [wrong, {}, { authorization: 'Basic Zm9v' }]) answers.push(await getPackage(packageId, headers, address));
    for (const r of answers) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['ratelimit-policy']).toBe('"address";q=3;w=60');
    }
    expect(answers.map((r) => r.headers['ratelimit'])).toEqual(['"address";r=2;t=20', '"address";r=1;t=20', '"address";r=0;t=20']);
    const limited = await getPackage(packageId, wrong, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('20');
    expect(limited.json().details[0].reason).toBe('RATE_LIMITED');
    // A key this process has not seen good yet is not even looked up from that address...
    const unseen = await newKey();
    expect((await getPackage(packageId, unseen.auth, address)).statusCode).toBe(429);
    // ...while one it knows keeps its own budget, the master key passes, and other addresses are not touched.
    const known = await newKey();
    expect((await getPackage(packageId, known.auth)).statusCode).toBe(200);
    expect((await getPackage(packageId, known.auth, address)).statusCode).toBe(200);
    expect((await getPackage(packageId, master, address)).statusCode).toBe(200);
    expect((await getPackage(packageId, wrong, '198.51.100.8')).statusCode).toBe(401);
    t.clock.advance(20_000);
    expect((await getPackage(packageId, unseen.auth, address)).statusCode).toBe(200);
  });

  it('takes the address from the first X-Forwarded-For entry when the proxy is trusted', async () => {
    const packageId = await sell();
    const wrong = { authorization: 'Bearer pck.x.y' };
    const via = (client: string) => ({ ...wrong, 'x-forwarded-for': `${client}, 10.0.0.1` });
    for (let i = 0; i < 3; i++) expect((await getPackage(packageId, via('203.0.113.9'), '10.0.0.2')).statusCode).toBe(401);
    expect((await getPackage(packageId, via('203.0.113.9'), '10.0.0.2')).statusCode).toBe(429);
    // The same proxy, another client behind it.
    expect((await getPackage(packageId, via('203.0.113.10'), '10.0.0.2')).statusCode).toBe(401);
  });

  it("answers MoeGo's HTTP surface with google.rpc.Status and Zenoti's with its own envelope", async () => {
    const key = await newKey();
    const packageId = await sell();
    await spend(5, key.auth, packageId);
    const moego = await t.app.inject({ method: 'POST', url: '/v1/packages:list', headers: key.auth, payload: { companyId, customerIds: [customerId] } });
    expect(moego.statusCode).toBe(429);
    expect(moego.headers['retry-after']).toBe('12');
    expect(moego.json()).toMatchObject({ code: 8, details: [expect.objectContaining({ reason: 'RATE_LIMITED' })] });
    const zenoti = await t.app.inject({ method: 'GET', url: `/v1/guests/${customerId}/packages`, headers: { authorization: `apikey ${key.auth.authorization.slice(7)}` } });
    expect(zenoti.statusCode).toBe(429);
    expect(zenoti.headers['retry-after']).toBe('12');
    expect(zenoti.json()).toEqual({ packages: null, page_info: null, error: { code: 429, message: expect.stringMatching(/rate limit/) } });
  });

  it('counts refusals by bucket in /metrics, beside the database connections in use', async () => {
    const key = await newKey();
    const packageId = await sell();
    const refusals = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^punchcard_rate_limit_refusals_total\{scope="key"\} (\d+)$/m.exec(text)?.[1]);
    };
    const before = await refusals();
    await spend(5, key.auth, packageId);
    for (let i = 0; i < 3; i++) await getPackage(packageId, key.auth);
    expect(await refusals()).toBe(before + 3);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^punchcard_rate_limit_refusals_total\{scope="address"\} \d+$/m);
    expect(text).toMatch(/^punchcard_db_connections\{state="max"\} [1-9]\d*$/m);
    expect(text).toMatch(/^punchcard_db_connections\{state="waiting"\} 0$/m);
  });
});
