// The gRPC error details are googleapis' own messages: grpc-status-details-bin holds a google.rpc.Status whose
// details decode with the schemas generated from the vendored google/rpc/*.proto, byte for byte as the wire
// format of error_details.proto lays them out.
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyIs, anyUnpack } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { ENGINES } from '../support/engines.js';
import { MASTER_KEY, createTestApp, type TestApp } from '../support/app.js';
import { loadConfig } from '../../src/config.js';
import { buildServers, type Servers } from '../../src/servers.js';
import { DomainError } from '../../src/domain/errors.js';
import { connectErrorOf } from '../../src/transport/grpc/connect-errors.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { StatusSchema, type Status } from '../../src/gen/google/rpc/status_pb.js';
import { ListPackagesRequestSchema } from '../../src/gen/moego/business/package/v1/package_service_pb.js';
import { seedWorld, type World } from './moego-fixtures.js';

/** The google.rpc.Status of a grpc-status-details-bin value (unpadded base64, as gRPC sends it). */
const statusOf = (detailsBin: string): Status => fromBinary(StatusSchema, Buffer.from(detailsBin, 'base64'));

/** A length-delimited string field, written by hand: tag (number << 3 | 2), length, UTF-8 bytes. */
const str = (fieldNumber: number, value: string | Buffer): Buffer => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([(fieldNumber << 3) | 2, bytes.length]), bytes]);
};

describe('google.rpc error details in grpc-status-details-bin', () => {
  const frozen = new DomainError('FAILED_PRECONDITION', 'package pkg_1 is frozen', {
    reason: 'PACKAGE_FROZEN',
    metadata: { packageId: 'pkg_1' },
    fieldViolations: [{ field: 'packageId', description: 'is frozen' }],
  });

  it('carries a refusal as a google.rpc.Status whose details unpack as ErrorInfo and BadRequest', () => {
    const trailer = new Headers();
    setTrailerStatus(trailer, connectErrorOf(frozen));
    expect(trailer.get('grpc-status')).toBe(String(Code.FailedPrecondition));

    const status = statusOf(trailer.get('grpc-status-details-bin') ?? '');
    expect(status.code).toBe(Code.FailedPrecondition);
    expect(status.message).toBe('package pkg_1 is frozen');
    expect(status.details.map((d) => d.typeUrl)).toEqual(['type.googleapis.com/google.rpc.ErrorInfo', 'type.googleapis.com/google.rpc.BadRequest']);
    const [info, bad] = status.details;
    expect(info && anyIs(info, ErrorInfoSchema)).toBe(true);
    expect(info && anyUnpack(info, ErrorInfoSchema)).toMatchObject({ reason: 'PACKAGE_FROZEN', domain: 'punchcard', metadata: { packageId: 'pkg_1' } });
    expect(bad && anyUnpack(bad, BadRequestSchema)?.fieldViolations).toMatchObject([{ field: 'packageId', description: 'is frozen' }]);
  });

  it('lays the details out as googleapis numbers their fields (reason 1, domain 2, metadata 3; field_violations 1)', () => {
    const trailer = new Headers();
    setTrailerStatus(trailer, connectErrorOf(frozen));
    const [info, bad] = statusOf(trailer.get('grpc-status-details-bin') ?? '').details;
    const entry = Buffer.concat([str(1, 'packageId'), str(2, 'pkg_1')]);
    expect(Buffer.from(info?.value ?? [])).toEqual(Buffer.concat([str(1, 'PACKAGE_FROZEN'), str(2, 'punchcard'), str(3, entry)]));
    const violation = Buffer.concat([str(1, 'packageId'), str(2, 'is frozen')]);
    expect(Buffer.from(bad?.value ?? [])).toEqual(str(1, violation));
  });

  it('sends no detail for an error with neither a reason nor a bad field', () => {
    const trailer = new Headers();
    setTrailerStatus(trailer, connectErrorOf(new DomainError('NOT_FOUND', 'package pkg_missing not found')));
    expect(statusOf(trailer.get('grpc-status-details-bin') ?? '').details).toEqual([]);
  });
});

const config = loadConfig({ PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUNCHCARD_MASTER_KEY: MASTER_KEY });

describe.each(ENGINES)('the gRPC listener on %s', (engine) => {
  let t: TestApp;
  let w: World;
  let servers: Servers;

  beforeAll(async () => {
    t = await createTestApp(engine, { now: Date.parse('2023-01-15T10:00:00Z') });
    w = await seedWorld(t);
    servers = await buildServers(t.deps, config);
    await servers.listen();
  });

  afterAll(async () => {
    await servers?.close();
    await t.close();
  });

  /** One unary gRPC call over raw h2c: no Connect client between the wire and the test. */
  async function call(path: string, message: Uint8Array): Promise<http2.IncomingHttpHeaders> {
    const session = http2.connect(`http://127.0.0.1:${servers.grpcPort()}`);
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc+proto',
        te: 'trailers',
        authorization: `Basic ${Buffer.from(w.key).toString('base64')}`,
      });
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      stream.end(frame);
      return await new Promise((resolve, reject) => {
        let headers: http2.IncomingHttpHeaders = {};
        stream.on('response', (h) => (headers = h));
        stream.on('trailers', (trailers) => (headers = { ...headers, ...trailers }));
        stream.on('data', () => undefined);
        stream.on('end', () => resolve(headers));
        stream.on('error', reject);
      });
    } finally {
      session.close();
    }
  }

  it('answers page_size 0 with a google.rpc.Status whose BadRequest names pagination.pageSize', async () => {
    const request = create(ListPackagesRequestSchema, { pagination: { pageSize: 0, pageToken: '1' }, companyId: w.companyId, customerId: 'cus_123' });
    const trailers = await call('/moego.business.package.v1.PackageService/ListPackages', toBinary(ListPackagesRequestSchema, request));
    expect(trailers['grpc-status']).toBe(String(Code.InvalidArgument));
    const status = statusOf(String(trailers['grpc-status-details-bin']));
    expect(status.code).toBe(Code.InvalidArgument);
    const bad = status.details.find((d) => anyIs(d, BadRequestSchema));
    expect(bad && anyUnpack(bad, BadRequestSchema)?.fieldViolations.map((v) => v.field)).toEqual(['pagination.pageSize']);
  });
});
