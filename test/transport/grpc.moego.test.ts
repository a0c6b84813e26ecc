// MoeGo's PackageService on the real listeners (buildServers with GRPC_PORT=0): gRPC over h2c from a client
// generated from our .proto and one generated from MoeGo's published files, Connect JSON on the HTTP/1.1
// port, and errors as gRPC status codes with google.rpc details.
import http2 from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp } from '../support/app.js';
import { loadConfig } from '../../src/config.js';
import { buildServers, type Servers } from '../../src/servers.js';
import { DomainError, failedPrecondition } from '../../src/domain/errors.js';
import { PackageService } from '../../src/gen/moego/business/package/v1/package_service_pb.js';
import { Package_Status } from '../../src/gen/moego/business/package/v1/package_pb.js';
import { PackageService as PublishedPackageService } from '../fixtures/proto-moego-published/gen/moego/business/package/v1/package_service_pb.js';
import { BadRequestDesc, ErrorInfoDesc } from '../../src/transport/grpc/error-details.js';
import { connectErrorOf, toConnectError } from '../../src/transport/grpc/connect-errors.js';
import { seedWorld, type World } from './moego-fixtures.js';
import { READ_MAX_BYTES } from '../../src/transport/grpc/connect-plugin.js';

const SEED_TIME = Date.parse('2023-01-15T10:00:00Z');

const config = loadConfig({ PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUNCHCARD_MASTER_KEY: MASTER_KEY });

