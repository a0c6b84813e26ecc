// The listeners of one process: HTTP/1.1 (REST, Connect JSON, the web app) and gRPC over h2c.
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Deps } from './application/context.js';
import { buildHttpApp } from './transport/http/app.js';
import { buildGrpcServer } from './transport/grpc/h2c-server.js';

export interface Servers {
  listen(): Promise<void>;
  close(): Promise<void>;
  httpPort(): number;
  grpcPort(): number;
  readonly log: FastifyBaseLogger;
}

export async function buildServers(deps: Deps, config: Config): Promise<Servers> {
  const logger = {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], remove: true },
  };
  const http = await buildHttpApp({ deps, logger, trustProxy: config.trustProxy });
  const grpc = await buildGrpcServer({ deps, logger, trustProxy: config.trustProxy });
  // Closing stops new connections and drops idle ones, but a kept-alive connection whose request was in flight
  // would stay open after its answer until the client let go of it: answers given while closing end theirs.
  let closing = false;
  http.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return {
    log: http.log,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      try {
        await grpc.listen({ port: config.grpcPort, host: config.host });
      } catch (error) {
        await http.close();
        throw error;
      }
    },
    async close() {
      closing = true;
      await Promise.all([http.close(), grpc.close()]);
    },
    httpPort: () => (http.server.address() as AddressInfo).port,
    // The bound port, which differs from the configured one when GRPC_PORT=0.
    grpcPort: () => (grpc.server.address() as AddressInfo | null)?.port ?? config.grpcPort,
  };
}
