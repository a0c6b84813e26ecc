// Builds the HTTP/1.1 server: one auth hook, one error path, metrics, OpenAPI, and the three surfaces' routes.
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Deps } from '../../application/context.js';
import { admit, type Admission } from '../../application/admission.js';
import { setRateLimitHeaders } from '../rate-limit-headers.js';
import { ulid } from '../../application/ids.js';
import { keyFromAuthorization } from './auth.js';
import { DomainError } from '../../domain/errors.js';
import { Ajv, type ErrorObject } from 'ajv';
import { registerErrorHandling, sendError } from './error-handler.js';
import { jsonTextRefusal, nulRefusal } from './json-limits.js';
import { registerMetrics } from './metrics.js';
import { registerWebhookMetrics } from '../webhooks/metrics.js';
import { registerOperationsMetrics } from './operations-metrics.js';
import { registerOpsRoutes } from './ops-routes.js';
import type { HttpApp } from './types.js';
import { SHARED_SCHEMAS, errorResponses } from './schemas.js';
import { NATIVE_PACKAGE_SCHEMAS } from '../native/package-schemas.js';
import { ZENOTI_SCHEMAS } from '../zenoti/schemas.js';
import { registerTenantRoutes } from '../native/tenant-routes.js';
import { registerReferenceRoutes } from '../native/reference-routes.js';
import { registerPackageRoutes } from '../native/package-routes.js';
import { registerWebhookRoutes } from '../native/webhook-routes.js';
import { registerExportRoutes } from '../native/export-routes.js';
import { registerImportRoutes } from '../native/import-routes.js';
import { registerRedemptionListRoutes } from '../native/redemption-list-routes.js';
// Compatibility surfaces (src/transport/moego, src/transport/zenoti, src/transport/grpc).
import { registerMoegoRoutes } from '../moego/http-routes.js';
import { packageServiceRoutes } from '../moego/package-service.js';
import { registerZenotiRoutes } from '../zenoti/routes.js';
import { registerConnectRoutes } from '../grpc/connect-plugin.js';
import { registerWebRoutes } from './web-routes.js';

const PROCESS_ID = ulid().slice(-8);
/** Validation errors reported at most, per request part. */
const MAX_REPORTED_ERRORS = 100;
let requestCounter = 0;

/** The query or path parameter holding a NUL: their values are strings or lists of strings, never deeper. */
function nulParameter(values: unknown, part: string): string | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const [key, value] of Object.entries(values)) {
    if (key.includes('\u0000')) return part;
    const items: unknown[] = Array.isArray(value) ? value : [value];
    if (items.some((v) => typeof v === 'string' && v.includes('\u0000'))) return key;
  }
  return undefined;
}

export interface HttpAppOptions {
  readonly deps: Deps;
  readonly logger?: FastifyServerOptions['logger'];
  /** Take the client's address from X-Forwarded-For's first entry (PUNCHCARD_TRUST_PROXY). */
  readonly trustProxy?: boolean;
  /** Extra route registrations (the later surfaces, the web app). */
  readonly extend?: (app: HttpApp) => Promise<void> | void;
}

type DocumentedSchema = { hide?: boolean; response?: Record<string, unknown> } & Record<string, unknown>;

/**
 * A route's schema as the document shows it: every route answers its errors through the one error handler, so
 * each lists the statuses that path can give (a route's own list wins): Zenoti's envelope on its surface,
 * google.rpc.Status everywhere else. A copy: the route keeps the schema it serialises with.
 */
function documentedSchema(schema: DocumentedSchema | undefined, route: { method: string | string[]; config?: unknown }): DocumentedSchema | undefined {
  const surface = (route.config as { surface?: string } | undefined)?.surface;
  // Hidden routes (docs, the web app's files) answer no API errors; Zenoti's lower-case alias is the same API.
  if (!schema || (schema.hide && surface !== 'zenoti')) return schema;
  const writes = [route.method].flat().some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE');
  const statuses =
    surface === 'ops' ? [400, 500, 503]
    : surface === 'zenoti' ? [400, 401, 403, 404, 422, 429, 500, 503]
    : writes ? [400, 401, 403, 404, 409, 413, 422, 429, 500, 503]
    : [400, 401, 403, 404, 429, 500, 503];
  return { ...schema, response: { ...errorResponses(statuses, surface === 'zenoti' ? 'ZenotiError' : 'Status'), ...withSuccessDescriptions(schema.response) } };
}

const SUCCESS_MEANING: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted: queued, done in the background', '204': 'No content' };

/**
 * A success answer without a description of its own gets its status's meaning, so the document says "Created"
 * rather than swagger's "Default Response". The schema is copied, not changed: one schema serves many routes.
 */
