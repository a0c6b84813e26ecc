// Rows of the webhook tables to domain records and back.
import type { MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookFormat, WebhookMessage } from '../domain/webhooks.js';
import type { WebhookAttemptsTable, WebhookEndpointsTable, WebhookMessagesTable } from './schema.js';

export type MessageRow = WebhookMessagesTable;

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export const endpointToRow = (e: WebhookEndpoint): WebhookEndpointsTable => ({
  company_id: e.companyId,
  endpoint_id: e.id,
  url: e.url,
  event_types: JSON.stringify(e.eventTypes),
  format: e.format,
  description: e.description,
  disabled: e.disabled ? 1 : 0,
  secret: e.secret,
  previous_secret: e.previousSecret,
  previous_secret_expires_at: e.previousSecretExpireTime,
  failed_in_a_row: e.failedInARow,
  created_at: e.createTime,
  updated_at: e.updateTime,
});

export const rowToEndpoint = (r: WebhookEndpointsTable): WebhookEndpoint => ({
  companyId: r.company_id,
  id: r.endpoint_id,
  url: r.url,
  eventTypes: JSON.parse(r.event_types) as string[],
  format: r.format as WebhookFormat,
  description: r.description,
  disabled: Number(r.disabled) === 1,
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretExpireTime: num(r.previous_secret_expires_at),
  failedInARow: Number(r.failed_in_a_row),
  createTime: Number(r.created_at),
  updateTime: Number(r.updated_at),
});

export const messageToRow = (msg: WebhookMessage): WebhookMessagesTable => ({
  company_id: msg.companyId,
  message_id: msg.id,
  endpoint_id: msg.endpointId,
  type: msg.type,
  event_id: msg.eventId,
  package_id: msg.packageId,
  body: msg.body,
  status: msg.status,
  attempts: msg.attempts,
  round_attempts: msg.roundAttempts,
  next_attempt_at: msg.nextAttemptTime,
  lease_owner: null,
  lease_until: null,
  last_attempt_at: msg.lastAttemptTime,
  last_response_status: msg.lastResponseStatus,
  created_at: msg.createTime,
});

export const rowToMessage = (r: WebhookMessagesTable): WebhookMessage => ({
  companyId: r.company_id,
  id: r.message_id,
  endpointId: r.endpoint_id,
  type: r.type,
  eventId: r.event_id,
  packageId: r.package_id,
  body: r.body,
  status: r.status as MessageStatus,
  attempts: Number(r.attempts),
  roundAttempts: Number(r.round_attempts),
  createTime: Number(r.created_at),
  nextAttemptTime: num(r.next_attempt_at),
  lastAttemptTime: num(r.last_attempt_at),
  lastResponseStatus: Number(r.last_response_status),
});

export const attemptToRow = (companyId: string, messageId: string, attempt: number, a: WebhookAttempt): WebhookAttemptsTable => ({
  company_id: companyId,
  message_id: messageId,
  attempt,
  time: a.time,
  response_status: a.responseStatus,
  duration_ms: a.durationMs,
  error: a.error,
  response_body: a.responseBody,
});

export const rowToAttempt = (r: WebhookAttemptsTable): WebhookAttempt => ({
  time: Number(r.time),
  responseStatus: Number(r.response_status),
  durationMs: Number(r.duration_ms),
  error: r.error,
  responseBody: r.response_body,
});
