import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Principal } from '../../domain/access.js';

export type Surface = 'native' | 'moego' | 'zenoti' | 'ops';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that need no key: health, metrics, docs, the web app. */
    public?: boolean;
    /** Picks the error envelope. */
    surface?: Surface;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
