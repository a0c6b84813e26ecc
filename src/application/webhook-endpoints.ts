// A company's webhook endpoints (ADMIN): create (the secret shown once), read, change, delete, rotate the secret,
// send a test; and each endpoint's message log, a message's attempts, and sending a message again.
import { randomBytes } from 'node:crypto';
import type { Principal } from '../domain/access.js';
import { authorize } from '../domain/access.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookFormat, WebhookMessage } from '../domain/webhooks.js';
import { MESSAGE_STATUSES, WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS } from '../domain/webhooks.js';
import type { Deps } from './context.js';
import { requireCompany } from './context.js';
import { newId } from './ids.js';
import type { Page, PageRequest } from './paging.js';
import { cursorOf, pageOf } from './paging.js';

/** How long the secret before a rotation still signs, so receivers can switch without losing a message. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
const MAX_URL = 2000;
const MAX_DESCRIPTION = 2000;

/** `whsec_` and base64 of 32 random bytes, as Standard Webhooks' libraries expect. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL) throw invalidArgument('url', `must be an http or https URL of at most ${MAX_URL} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument('url', 'must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalidArgument('url', 'must use http or https');
  if (parsed.username || parsed.password) throw invalidArgument('url', 'must not carry a user name or password (sign with the secret instead)');
  return parsed.toString();
}

function checkEventTypes(types: readonly string[] | undefined): string[] {
  const unique = [...new Set(types ?? [])];
  const unknown = unique.find((t) => !WEBHOOK_EVENT_TYPES.includes(t));
  if (unknown !== undefined) throw invalidArgument('eventTypes', `unknown event type "${unknown}"; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  return unique;
}

function checkFormat(format: string | undefined): WebhookFormat {
  const f = format ?? 'standard';
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(f)) throw invalidArgument('format', `must be one of ${WEBHOOK_FORMATS.join(', ')}`);
  return f as WebhookFormat;
}

function checkDescription(d: string | undefined): string {
  if (d !== undefined && d.length > MAX_DESCRIPTION) throw invalidArgument('description', `at most ${MAX_DESCRIPTION} characters`);
  return d ?? '';
}

async function endpointOf(deps: Deps, companyId: string, id: string): Promise<WebhookEndpoint> {
  const e = await deps.store.read.webhookEndpoints.get(companyId, id);
  if (!e) throw notFound('webhook endpoint', id);
  return e;
}

async function admin(deps: Deps, p: Principal, companyId: string): Promise<void> {
  authorize(p, companyId, 'admin');
  await requireCompany(deps, p, companyId);
}

export interface EndpointInput {
  readonly url: string;
  readonly eventTypes?: readonly string[];
  readonly format?: string;
  readonly description?: string;
}

/** Adds an endpoint; the answer is the only time its secret is shown. It hears only of changes made from now on. */
export async function createEndpoint(deps: Deps, p: Principal, companyId: string, input: EndpointInput): Promise<WebhookEndpoint> {
  await admin(deps, p, companyId);
  const now = deps.clock.now();
  const endpoint: WebhookEndpoint = {
    companyId,
    id: newId('webhookEndpoint'),
    url: checkUrl(input.url),
    eventTypes: checkEventTypes(input.eventTypes),
    format: checkFormat(input.format),
    description: checkDescription(input.description),
    disabled: false,
    secret: newWebhookSecret(),
    previousSecret: null,
    previousSecretExpireTime: null,
    failedInARow: 0,
    createTime: now,
    updateTime: now,
  };
  await deps.store.transaction((repos) => repos.webhookEndpoints.insert(endpoint));
  return endpoint;
}

export async function getEndpoint(deps: Deps, p: Principal, companyId: string, id: string): Promise<WebhookEndpoint> {
  await admin(deps, p, companyId);
  return endpointOf(deps, companyId, id);
}

export async function listEndpoints(deps: Deps, p: Principal, companyId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
  await admin(deps, p, companyId);
  return pageOf(await deps.store.read.webhookEndpoints.list(companyId, page), page, (e) => e.id);
}

export interface EndpointPatch {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly description?: string;
  readonly disabled?: boolean;
}

/**
 * Changes an endpoint. Disabling it marks its pending messages FAILED; enabling it again resumes with new
 * messages (a disabled endpoint's failures are forgotten).
 */
