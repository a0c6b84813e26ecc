// Webhook endpoints, their message log and attempts, on the native surface (ADMIN). Each handler parses, calls
// one use case and presents it.
import { Type, type Static } from 'typebox';
import type { Deps } from '../../application/context.js';
import { parsePageRequest } from '../../application/paging.js';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listAttempts,
  listEndpoints,
  listMessages,
  redeliverMessage,
  rotateSecret,
  testEndpoint,
  updateEndpoint,
} from '../../application/webhook-endpoints.js';
import { formatInstant } from '../../domain/calendar.js';
import { MESSAGE_STATUSES, WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS, type WebhookAttempt, type WebhookEndpoint, type WebhookMessage } from '../../domain/webhooks.js';
import { Description, Enum, Id, NullableTime, PageQuery } from '../http/schemas.js';
import type { HttpApp } from '../http/types.js';
import { instantOrNull } from '../shared/package-json.js';

const tags = ['Webhooks'];
const ID_RE = '^[A-Za-z0-9_-]+';
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http or https' });
const EventTypes = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, description: 'empty or absent: every event type' });
const P = {
  company: Type.Object({ companyId: Id('the company') }),
  endpoint: Type.Object({ companyId: Id('the company'), endpointId: Id() }),
  message: Type.Object({ companyId: Id('the company'), endpointId: Id(), messageId: Id() }),
};

const Time = Type.String({ description: 'RFC 3339, UTC' });
const endpointFields = {
  id: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Enum(WEBHOOK_EVENT_TYPES), { description: 'empty: every event type' }),
  format: Enum(WEBHOOK_FORMATS),
  description: Type.String(),
  disabled: Type.Boolean(),
  createTime: Time,
};
export const WebhookEndpointAnswer = Type.Object(endpointFields);
const WithSecret = Type.Object({ ...endpointFields, secret: Type.String({ description: 'whsec_…: shown in this answer only' }) });
export const WebhookMessageAnswer = Type.Object({
  id: Type.String({ description: 'the webhook-id' }),
  type: Type.String(),
  status: Enum(MESSAGE_STATUSES),
  attempts: Type.Integer(),
  createTime: Time,
  lastAttemptTime: NullableTime('RFC 3339, UTC; null when none'),
  lastResponseStatus: Type.Integer({ description: '0 for no answer' }),
  nextAttemptTime: NullableTime('RFC 3339, UTC; null when none'),
});
export const WebhookAttemptAnswer = Type.Object({
  time: Time,
  responseStatus: Type.Integer({ description: '0 for no answer' }),
  durationMs: Type.Integer(),
  error: Type.String(),
  responseBody: Type.String({ description: 'the first 1 KB' }),
});
const PageToken = Type.String({ description: '"" on the last page' });

/** An endpoint as every answer shows it; the secret only where it was just made (create, rotate). */
export function presentEndpoint(e: WebhookEndpoint): Static<typeof WebhookEndpointAnswer> {
  return {
    id: e.id,
    url: e.url,
    eventTypes: [...e.eventTypes],
    format: e.format,
    description: e.description,
    disabled: e.disabled,
    createTime: formatInstant(e.createTime),
  };
}

export function presentMessage(m: WebhookMessage): Static<typeof WebhookMessageAnswer> {
  return {
    id: m.id,
    type: m.type,
    status: m.status,
    attempts: m.attempts,
    createTime: formatInstant(m.createTime),
    lastAttemptTime: instantOrNull(m.lastAttemptTime),
    lastResponseStatus: m.lastResponseStatus,
    nextAttemptTime: instantOrNull(m.nextAttemptTime),
  };
}

export const presentAttempt = (a: WebhookAttempt): Static<typeof WebhookAttemptAnswer> => ({
  time: formatInstant(a.time),
  responseStatus: a.responseStatus,
  durationMs: a.durationMs,
  error: a.error,
  responseBody: a.responseBody,
});

