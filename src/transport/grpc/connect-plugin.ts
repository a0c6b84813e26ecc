// Mounts Connect routes on a Fastify instance: the h2c gRPC listener, and the HTTP/1.1 app so that Connect
// JSON clients work on PORT too. The service authenticates from its own metadata and answers errors in its
// protocol's format, so its routes skip the app's auth hook and its Status envelope.
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import type { ConnectRouter } from '@connectrpc/connect';
import type { FastifyInstance } from 'fastify';
import { contextValuesOf } from './request-context.js';

/** The same 1 MiB ceiling as the HTTP surfaces' bodies. */
export const READ_MAX_BYTES = 1024 * 1024;

/** Registers the routes in a scope of their own (public, MoeGo surface, body left to Connect). */
export async function registerConnectRoutes(app: FastifyInstance<any, any, any, any, any>, routes: (router: ConnectRouter) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true, surface: 'moego' };
      // Registered for every method; the OpenAPI document describes the HTTP/JSON paths instead.
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    await scope.register(fastifyConnectPlugin, { routes, contextValues: contextValuesOf, readMaxBytes: READ_MAX_BYTES });
  });
}
