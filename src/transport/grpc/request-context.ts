// What a Connect handler learns from the Fastify request it runs in: the request id (shared with the HTTP
// log and the x-request-id header) and the request's logger.
import { createContextKey, createContextValues, type ContextValues } from '@connectrpc/connect';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { ulid } from '../../application/ids.js';

export interface RequestContext {
  readonly requestId: string;
  readonly log: Pick<FastifyBaseLogger, 'error'> | null;
  /** The client's address (the connection's, or X-Forwarded-For's first with PUNCHCARD_TRUST_PROXY), for its rate limit. */
  readonly address: string;
}

export const requestContextKey = createContextKey<RequestContext | null>(null, { description: 'the Fastify request' });

/** contextValues for fastifyConnectPlugin: carries the Fastify request's id and logger into handlers. */
export function contextValuesOf(request: FastifyRequest): ContextValues {
  return createContextValues().set(requestContextKey, { requestId: request.id, log: request.log, address: request.ip });
}

/** The handler's request context; a fresh id when it runs outside Fastify (tests of the router alone). */
export function requestContextOf(values: ContextValues): RequestContext {
  return values.get(requestContextKey) ?? { requestId: `req_${ulid()}`, log: null, address: 'unknown' };
}
