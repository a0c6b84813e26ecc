// The gRPC listener: HTTP/2 without TLS (h2c), serving MoeGo's PackageService to gRPC, gRPC-Web and Connect
// clients on GRPC_PORT.
import Fastify, { type FastifyHttp2Options, type FastifyInstance } from 'fastify';
import type { Http2Server, Http2Session } from 'node:http2';
import type { Deps } from '../../application/context.js';
import { ulid } from '../../application/ids.js';
import { packageServiceRoutes } from '../moego/package-service.js';
import { registerConnectRoutes } from './connect-plugin.js';

export type GrpcServer = FastifyInstance<Http2Server>;

/** Builds (does not start) the h2c server with every Connect service. */
export async function buildGrpcServer(options: { deps: Deps; logger?: FastifyHttp2Options<Http2Server>['logger']; trustProxy?: boolean }): Promise<GrpcServer> {
  const server = Fastify({
    http2: true,
    trustProxy: options.trustProxy ?? false,
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => `req_${ulid()}`,
  });
  await registerConnectRoutes(server, packageServiceRoutes(options.deps));
  // gRPC clients keep their HTTP/2 session open; without a GOAWAY, close() would wait for them to time out.
  // session.close() lets the streams in flight finish first.
  const sessions = new Set<Http2Session>();
  server.server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.addHook('preClose', (done) => {
    for (const session of sessions) session.close();
    done();
  });
  return server;
}