describe.each(ENGINES)('MoeGo PackageService over gRPC and Connect on %s', (engine) => {
  let t: TestApp;
  let w: World;
  let servers: Servers;
  let packageId: string;
  const sessions: Http2SessionManager[] = [];

  beforeAll(async () => {
    t = await createTestApp(engine, { now: SEED_TIME });
    w = await seedWorld(t);
    const sold = await w.sell('cus_123', { staffId: 'staff_001', invoice: { id: 'inv_7', no: 'INV-7', receiptNo: 'R-7', status: 'Processed' } });
    packageId = sold.pkg.id;
    await w.redeem(packageId);
    await w.redeem(packageId, { hold: true });
    servers = await buildServers(t.deps, config);
    await servers.listen();
  });

  afterAll(async () => {
    for (const s of sessions) s.abort();
    await servers?.close();
    await t.close();
  });

  const grpc = (): Transport => {
    const baseUrl = `http://127.0.0.1:${servers.grpcPort()}`;
    const sessionManager = new Http2SessionManager(baseUrl);
    sessions.push(sessionManager);
    return createGrpcTransport({ baseUrl, sessionManager });
  };
  const connectJson = (): Transport => createConnectTransport({ baseUrl: `http://127.0.0.1:${servers.httpPort()}`, httpVersion: '1.1' });
  const basic = () => ({ authorization: `Basic ${Buffer.from(w.key).toString('base64')}` });
  const seedRequest = () => ({ pagination: { pageSize: 20, pageToken: '1' }, companyId: w.companyId, customerIds: ['cus_123'] });

  async function refused(call: Promise<unknown>): Promise<ConnectError> {
    try {
      await call;
    } catch (error) {
      return ConnectError.from(error);
    }
    throw new Error('the call succeeded');
  }

  it('listens on the bound gRPC port when GRPC_PORT=0', () => {
    expect(servers.grpcPort()).toBeGreaterThan(0);
    expect(servers.grpcPort()).not.toBe(servers.httpPort());
  });

  it('a client generated from our .proto lists packages over gRPC (h2c), the seed request as messages', async () => {
    const client = createClient(PackageService, grpc());
    const res = await client.listPackages(seedRequest(), { headers: basic() });
    expect(res.nextPageToken).toBe('');
    expect(res.packages).toHaveLength(1);
    const p = res.packages[0]!;
    expect(p).toMatchObject({
      id: packageId,
      customerId: 'cus_123',
      businessId: 'bus_001',
      staffId: 'staff_001',
      packageName: 'Basic Grooming Package',
      packageDesc: 'Includes 5 basic grooming sessions',
      status: Package_Status.NORMAL,
      used: true,
      applied: true,
      totalRemainingQuantity: 3,
      expirationDate: '2024-01-15',
      retailInvoiceItemId: 'inv_7',
      confirmationId: 'R-7',
      cartPackageId: '',
    });
    expect(p.packagePrice).toMatchObject({ currencyCode: 'USD', units: 150n, nanos: 0 });
    expect(timestampMs(p.purchaseTime!)).toBe(SEED_TIME);
    expect(timestampMs(p.startTime!)).toBe(SEED_TIME);
    expect(timestampMs(p.endTime!)).toBe(Date.parse('2024-01-15T10:00:00Z'));
    expect(timestampMs(p.createTime!)).toBe(SEED_TIME);
    expect(timestampMs(p.updateTime!)).toBe(SEED_TIME);

    const details = await client.listPackageDetails({ companyId: w.companyId, packageIds: [packageId] }, { headers: basic() });
    const ps = details.packageDetails[0]!.packageServices[0]!;
    expect(ps).toMatchObject({ packageId, totalQuantity: 5, remainingQuantity: 3 });
    expect(ps.services.map((s) => [s.serviceId, s.name, s.unitPrice?.units, s.unitPrice?.nanos])).toEqual([['srv_001', 'Basic Grooming', 30n, 0]]);
  });

  it("a client generated from MoeGo's published files works unchanged (one customer_id, int32 status)", async () => {
    const client = createClient(PublishedPackageService, grpc());
    const res = await client.listPackages(
      { pagination: { pageSize: 20, pageToken: '1' }, companyId: w.companyId, businessId: 'bus_001', customerId: 'cus_123' },
      { headers: { authorization: `Bearer ${w.key}` } },
    );
    expect(res.packages.map((p) => [p.id, p.status, p.totalRemainingQuantity, p.expirationDate])).toEqual([[packageId, 1, 3, '2024-01-15']]);
    expect(timestampMs(res.packages[0]!.updateTime!)).toBe(SEED_TIME);
    expect(res.packages[0]!.$unknown ?? []).toEqual([]);
    const other = await client.listPackages({ companyId: w.companyId, businessId: 'bus_002', customerId: 'cus_123' }, { headers: basic() });
    expect(other.packages).toEqual([]);

    const details = await client.listPackageDetails(
      { pagination: { pageSize: 20, pageToken: '1' }, companyId: w.companyId, packageIds: [packageId] },
      { headers: basic() },
    );
    expect(details.packageDetails[0]?.packageInfo?.id).toBe(packageId);
    expect(details.packageDetails[0]?.packageServices[0]?.remainingQuantity).toBe(3);
  });

  it('pages over gRPC as over HTTP: no pagination means the default, tokens walk the list', async () => {
    const client = createClient(PackageService, grpc());
    const second = (await w.sell('cus_123')).pkg.id;
    const first = await client.listPackages({ pagination: { pageSize: 1, pageToken: '' }, companyId: w.companyId, customerId: 'cus_123' }, { headers: basic() });
    expect(first.packages.map((p) => p.id)).toEqual([packageId]);
    const next = await client.listPackages(
      { pagination: { pageSize: 1, pageToken: first.nextPageToken }, companyId: w.companyId, customerId: 'cus_123' },
      { headers: basic() },
    );
    expect(next.packages.map((p) => p.id)).toEqual([second]);
    const all = await client.listPackages({ companyId: w.companyId, customerId: 'cus_123' }, { headers: basic() });
    expect(all.packages).toHaveLength(2);
  });

  it('refuses a pagination whose page_size is 0 as INVALID_ARGUMENT naming pagination.pageSize, over gRPC and Connect JSON', async () => {
    const fields = (e: ConnectError) => e.findDetails(BadRequestDesc).flatMap((d: any) => d.fieldViolations.map((v: { field: string }) => v.field));
    for (const transport of [grpc(), connectJson()]) {
      const client = createClient(PackageService, transport);
      const list = await refused(client.listPackages({ pagination: { pageSize: 0, pageToken: '1' }, companyId: w.companyId, customerId: 'cus_123' }, { headers: basic() }));
      expect(list.code).toBe(Code.InvalidArgument);
      expect(fields(list)).toEqual(['pagination.pageSize']);
      const details = await refused(client.listPackageDetails({ pagination: { pageSize: 0 }, companyId: w.companyId, packageIds: [packageId] }, { headers: basic() }));
      expect(details.code).toBe(Code.InvalidArgument);
      expect(fields(details)).toEqual(['pagination.pageSize']);
    }
  });

  it('refuses Connect JSON nested deeper than 32 levels on both ports, compressed or not, and still serves', async () => {
    const deep = (n: number) => `{"companyId":"${w.companyId}","customerIds":["cus_123"],"x":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    const path = '/moego.business.package.v1.PackageService/ListPackages';
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${w.key}` };
    const h2 = async (body: string | Buffer, extra: Record<string, string> = {}) => {
      const session = http2.connect(`http://127.0.0.1:${servers.grpcPort()}`);
      try {
        const stream = session.request({ ':method': 'POST', ':path': path, ...headers, ...extra });
        stream.end(body);
        const chunks: Buffer[] = [];
        const response = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          let h: http2.IncomingHttpHeaders = {};
          stream.on('response', (headers) => (h = headers));
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(h));
          stream.on('error', reject);
        });
        const raw = Buffer.concat(chunks);
        const text = (response['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        return { status: Number(response[':status']), json: JSON.parse(text) };
      } finally {
        session.close();
      }
    };
    const h1 = async (body: string | Buffer, extra: Record<string, string> = {}) => {
      const r = await fetch(`http://127.0.0.1:${servers.httpPort()}${path}`, { method: 'POST', headers: { ...headers, ...extra }, body });
      return { status: r.status, json: (await r.json()) as any };
    };
    for (const send of [h1, h2]) {
      for (const [body, extra] of [
        [deep(33), {}],
        [deep(100_000), {}],
        [gzipSync(deep(100_000)), { 'content-encoding': 'gzip' }],
      ] as const) {
        const r = await send(body, extra);
        expect(r.status).toBe(400);
        expect(r.json).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('32 levels') });
      }
      const ids = (r: { json: any }) => r.json.packages.map((p: { id: string }) => p.id);
      expect(ids(await send(deep(32)))).toContain(packageId);
      expect(ids(await send(gzipSync(deep(32)), { 'content-encoding': 'gzip' }))).toContain(packageId);
      // More than 1 MiB once inflated: Connect's own answer to a message over readMaxBytes.
      const bomb = await send(gzipSync(`{"x":"${'a'.repeat(READ_MAX_BYTES)}"}`), { 'content-encoding': 'gzip' });
      expect([bomb.status, bomb.json.code]).toEqual([429, 'resource_exhausted']);
    }
  });

  it('serves Connect JSON on the HTTP/1.1 port, with a generated client and with plain fetch', async () => {
    const client = createClient(PackageService, connectJson());
    const res = await client.listPackages(seedRequest(), { headers: basic() });
    expect(res.packages[0]?.id).toBe(packageId);

    const r = await fetch(`http://127.0.0.1:${servers.httpPort()}/moego.business.package.v1.PackageService/ListPackages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${w.key}` },
      body: JSON.stringify(seedRequest()),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toMatch(/^req_/);
    const json = (await r.json()) as { packages: unknown[] };
    expect(json.packages[0]).toMatchObject({
      id: packageId,
      lastUpdateTime: '2023-01-15T10:00:00Z',
      status: 'STATUS_NORMAL',
      packagePrice: { currencyCode: 'USD', units: '150' },
      totalRemainingQuantity: 3,
    });
  });

  it('refuses a call without a key, or with an unknown one, as Unauthenticated', async () => {
    const client = createClient(PackageService, grpc());
    expect((await refused(client.listPackages(seedRequest()))).code).toBe(Code.Unauthenticated);
    expect((await refused(client.listPackages(seedRequest(), { headers: { authorization: 'Bearer pck.cmp_001.nope' } }))).code).toBe(Code.Unauthenticated);
    const json = createClient(PackageService, connectJson());
    expect((await refused(json.listPackages(seedRequest()))).code).toBe(Code.Unauthenticated);
  });

  it('closes at once while a gRPC client keeps its HTTP/2 session open (GOAWAY, not a 72 s wait)', async () => {
    const other = await buildServers(t.deps, config);
    await other.listen();
    const client = createClient(PackageService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${other.grpcPort()}` }));
    expect((await client.listPackages(seedRequest(), { headers: basic() })).packages.length).toBeGreaterThan(0);
    const began = Date.now();
    await other.close();
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('maps the other errors to their gRPC codes, with a BadRequest detail naming the field', async () => {
    const client = createClient(PackageService, grpc());
    const other = await t.newCompany();
    const denied = await refused(client.listPackages({ companyId: other.id, customerIds: ['cus_123'] }, { headers: basic() }));
    expect(denied.code).toBe(Code.PermissionDenied);
    const missing = await refused(client.listPackageDetails({ companyId: w.companyId, packageIds: [packageId, 'pkg_missing'] }, { headers: basic() }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toContain('pkg_missing');
    const tooBig = await refused(client.listPackages({ companyId: w.companyId, customerId: 'cus_123', pagination: { pageSize: 501 } }, { headers: basic() }));
    expect(tooBig.code).toBe(Code.InvalidArgument);
    expect(tooBig.findDetails(BadRequestDesc).flatMap((d: any) => d.fieldViolations.map((v: { field: string }) => v.field))).toEqual(['pagination.pageSize']);
    const none = await refused(client.listPackages({ companyId: w.companyId }, { headers: basic() }));
    expect(none.code).toBe(Code.InvalidArgument);
    const noIds = await refused(client.listPackageDetails({ companyId: w.companyId }, { headers: basic() }));
    expect(noIds.code).toBe(Code.InvalidArgument);
    const noCompany = await refused(client.listPackages({ customerId: 'cus_123' }, { headers: basic() }));
    expect(noCompany.code).toBe(Code.InvalidArgument);
  });
});

describe('DomainError → ConnectError', () => {
  it('carries the reason as a google.rpc.ErrorInfo detail', () => {
    const e = connectErrorOf(failedPrecondition('PACKAGE_FROZEN', 'package pkg_1 is frozen', { packageId: 'pkg_1' }));
    expect(e.code).toBe(Code.FailedPrecondition);
    expect(e.rawMessage).toBe('package pkg_1 is frozen');
    expect(e.findDetails(ErrorInfoDesc)).toMatchObject([{ reason: 'PACKAGE_FROZEN', domain: 'punchcard', metadata: { packageId: 'pkg_1' } }]);
  });

  it('uses the gRPC number of every code in the one mapping', () => {
    const codes: [DomainError['code'], Code][] = [
      ['INVALID_ARGUMENT', Code.InvalidArgument],
      ['UNAUTHENTICATED', Code.Unauthenticated],
      ['PERMISSION_DENIED', Code.PermissionDenied],
      ['NOT_FOUND', Code.NotFound],
      ['ALREADY_EXISTS', Code.AlreadyExists],
      ['FAILED_PRECONDITION', Code.FailedPrecondition],
      ['ABORTED', Code.Aborted],
      ['RESOURCE_EXHAUSTED', Code.ResourceExhausted],
      ['UNAVAILABLE', Code.Unavailable],
      ['INTERNAL', Code.Internal],
    ];
    for (const [code, expected] of codes) expect(connectErrorOf(new DomainError(code, 'x')).code).toBe(expected);
  });

  it('hides an unexpected error behind INTERNAL and the request id, and logs it', () => {
    const logged: unknown[] = [];
    const e = toConnectError(new Error('SELECT * FROM secrets failed'), { requestId: 'req_1', classify: () => undefined, logError: (x) => logged.push(x) });
    expect(e.code).toBe(Code.Internal);
    expect(e.rawMessage).toBe('internal error (request id req_1)');
    expect(logged).toHaveLength(1);
  });

  it('reports an unreachable database as UNAVAILABLE', () => {
    const e = toConnectError(new Error('ECONNREFUSED'), {
      requestId: 'req_2',
      classify: () => new DomainError('UNAVAILABLE', 'the database cannot be reached; retry'),
      logError: () => undefined,
    });
    expect(e.code).toBe(Code.Unavailable);
  });
});
