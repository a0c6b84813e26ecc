// Answers rendered ahead of the reply (the answer cache keeps them as bytes): serialised by the route's own
// response schema, as Fastify would, and sent with the content type Fastify gives serialised JSON.
import type { FastifyReply } from 'fastify';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** The value as the route's 200 schema serialises it, as bytes. */
export function serialized(reply: FastifyReply, value: unknown): Buffer {
  const text = reply.serialize(value);
  return typeof text === 'string' ? Buffer.from(text) : Buffer.from(text as Uint8Array);
}

/** Sends bytes rendered by `serialized`. */
export function sendRendered(reply: FastifyReply, bytes: Uint8Array): FastifyReply {
  return reply.type(JSON_TYPE).send(bytes);
}