export async function updateEndpoint(deps: Deps, p: Principal, companyId: string, id: string, patch: EndpointPatch): Promise<WebhookEndpoint> {
  await admin(deps, p, companyId);
  const fields = {
    ...(patch.url === undefined ? {} : { url: checkUrl(patch.url) }),
    ...(patch.eventTypes === undefined ? {} : { eventTypes: checkEventTypes(patch.eventTypes) }),
    ...(patch.description === undefined ? {} : { description: checkDescription(patch.description) }),
  };
  const now = deps.clock.now();
  return deps.store.transaction(async (repos) => {
    const before = await repos.webhookEndpoints.get(companyId, id);
    if (!before) throw notFound('webhook endpoint', id);
    const disabled = patch.disabled ?? before.disabled;
    const next: WebhookEndpoint = { ...before, ...fields, disabled, failedInARow: disabled === before.disabled ? before.failedInARow : 0, updateTime: now };
    await repos.webhookEndpoints.update(next);
    if (disabled && !before.disabled) await repos.webhookMessages.failPending(companyId, id);
    return next;
  });
}

/** Removes an endpoint and its messages. */
export async function deleteEndpoint(deps: Deps, p: Principal, companyId: string, id: string): Promise<void> {
  await admin(deps, p, companyId);
  if (!(await deps.store.transaction((repos) => repos.webhookEndpoints.delete(companyId, id)))) throw notFound('webhook endpoint', id);
}

/** A new secret (shown in this answer only); for 24 hours deliveries are signed with both, old and new. */
export async function rotateSecret(deps: Deps, p: Principal, companyId: string, id: string): Promise<WebhookEndpoint> {
  await admin(deps, p, companyId);
  const now = deps.clock.now();
  return deps.store.transaction(async (repos) => {
    const before = await repos.webhookEndpoints.get(companyId, id);
    if (!before) throw notFound('webhook endpoint', id);
    const next = { ...before, secret: newWebhookSecret(), previousSecret: before.secret, previousSecretExpireTime: now + ROTATION_OVERLAP_MS, updateTime: now };
    await repos.webhookEndpoints.update(next);
    return next;
  });
}

/** Sends one webhook.test message to the endpoint (even a disabled one: it is how an integrator checks it). */
export async function testEndpoint(deps: Deps, p: Principal, companyId: string, id: string): Promise<WebhookMessage> {
  await admin(deps, p, companyId);
  const outbox = deps.outbox;
  if (!outbox) throw new Error('no webhook outbox configured');
  const endpoint = await endpointOf(deps, companyId, id);
  const message = outbox.test(endpoint, deps.clock.now());
  await deps.store.transaction((repos) => repos.webhookMessages.insert([message]));
  return message;
}

function checkStatus(status: string | undefined): MessageStatus | undefined {
  if (status === undefined || status === '') return undefined;
  if (!(MESSAGE_STATUSES as readonly string[]).includes(status)) throw invalidArgument('status', `must be one of ${MESSAGE_STATUSES.join(', ')}`);
  return status as MessageStatus;
}

/** An endpoint's messages, newest first, optionally of one status. */
export async function listMessages(deps: Deps, p: Principal, companyId: string, endpointId: string, status: string | undefined, page: PageRequest): Promise<Page<WebhookMessage>> {
  await admin(deps, p, companyId);
  const wanted = checkStatus(status);
  await endpointOf(deps, companyId, endpointId);
  const before = cursorOf(page, ['id']);
  const rows = await deps.store.read.webhookMessages.list(companyId, endpointId, wanted, { size: page.size, before: before === null ? null : String(before[0]), offset: page.offset });
  return pageOf(rows, page, (m) => [m.id]);
}

async function messageOf(deps: Deps, companyId: string, endpointId: string, messageId: string): Promise<WebhookMessage> {
  const m = await deps.store.read.webhookMessages.get(companyId, messageId);
  if (!m || m.endpointId !== endpointId) throw notFound('webhook message', messageId);
  return m;
}

/** A message's attempts, oldest first. */
export async function listAttempts(deps: Deps, p: Principal, companyId: string, endpointId: string, messageId: string): Promise<WebhookAttempt[]> {
  await admin(deps, p, companyId);
  await messageOf(deps, companyId, endpointId, messageId);
  return deps.store.read.webhookMessages.attempts(companyId, messageId);
}

/** Sends a message again, with the same webhook-id, whatever its status; it gets a fresh retry schedule. */
export async function redeliverMessage(deps: Deps, p: Principal, companyId: string, endpointId: string, messageId: string): Promise<WebhookMessage> {
  await admin(deps, p, companyId);
  await messageOf(deps, companyId, endpointId, messageId);
  const now = deps.clock.now();
  const again = await deps.store.transaction((repos) => repos.webhookMessages.redeliver(companyId, messageId, now));
  if (!again) throw notFound('webhook message', messageId);
  return again;
}
