// Rate limits on MoeGo's PackageService (API.md "Rate limits"): gRPC over h2c and Connect JSON on the HTTP port
// spend the same key's bucket as the HTTP routes, carry the IETF fields as metadata, and are refused past it
// with RESOURCE_EXHAUSTED, ErrorInfo RATE_LIMITED and retry-after; wrong keys are limited per address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, uniqueId, type TestApp } from '../support/app.js';
import { loadConfig } from '../../src/config.js';
import { buildServers, type Servers } from '../../src/servers.js';
import { MemoryBuckets, RateLimiter } from '../../src/application/rate-limit.js';
import { PackageService } from '../../src/gen/moego/business/package/v1/package_service_pb.js';
import { ErrorInfoDesc } from '../../src/transport/grpc/error-details.js';

const master = { authorization: `Bearer ${MASTER_KEY}` };
const config = loadConfig({ PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUNCHCARD_MASTER_KEY: MASTER_KEY });

describe.each(ENGINES)('rate limits on the gRPC and Connect surfaces on %s', (engine) => {
  let t: TestApp;
  let servers: Servers;
  let companyId: string;
  const sessions: Http2SessionManager[] = [];

  beforeAll(async () => {
    t = await createTestApp(engine, {
      rateLimiter: (clock) => new RateLimiter(new MemoryBuckets(() => clock.now()), { perKey: { requests: 4, windowSeconds: 60 }, authFailures: { requests: 2, windowSeconds: 60 } }),
    });
    companyId = uniqueId('cmp');
    await t.app.inject({ method: 'POST', url: '/v1/companies', headers: master, payload: { id: companyId, name: 'Limited' } });
    servers = await buildServers(t.deps, config);
    await servers.listen();
  });

  afterAll(async () => {
    for (const s of sessions) s.abort();
    await servers?.close();
    await t?.close();
  });

  const grpc = (): Transport => {
    const baseUrl = `http://127.0.0.1:${servers.grpcPort()}`;
    const sessionManager = new Http2SessionManager(baseUrl);
    sessions.push(sessionManager);
    return createGrpcTransport({ baseUrl, sessionManager });
  };
  const connectJson = (): Transport => createConnectTransport({ baseUrl: `http://127.0.0.1:${servers.httpPort()}`, httpVersion: '1.1' });
  const newKey = async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/companies/${companyId}/apiKeys`, headers: master, payload: { role: 'VIEWER' } });
    return { authorization: `Bearer ${r.json().key}` };
  };
  const request = () => ({ companyId, customerIds: ['cus_nobody'] });
  async function refused(call: Promise<unknown>): Promise<ConnectError> {
    try {
      await call;
    } catch (error) {
      return ConnectError.from(error);
    }
    throw new Error('the call succeeded');
  }

  for (const [name, transport] of [
    ['gRPC over h2c', grpc],
    ['Connect JSON on the HTTP port', connectJson],
  ] as const) {
    it(`${name}: the fields as metadata on each answer, then RESOURCE_EXHAUSTED RATE_LIMITED with retry-after`, async () => {
      const client = createClient(PackageService, transport());
      const headers = await newKey();
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        await client.listPackages(request(), { headers, onHeader: (h) => seen.push(`${h.get('ratelimit-policy')} ${h.get('ratelimit')}`) });
      }
      expect(seen).toEqual(['"key";q=4;w=60 "key";r=3;t=15', '"key";q=4;w=60 "key";r=2;t=15', '"key";q=4;w=60 "key";r=1;t=15', '"key";q=4;w=60 "key";r=0;t=15']);
      const e = await refused(client.listPackageDetails({ companyId, packageIds: ['pkg_x'] }, { headers }));
      expect(e.code).toBe(Code.ResourceExhausted);
      expect(e.rawMessage).toMatch(/rate limit/);
      expect(e.findDetails(ErrorInfoDesc)).toMatchObject([{ reason: 'RATE_LIMITED', domain: 'punchcard' }]);
      expect(e.metadata.get('retry-after')).toBe('15');
      // The HTTP routes spend the same bucket.
      const http = await t.app.inject({ method: 'POST', url: '/v1/packages:list', headers, payload: request() });
      expect(http.statusCode).toBe(429);
      t.clock.advance(15_000);
      await expect(client.listPackages(request(), { headers })).resolves.toBeDefined();
    });
  }

  it('limits wrong keys per address on gRPC too, and never the master key', async () => {
    const client = createClient(PackageService, grpc());
    const wrong = { authorization: 'Bearer pck.nobody.guess' };
    for (let i = 0; i < 2; i++) expect((await refused(client.listPackages(request(), { headers: wrong }))).code).toBe(Code.Unauthenticated);
    const limited = await refused(client.listPackages(request(), { headers: wrong }));
    expect(limited.code).toBe(Code.ResourceExhausted);
    expect(limited.metadata.get('ratelimit-policy')).toBe('"address";q=2;w=60');
    for (let i = 0; i < 6; i++) await expect(client.listPackages(request(), { headers: master })).resolves.toBeDefined();
  });
});
