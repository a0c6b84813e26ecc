// Mounts Connect routes on a Fastify instance: the h2c gRPC listener, and the HTTP/1.1 app so that Connect
// JSON clients work on PORT too. The service authenticates from its own metadata and answers errors in its
// protocol's format, so its routes skip the app's auth hook and its Status envelope.
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { codeToHttpStatus, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { compressionBrotli, compressionGzip } from '@connectrpc/connect-node';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { contextValuesOf } from './request-context.js';
import { toConnectError } from './connect-errors.js';
import { jsonTextRefusal } from '../http/json-limits.js';

/** The same 1 MiB ceiling as the HTTP surfaces' bodies. */
export const READ_MAX_BYTES = 1024 * 1024;

const COMPRESSIONS = [compressionGzip, compressionBrotli];

/** fastifyConnectPlugin without a scope of its own, so that the scope registering it can replace its parsers. */
const connectPluginInScope = Object.assign((...args: Parameters<typeof fastifyConnectPlugin>) => fastifyConnectPlugin(...args), {
  [Symbol.for('skip-override')]: true,
});

/**
 * A unary Connect JSON body (application/json), read by Fastify and scanned for depth as every JSON body is,
 * then handed to Connect as bytes, which it parses as if it had read them itself.
 */
async function connectJsonBytes(request: FastifyRequest, body: Buffer): Promise<Uint8Array> {
  // Connect decompresses only what it reads itself; an encoding it does not know it refuses on its own.
  const compression = COMPRESSIONS.find((c) => c.name === request.headers['content-encoding']);
  let bytes: Uint8Array = body;
  if (compression) {
    try {
      bytes = await compression.decompress(body, READ_MAX_BYTES);
    } catch (error) {
      const e = ConnectError.from(error);
      throw e.code === Code.Internal ? new ConnectError('the body could not be decompressed', Code.InvalidArgument) : e;
    }
  }
  const refusal = jsonTextRefusal(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (refusal) throw refusal;
  return bytes;
}

/** What fails before Connect runs (the body's parser, the app's hooks) answers as Connect's unary JSON error. */
function connectErrorOfFastify(error: FastifyError, request: FastifyRequest): ConnectError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ConnectError(`the body is larger than ${READ_MAX_BYTES} bytes`, Code.ResourceExhausted);
  return toConnectError(error, { requestId: request.id, classify: () => undefined, logError: (err) => request.log.error({ err }, 'request failed') });
}

/** Registers the routes in a scope of their own (public, MoeGo surface, Connect's error format). */
export async function registerConnectRoutes(app: FastifyInstance<any, any, any, any, any>, routes: (router: ConnectRouter) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true, surface: 'moego' };
      // Registered for every method; the OpenAPI document describes the HTTP/JSON paths instead.
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const e = connectErrorOfFastify(error, request);
      // Fastify asks to close the connection after a body it refused; HTTP/2 has no such header (it would warn).
      if (request.raw.httpVersionMajor >= 2) reply.removeHeader('connection');
      return reply.code(codeToHttpStatus(e.code)).type('application/json').send(Buffer.from(errorToJsonBytes(e, {})));
    });
    // The app's JSON parser gives way to the plugin's no-op one (which it may not replace), and that one, once the
    // routes exist, to connectJsonBytes; the other Connect content types keep the no-op, and Connect reads them.
    scope.removeContentTypeParser('application/json');
    await scope.register(connectPluginInScope, { routes, contextValues: contextValuesOf, readMaxBytes: READ_MAX_BYTES, acceptCompression: COMPRESSIONS });
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: READ_MAX_BYTES }, (request: FastifyRequest, body: string | Buffer) =>
      connectJsonBytes(request, body as Buffer),
    );
  });
}
