// The HTTP surfaces' one error path: every failure leaves as google.rpc.Status (or Zenoti's envelope on its
// routes) with the contract's status. A 5xx carries only the request id; the details go to the log.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type FieldViolation } from '../../domain/errors.js';
import { httpStatusOf, internalError, statusBody, zenotiErrorBody } from '../errors.js';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fieldPath(context: string | undefined, instancePath: string, params: Record<string, unknown>): string {
  const parts = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`));
  if (typeof params.missingProperty === 'string') parts.push(`.${params.missingProperty}`);
  if (typeof params.additionalProperty === 'string') parts.push(`.${params.additionalProperty}`);
  const path = parts.join('').replace(/^\./, '');
  if (context === 'querystring' || context === 'params' || context === 'headers') return path || context;
  return path || 'body';
}

function violationsOf(error: FastifyError): FieldViolation[] {
  const issues = (error.validation ?? []) as unknown as AjvIssue[];
  const seen = new Set<string>();
  const out: FieldViolation[] = [];
  for (const issue of issues) {
    const field = fieldPath(error.validationContext, issue.instancePath, issue.params);
    if (seen.has(field)) continue; // a union reports each branch; one line per field is enough
    seen.add(field);
    out.push({ field, description: issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid') });
  }
  return out;
}

/** Turns anything thrown into the DomainError a client may see. */
export function toDomainError(
  error: unknown,
  requestId: string,
  classify: (e: unknown) => DomainError | undefined,
): { error: DomainError; unexpected: boolean } {
  if (error instanceof DomainError) return { error, unexpected: false };
  const fe = error as FastifyError;
  if (fe && Array.isArray(fe.validation)) {
    const violations = violationsOf(fe);
    return {
      error: new DomainError('INVALID_ARGUMENT', violations.map((v) => `${v.field}: ${v.description}`).join('; '), {
        fieldViolations: violations,
      }),
      unexpected: false,
    };
  }
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { error: new DomainError('INVALID_ARGUMENT', 'the request body is too large: at most 1 MiB (an import takes up to 50 MB)', { reason: 'PAYLOAD_TOO_LARGE' }), unexpected: false };
  }
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { error: new DomainError('INVALID_ARGUMENT', 'send the body as application/json'), unexpected: false };
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own 4xx: malformed JSON, empty JSON body, bad content length…
    const message = fe instanceof SyntaxError || fe.code?.startsWith('FST_ERR_CTP') ? `malformed request body: ${fe.message}` : fe.message;
    return { error: new DomainError('INVALID_ARGUMENT', message), unexpected: false };
  }
  const classified = classify(error);
  if (classified) return { error: classified, unexpected: classified.code === 'UNAVAILABLE' };
  return { error: internalError(requestId), unexpected: true };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: DomainError): FastifyReply {
  const status = httpStatusOf(error);
  // Zenoti's paths keep Zenoti's envelope even when no route matched (a malformed URL, an unknown path).
  const zenoti = request.routeOptions.config?.surface === 'zenoti' || /^\/v1\/guests\//i.test(request.url);
  const body = zenoti ? zenotiErrorBody(error, status) : statusBody(error);
  return reply.code(status).type('application/json').send(body);
}

export function registerErrorHandling(app: FastifyInstance, classify: (e: unknown) => DomainError | undefined): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toDomainError(error, request.id, classify);
    if (mapped.unexpected) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, mapped.error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new DomainError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
