// Operations: liveness, readiness (storage reachable), Prometheus metrics, the OpenAPI document.
import type { Registry } from 'prom-client';
import type { Deps } from '../../application/context.js';
import { DomainError } from '../../domain/errors.js';
import type { HttpApp } from './types.js';

export function registerOpsRoutes(app: HttpApp, deps: Deps, metrics: Registry): void {
  const config = { public: true, surface: 'ops' as const };
  app.get('/healthz', { config, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config, schema: { hide: true } }, async () => {
    try {
      await deps.store.ping();
    } catch {
      throw new DomainError('UNAVAILABLE', 'storage is not reachable');
    }
    return { status: 'ready', engine: deps.store.engine };
  });
  app.get('/metrics', { config, schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  app.get('/openapi.json', { config, schema: { hide: true } }, async () => app.swagger());
}