function withSuccessDescriptions(response: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(response ?? {})) {
    const meaning = SUCCESS_MEANING[status];
    out[status] = meaning && typeof answer === 'object' && answer !== null && !('description' in answer) ? { description: meaning, ...answer } : answer;
  }
  return out;
}

export async function buildHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const { deps } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // Unique across processes (a random prefix per process) without randomness per request.
    genReqId: () => `req_${PROCESS_ID}${(requestCounter++).toString(36)}`,
    // Long enough that an over-long id reaches the schema (and gets a field-level 400), not the router.
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: (error, request, reply) => {
      void sendError(request, reply, new DomainError('INVALID_ARGUMENT', `malformed request: ${error.message}`));
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;

  // JSON bodies are taken as sent: a number where a string belongs is refused, not converted. Query strings and
  // path segments are text by nature, so there "30" may become 30.
  const strict = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const lenient = new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? strict : lenient).compile(schema);
    // allErrors reports every item of a list: 200,000 wrong ones in a 1 MB body would answer 20 MB of violations.
    const capped = Object.assign(
      (data: unknown) => {
        const valid = validate(data);
        capped.errors = validate.errors?.slice(0, MAX_REPORTED_ERRORS) ?? null;
        return valid;
      },
      { errors: null as ErrorObject[] | null },
    );
    return capped;
  });

  // Fastify's own JSON parser (secure-json-parse, against prototype poisoning), on text the scan let through: the
  // depth limit holds before anything walks the parsed value.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const refusal = jsonTextRefusal(body as string);
    if (refusal) return done(refusal, undefined);
    parseJson(request, body as string, done);
  });

  app.decorateRequest('principal', null as never);
  registerErrorHandling(app, (e) => deps.store.classify(e));
  const metrics = registerMetrics(app);
  registerWebhookMetrics(metrics, deps);
  const stopOperationsMetrics = registerOperationsMetrics(metrics, deps);
  app.addHook('onClose', async () => stopOperationsMetrics());

  // Who asks, and whether their budget lets them in: a callback hook, and no promise at all when the key is in
  // the cache and the buckets in memory, since this runs on every request. A refusal leaves through the one
  // error path, before the body is read: nothing of it is done.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.routeOptions.config?.public || !request.routeOptions.url) return done();
    const enter = (admission: Admission) => {
      if (admission.reading) setRateLimitHeaders(admission.reading, (name, value) => reply.header(name, value));
      if (admission.refusal) return done(admission.refusal);
      request.principal = admission.principal;
      done();
    };
    let admission;
    try {
      admission = admit(deps, keyFromAuthorization(request.headers.authorization), request.ip);
    } catch (error) {
      return done(error as Error);
    }
    if (admission instanceof Promise) admission.then(enter, done);
    else enter(admission);
  });
  // Bodiless POSTs (":unfreeze") to routes that take a body validate as an empty object, so a missing field is
  // named, not "body must be object". Routes without a body schema (Connect's) get what was sent.
  app.addHook('preValidation', (request, _reply, done) => {
    if ((request.body === undefined || request.body === null) && request.routeOptions.schema?.body) request.body = {};
    // JSON bodies were scanned for NULs before parsing; a text/plain body arrives as one string.
    const nul =
      (typeof request.body === 'string' && request.body.includes('\u0000') ? 'body' : undefined) ??
      nulParameter(request.query, 'querystring') ??
      nulParameter(request.params, 'params');
    done(nul === undefined ? undefined : nulRefusal(nul));
  });

  for (const schema of [...SHARED_SCHEMAS, ...NATIVE_PACKAGE_SCHEMAS, ...ZENOTI_SCHEMAS]) app.addSchema(schema);
  await app.register(swagger, {
    // The document gives each route the error statuses it can answer and names its successes; the routes
    // themselves keep only their success schemas, so the server compiles no serializer per route and status for
    // errors, which all leave through the one error handler (compiling those took most of a start).
    transform: ({ schema, url, route }) => ({ schema: documentedSchema(schema as DocumentedSchema | undefined, route) as typeof schema, url }),
    // Components are named by their $id, so the document says `$ref: '#/components/schemas/Status'`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Punchcard API', version: '1.0.0', description: 'Packages for service businesses. See API.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true, surface: 'ops' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  });

  registerOpsRoutes(app, deps, metrics);
  registerTenantRoutes(app, deps);
  registerReferenceRoutes(app, deps);
  registerPackageRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerRedemptionListRoutes(app, deps);
  // Compatibility surfaces: MoeGo over HTTP/JSON and Connect (the same PackageService as the gRPC port), Zenoti.
  registerMoegoRoutes(app, deps);
  await registerConnectRoutes(app, packageServiceRoutes(deps));
  registerZenotiRoutes(app, deps);
  await registerWebRoutes(app);
  if (options.extend) await options.extend(app);
  return app;
}

export type { HttpApp } from './types.js';
export type { TypeBoxTypeProvider };
