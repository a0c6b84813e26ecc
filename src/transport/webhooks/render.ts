// What a webhook message says, by its endpoint's format: the `standard` body (the history event and the package
// detail after it, as the native API shows them) or Zenoti's guest-package envelope. The outbox asks this inside
// the change's transaction; every retry sends the same bytes.
import type { NamedEvent } from '../../application/actor-names.js';
import type { PackageView } from '../../application/package-tx.js';
import type { ReadRepos } from '../../application/ports.js';
import type { RenderedMessage, WebhookRenderer } from '../../application/webhook-outbox.js';
import { formatInstant } from '../../domain/calendar.js';
import type { Redemption } from '../../domain/ledger.js';
import { expirationDate } from '../../domain/package.js';
import type { WebhookEndpoint } from '../../domain/webhooks.js';
import { TEST_EVENT_TYPE, webhookTypeOf } from '../../domain/webhooks.js';
import { presentEvent, presentPackage } from '../native/package-presenters.js';
import type { WebhookCatalog } from '../zenoti/webhook-json.js';
import { zenotiEventTypesOf, zenotiWebhookData } from '../zenoti/webhook-json.js';

/** The standard body: the same bytes for every endpoint and every attempt, so it is made once. */
function standard(type: string, timestamp: number, data: unknown): RenderedMessage {
  const body = JSON.stringify({ type, timestamp: formatInstant(timestamp), data });
  return { type, body: () => body };
}

/** The reference data a Zenoti payload names, read once for the event. */
async function catalogOf(repos: ReadRepos, view: PackageView, event: NamedEvent, visit: Redemption | undefined): Promise<WebhookCatalog> {
  const { companyId, items } = view.pkg;
  const refIds = (kind: 'SERVICE' | 'PRODUCT') => [...new Set(items.filter((i) => i.kind === kind).flatMap((i) => i.choices.map((c) => c.id)))];
  const businessIds = [...new Set([view.pkg.businessId, ...(visit ? [visit.businessId] : [])])];
  const [businesses, services, products, staff] = await Promise.all([
    repos.businesses.getMany(companyId, businessIds),
    repos.services.getMany(companyId, refIds('SERVICE')),
    repos.products.getMany(companyId, refIds('PRODUCT')),
    event.actorStaffId === null ? Promise.resolve([]) : repos.staff.getMany(companyId, [event.actorStaffId]),
  ]);
  return {
    businessNames: new Map(businesses.map((b) => [b.id, b.name])),
    timeZones: new Map(businesses.map((b) => [b.id, b.timeZone])),
    services: new Map(services.map((s) => [s.id, s])),
    products: new Map(products.map((p) => [p.id, p])),
    staffNames: new Map(staff.map((s) => [s.id, `${s.firstName} ${s.lastName}`.trim()])),
  };
}

async function zenotiMessages(endpoint: WebhookEndpoint, event: NamedEvent, view: PackageView, repos: ReadRepos): Promise<RenderedMessage[]> {
  const types = zenotiEventTypesOf(event);
  if (types.length === 0) return [];
  // Where and for which service the visit was: the redemption record knows; the history event names the item.
  const visit = event.redemptionId === null ? undefined : await repos.redemptions.get(view.pkg.companyId, event.redemptionId);
  const catalog = await catalogOf(repos, view, event, visit);
  return types.map((type) => {
    // Only the envelope's id differs between endpoints (it is the message id): the rest is made once.
    const rest = JSON.stringify({
      event_id: event.id,
      event_schema: 'v1',
      event_resource: 'Guest Package',
      event_type: type,
      event_timestamp: formatInstant(event.time),
      data: zenotiWebhookData(type, event, view, catalog, visit),
    });
    return { type, body: (id: string) => `{"id":${JSON.stringify(id)},${rest.slice(1)}` };
  });
}

export const webhookRenderer: WebhookRenderer = {
  async forEvent(endpoint, event, view, repos) {
    if (endpoint.format === 'zenoti') return zenotiMessages(endpoint, event, view, repos);
    const data = { companyId: view.pkg.companyId, packageId: view.pkg.id, event: presentEvent(event), package: presentPackage(view) };
    return [standard(webhookTypeOf(event.type), event.time, data)];
  },
  async expiringSoon(endpoint, view, _repos, at) {
    // Zenoti publishes no such event: its endpoints hear only of its five.
    if (endpoint.format === 'zenoti') return [];
    const data = { companyId: view.pkg.companyId, packageId: view.pkg.id, expirationDate: expirationDate(view.pkg), package: presentPackage(view) };
    return [standard('package.expiring_soon', at, data)];
  },
  test(endpoint, at) {
    return standard(TEST_EVENT_TYPE, at, { companyId: endpoint.companyId, endpointId: endpoint.id });
  },
};