export function registerWebhookRoutes(app: HttpApp, deps: Deps): void {
  const base = '/v1/companies/:companyId/webhookEndpoints';

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Add a webhook endpoint; its signing secret is shown in this answer only (ADMIN)',
        params: P.company,
        body: Type.Object({ url: Url, eventTypes: Type.Optional(EventTypes), format: Type.Optional(Type.String({ maxLength: 16, description: 'standard | zenoti' })), description: Type.Optional(Description) }),
        response: { 201: WithSecret },
      },
    },
    async (req, reply) => {
      const e = await createEndpoint(deps, req.principal, req.params.companyId, req.body);
      return reply.code(201).send({ ...presentEndpoint(e), secret: e.secret });
    },
  );

  app.get(base, { schema: { tags, summary: 'List webhook endpoints (ADMIN)', params: P.company, querystring: Type.Object(PageQuery), response: { 200: Type.Object({ webhookEndpoints: Type.Array(WebhookEndpointAnswer), nextPageToken: PageToken }) } } }, async (req) => {
    const page = await listEndpoints(deps, req.principal, req.params.companyId, parsePageRequest(req.query.pageSize, req.query.pageToken));
    return { webhookEndpoints: page.items.map(presentEndpoint), nextPageToken: page.nextPageToken };
  });

  app.get(`${base}/:endpointId`, { schema: { tags, summary: 'Read a webhook endpoint (ADMIN)', params: P.endpoint, response: { 200: WebhookEndpointAnswer } } }, async (req) =>
    presentEndpoint(await getEndpoint(deps, req.principal, req.params.companyId, req.params.endpointId)),
  );

  app.patch(
    `${base}/:endpointId`,
    {
      schema: {
        tags,
        summary: 'Change an endpoint; disabling it fails its pending messages (ADMIN)',
        params: P.endpoint,
        body: Type.Object({ url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), description: Type.Optional(Description), disabled: Type.Optional(Type.Boolean()) }),
        response: { 200: WebhookEndpointAnswer },
      },
    },
    async (req) => presentEndpoint(await updateEndpoint(deps, req.principal, req.params.companyId, req.params.endpointId, req.body)),
  );

  app.delete(`${base}/:endpointId`, { schema: { tags, summary: 'Remove an endpoint and its messages (ADMIN)', params: P.endpoint, response: { 200: Type.Object({}, { description: 'an empty object' }) } } }, async (req) => {
    await deleteEndpoint(deps, req.principal, req.params.companyId, req.params.endpointId);
    return {};
  });

  app.post(
    `${base}/:endpointId(${ID_RE})::rotateSecret`,
    { schema: { tags, summary: 'A new signing secret; the old one also signs for 24 hours (ADMIN)', params: P.endpoint, response: { 200: WithSecret } } },
    async (req) => {
      const e = await rotateSecret(deps, req.principal, req.params.companyId, req.params.endpointId);
      return { ...presentEndpoint(e), secret: e.secret };
    },
  );

  app.post(`${base}/:endpointId(${ID_RE})::test`, { schema: { tags, summary: 'Send one webhook.test message (ADMIN)', params: P.endpoint, response: { 202: WebhookMessageAnswer } } }, async (req, reply) =>
    reply.code(202).send(presentMessage(await testEndpoint(deps, req.principal, req.params.companyId, req.params.endpointId))),
  );

  app.get(
    `${base}/:endpointId/messages`,
    {
      schema: {
        tags,
        summary: "An endpoint's messages, newest first (ADMIN)",
        params: P.endpoint,
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Type.String({ maxLength: 16, description: 'PENDING | DELIVERED | FAILED' })) }),
        response: { 200: Type.Object({ messages: Type.Array(WebhookMessageAnswer), nextPageToken: PageToken }) },
      },
    },
    async (req) => {
      const page = await listMessages(deps, req.principal, req.params.companyId, req.params.endpointId, req.query.status, parsePageRequest(req.query.pageSize, req.query.pageToken));
      return { messages: page.items.map(presentMessage), nextPageToken: page.nextPageToken };
    },
  );

  app.get(`${base}/:endpointId/messages/:messageId/attempts`, { schema: { tags, summary: "A message's attempts, oldest first (ADMIN)", params: P.message, response: { 200: Type.Object({ attempts: Type.Array(WebhookAttemptAnswer) }) } } }, async (req) => ({
    attempts: (await listAttempts(deps, req.principal, req.params.companyId, req.params.endpointId, req.params.messageId)).map(presentAttempt),
  }));

  app.post(
    `${base}/:endpointId/messages/:messageId(${ID_RE})::redeliver`,
    { schema: { tags, summary: 'Send a message again, with the same webhook-id (ADMIN)', params: P.message, response: { 202: WebhookMessageAnswer } } },
    async (req, reply) => reply.code(202).send(presentMessage(await redeliverMessage(deps, req.principal, req.params.companyId, req.params.endpointId, req.params.messageId))),
  );
}
