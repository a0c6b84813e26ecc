// The admin screens' server state (ADMIN keys): the company's API keys, its webhook endpoints, each endpoint's
// message log and a message's attempts; and the changes made to them. Every call goes through the generated client.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { allPages, call, withoutEmpty, type Api } from './client';
import { keys } from './queries';
import type { ApiKey, ApiKeyInput, WebhookEndpoint, WebhookEndpointChange, WebhookEndpointInput, WebhookMessage, WebhookMessageList } from './types';

const C = '/v1/companies/{companyId}' as const;

// Checked against the schema's answers, so that a role, format or status added there shows up here as a type error.
export const ROLES = ['ADMIN', 'STAFF', 'VIEWER'] as const satisfies readonly ApiKey['role'][];
export type KeyRole = (typeof ROLES)[number];

export const WEBHOOK_FORMATS = ['standard', 'zenoti'] as const satisfies readonly WebhookEndpoint['format'][];
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * The event types an endpoint may ask for (API.md "Webhooks"), in the order the screen offers them; checked
 * against the answer's enum, so that a type the server adds or drops shows up here as a type error.
 */
export const WEBHOOK_EVENT_TYPES = [
  'package.sold',
  'package.imported',
  'package.redeemed',
  'package.held',
  'package.committed',
  'package.released',
  'package.hold_expired',
  'package.reversed',
  'package.frozen',
  'package.unfrozen',
  'package.extended',
  'package.adjusted',
  'package.cancelled',
  'package.expired',
  'package.expiring_soon',
] as const satisfies readonly WebhookEndpoint['eventTypes'][number][];
// …and every type the server answers is offered.
const everyEventTypeOffered: [Exclude<WebhookEndpoint['eventTypes'][number], (typeof WEBHOOK_EVENT_TYPES)[number]>] extends [never] ? true : never = true;
void everyEventTypeOffered;

export const MESSAGE_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const satisfies readonly WebhookMessage['status'][];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A page of the message log; the log's default page is the API's 50. */
const MESSAGE_PAGE_SIZE = 25;

export const adminKeys = {
  webhook: (c: string, endpointId: string) => [...keys.webhooks(c), endpointId, 'endpoint'] as const,
  webhookList: (c: string) => [...keys.webhooks(c), 'list'] as const,
};

/** The reads, as query options: `useQuery(adminReads(api).apiKeys())`. */
export function adminReads(api: Api) {
  const c = api.companyId;
  const { http } = api;
  const companyId = c;
  return {
    /** Every key of the company, revoked ones included (the API lists them with their revokeTime). */
    apiKeys: () =>
      queryOptions({
        queryKey: keys.apiKeys(c),
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/apiKeys`, { params: { path: { companyId }, query: withoutEmpty({ pageSize: 500, pageToken }) }, signal }));
            return { items: r.apiKeys, nextPageToken: r.nextPageToken };
          }),
      }),
    webhooks: () =>
      queryOptions({
        queryKey: adminKeys.webhookList(c),
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/webhookEndpoints`, { params: { path: { companyId }, query: withoutEmpty({ pageSize: 500, pageToken }) }, signal }));
            return { items: r.webhookEndpoints, nextPageToken: r.nextPageToken };
          }),
      }),
    webhook: (endpointId: string) =>
      queryOptions({
        queryKey: adminKeys.webhook(c, endpointId),
        queryFn: ({ signal }) => call(http.GET(`${C}/webhookEndpoints/{endpointId}`, { params: { path: { companyId, endpointId } }, signal })),
      }),
    /**
     * An endpoint's messages, newest first, a page at a time ("Show more"); status '' means all. While a message
     * is still PENDING the log asks again every few seconds, so a delivery shows up without a reload.
     */
    webhookMessages: (endpointId: string, status: MessageStatus | '') =>
      infiniteQueryOptions({
        queryKey: keys.webhookMessages(c, endpointId, status),
        initialPageParam: '',
        getNextPageParam: (last: WebhookMessageList) => last.nextPageToken || undefined,
        queryFn: ({ signal, pageParam }) =>
          call(
            http.GET(`${C}/webhookEndpoints/{endpointId}/messages`, {
              params: {
                path: { companyId, endpointId },
                query: { pageSize: String(MESSAGE_PAGE_SIZE), ...(pageParam ? { pageToken: pageParam } : {}), ...(status ? { status } : {}) },
              },
              signal,
            }),
          ),
        refetchInterval: (query) => (query.state.data?.pages.some((p) => p.messages.some((m) => m.status === 'PENDING')) ? 2_000 : false),
      }),
    webhookAttempts: (endpointId: string, messageId: string) =>
      queryOptions({
        queryKey: keys.webhookAttempts(c, endpointId, messageId),
        queryFn: ({ signal }) =>
          call(http.GET(`${C}/webhookEndpoints/{endpointId}/messages/{messageId}/attempts`, { params: { path: { companyId, endpointId, messageId } }, signal })).then((r) => r.attempts),
      }),
  };
}

/** The changes; after each one that succeeds the screen calls `changed.admin()`. */
export function adminChanges(api: Api) {
  const { http } = api;
  const companyId = api.companyId;
  const endpoint = (endpointId: string) => ({ path: { companyId, endpointId } });
  return {
    /** The answer is the only time the key's text is shown. */
    createApiKey: (body: ApiKeyInput) => call(http.POST(`${C}/apiKeys`, { params: { path: { companyId } }, body })),
    revokeApiKey: (keyId: string) => call(http.DELETE(`${C}/apiKeys/{keyId}`, { params: { path: { companyId, keyId } } })),
    /** The answer is the only time the signing secret is shown. */
    createWebhook: (body: WebhookEndpointInput) => call(http.POST(`${C}/webhookEndpoints`, { params: { path: { companyId } }, body })),
    updateWebhook: (endpointId: string, body: WebhookEndpointChange) => call(http.PATCH(`${C}/webhookEndpoints/{endpointId}`, { params: endpoint(endpointId), body })),
    deleteWebhook: (endpointId: string) => call(http.DELETE(`${C}/webhookEndpoints/{endpointId}`, { params: endpoint(endpointId) })),
    /** A new secret, shown in this answer only; the old one keeps signing for 24 hours. */
    rotateSecret: (endpointId: string) => call(http.POST(`${C}/webhookEndpoints/{endpointId}:rotateSecret`, { params: endpoint(endpointId) })),
    /** Queues one webhook.test message (202). */
    sendTest: (endpointId: string) => call(http.POST(`${C}/webhookEndpoints/{endpointId}:test`, { params: endpoint(endpointId) })),
    /** Sends a message again with the same webhook-id (202). */
    redeliver: (endpointId: string, messageId: string) =>
      call(http.POST(`${C}/webhookEndpoints/{endpointId}/messages/{messageId}:redeliver`, { params: { path: { companyId, endpointId, messageId } } })),
  };
}
