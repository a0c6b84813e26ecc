// Operations: liveness, readiness (storage reachable), Prometheus metrics, the OpenAPI document.
import type { Registry } from 'prom-client';
import type { Deps } from '../../application/context.js';
import { DomainError } from '../../domain/errors.js';
import type { HttpApp } from './types.js';
import { Type } from 'typebox';
import { errorResponses } from './schemas.js';

// Declared (validated and serialised like every route) but kept out of /openapi.json: operations are not part
// of the API it describes.
const hide = true;
const errors = errorResponses([400, 500, 503]);

export function registerOpsRoutes(app: HttpApp, deps: Deps, metrics: Registry): void {
  const config = { public: true, surface: 'ops' as const };
  app.get(
    '/healthz',
    { config, schema: { hide, summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errors } } },
    async () => ({ status: 'ok' as const }),
  );
  const readySchema = {
    hide,
    summary: 'Storage is reachable (503 UNAVAILABLE while it is not)',
    response: { 200: Type.Object({ status: Type.Literal('ready'), engine: Type.String({ description: 'sqlite | postgres' }) }), ...errors },
  };
  app.get('/readyz', { config, schema: readySchema }, async () => {
    try {
      await deps.store.ping();
    } catch {
      throw new DomainError('UNAVAILABLE', 'storage is not reachable');
    }
    return { status: 'ready' as const, engine: deps.store.engine };
  });
  const metricsSchema = {
    hide,
    summary: 'Prometheus metrics (text exposition format)',
    response: { 200: { description: 'the metrics', content: { 'text/plain': { schema: Type.String() } } }, ...errors },
  };
  app.get('/metrics', { config, schema: metricsSchema }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  app.get('/openapi.json', { config, schema: { hide: true } }, async () => app.swagger());
}
