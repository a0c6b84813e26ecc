// The gRPC listener: HTTP/2 without TLS (h2c), serving MoeGo's PackageService to gRPC, gRPC-Web and Connect
// clients on GRPC_PORT.
import Fastify, { type FastifyHttp2Options, type FastifyInstance } from 'fastify';
import type { Http2Server } from 'node:http2';
import type { Deps } from '../../application/context.js';
import { ulid } from '../../application/ids.js';
import { packageServiceRoutes } from '../moego/package-service.js';
import { registerConnectRoutes } from './connect-plugin.js';

export type GrpcServer = FastifyInstance<Http2Server>;

/** Builds (does not start) the h2c server with every Connect service. */
export async function buildGrpcServer(options: { deps: Deps; logger?: FastifyHttp2Options<Http2Server>['logger'] }): Promise<GrpcServer> {
  const server = Fastify({
    http2: true,
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => `req_${ulid()}`,
  });
  await registerConnectRoutes(server, packageServiceRoutes(options.deps));
  return server;
}
