// The outbox: every history event becomes one message per subscribed endpoint, written in the same transaction
// as the change itself, so a change rolled back sends nothing and one acknowledged is delivered even if the
// process dies the next instant. The dispatcher (webhook-dispatcher.ts) delivers what is written here.
import type { LedgerEvent, Redemption } from '../domain/ledger.js';
import type { WebhookEndpoint, WebhookMessage } from '../domain/webhooks.js';
import { subscribes, webhookTypeOf } from '../domain/webhooks.js';
import { withActorNames, type NamedEvent } from './actor-names.js';
import { newId } from './ids.js';
import type { PackageView } from './package-tx.js';
import type { ReadRepos, Repos } from './ports.js';

/** One message's type (as the log shows it) and its body, given the message's id (Zenoti's envelope holds it). */
export interface RenderedMessage {
  readonly type: string;
  readonly body: (messageId: string) => string;
}

/**
 * How an endpoint's messages look, by its format (implemented by the transport, which owns the JSON shapes).
 * `repos` reads what a body names (business names, the catalog) inside the change's transaction.
 */
export interface WebhookRenderer {
  /**
   * The messages one history event becomes for an endpoint of this format (none, one, or Zenoti's status and
   * validity updates); the same for every endpoint of the format.
   */
  forEvent(endpoint: WebhookEndpoint, event: NamedEvent, view: PackageView, repos: ReadRepos, redemptions: ReadonlyMap<string, Redemption>): Promise<RenderedMessage[]>;
  /** package.expiring_soon for a package. */
  expiringSoon(endpoint: WebhookEndpoint, view: PackageView, repos: ReadRepos, at: number): Promise<RenderedMessage[]>;
  /** webhook.test for an endpoint. */
  test(endpoint: WebhookEndpoint, at: number): RenderedMessage;
}

/** A new pending message, due at once. */
export function pendingMessage(endpoint: WebhookEndpoint, rendered: RenderedMessage, now: number, ids: { eventId: string | null; packageId: string | null }): WebhookMessage {
  const id = newId('webhookMessage');
  return {
    companyId: endpoint.companyId,
    id,
    endpointId: endpoint.id,
    type: rendered.type,
    eventId: ids.eventId,
    packageId: ids.packageId,
    body: rendered.body(id),
    status: 'PENDING',
    attempts: 0,
    roundAttempts: 0,
    createTime: now,
    nextAttemptTime: now,
    lastAttemptTime: null,
    lastResponseStatus: 0,
  };
}

export class Outbox {
  constructor(private readonly renderer: WebhookRenderer) {}

  /**
   * The messages for these events of one package, for the transaction that made them to write with the
   * package's state. `redemptions` are the ones the change knows already (its new ones, the holds it found), so
   * a payload need not read them again.
   */
  async messagesFor(repos: ReadRepos, view: PackageView, events: readonly LedgerEvent[], now: number, redemptions: ReadonlyMap<string, Redemption> = new Map()): Promise<WebhookMessage[]> {
    if (events.length === 0) return [];
    const companyId = view.pkg.companyId;
    const endpoints = await repos.webhookEndpoints.listEnabled(companyId);
    const listening = endpoints.filter((e) => events.some((ev) => subscribes(e, webhookTypeOf(ev.type))));
    if (listening.length === 0) return [];
    const named = await withActorNames(repos, companyId, events);
    const messages: WebhookMessage[] = [];
    for (const event of named) {
      // What a message says depends on the event and the format, not on the endpoint: render once per format.
      const byFormat = new Map<string, RenderedMessage[]>();
      for (const endpoint of listening.filter((e) => subscribes(e, webhookTypeOf(event.type)))) {
        let rendered = byFormat.get(endpoint.format);
        if (!rendered) byFormat.set(endpoint.format, (rendered = await this.renderer.forEvent(endpoint, event, view, repos, redemptions)));
        for (const r of rendered) messages.push(pendingMessage(endpoint, r, now, { eventId: event.id, packageId: view.pkg.id }));
      }
    }
    return messages;
  }

  /** Writes package.expiring_soon for a package, once per expiration date; whether it was new. */
  async expiringSoon(repos: Repos, view: PackageView, expirationDate: string, now: number): Promise<boolean> {
    const companyId = view.pkg.companyId;
    if (!(await repos.expiringNotices.record(companyId, view.pkg.id, expirationDate, now))) return false;
    const endpoints = (await repos.webhookEndpoints.listEnabled(companyId)).filter((e) => subscribes(e, 'package.expiring_soon'));
    const messages: WebhookMessage[] = [];
    for (const endpoint of endpoints) {
      for (const rendered of await this.renderer.expiringSoon(endpoint, view, repos, now)) {
        messages.push(pendingMessage(endpoint, rendered, now, { eventId: null, packageId: view.pkg.id }));
      }
    }
    await repos.webhookMessages.insert(messages);
    return true;
  }

  /** A webhook.test message for one endpoint. */
  test(endpoint: WebhookEndpoint, now: number): WebhookMessage {
    return pendingMessage(endpoint, this.renderer.test(endpoint, now), now, { eventId: null, packageId: null });
  }
}
