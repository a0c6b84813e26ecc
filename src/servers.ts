// The listeners of one process: HTTP/1.1 (REST, Connect JSON, the web app) and, later, gRPC over h2c.
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Deps } from './application/context.js';
import { buildHttpApp } from './transport/http/app.js';

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
  const http = await buildHttpApp({ deps, logger });
  return {
    log: http.log,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
    },
    async close() {
      await http.close();
    },
    httpPort: () => (http.server.address() as AddressInfo).port,
    grpcPort: () => config.grpcPort,
  };
}
