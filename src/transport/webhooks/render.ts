// What a webhook message says, by its endpoint's format: the `standard` body (the history event and the package
// detail after it, as the native API shows them) or Zenoti's guest-package envelope. The outbox asks this inside
// the change's transaction; every retry sends the same bytes.
import type { NamedEvent } from '../../application/actor-names.js';
import type { PackageView } from '../../application/package-tx.js';
import type { ReadRepos } from '../../application/ports.js';
import type { GenerationCache } from '../../application/generation-cache.js';
import type { RenderedMessage, WebhookRenderer } from '../../application/webhook-outbox.js';
import { formatInstant } from '../../domain/calendar.js';
import type { Redemption } from '../../domain/ledger.js';
import { expirationDate } from '../../domain/package.js';
import { TEST_EVENT_TYPE, webhookTypeOf } from '../../domain/webhooks.js';
import { presentEvent, presentPackage } from '../native/package-presenters.js';
import type { WebhookCatalog } from '../zenoti/webhook-json.js';
import { zenotiEventTypesOf, zenotiWebhookData } from '../zenoti/webhook-json.js';

/** The standard body: the same bytes for every endpoint and every attempt, so it is made once. */
function standard(type: string, timestamp: number, data: unknown): RenderedMessage {
  const body = JSON.stringify({ type, timestamp: formatInstant(timestamp), data });
  return { type, body: () => body };
}

/** Reference records a payload names, kept while the store's change generation holds (as the API's reads do). */
export interface ReferenceMemo {
  readonly cache: GenerationCache<{}>;
  readonly generation: () => number | null;
}

/** These records of one kind, from the memo where it has them and from the transaction's reads otherwise. */
async function recordsOf<T extends { id: string }>(memo: ReferenceMemo | undefined, kind: string, companyId: string, ids: readonly string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length === 0) return [];
  const generation = memo?.generation() ?? null;
  const found: T[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const hit = memo?.cache.get(`${kind}/${companyId}/${id}`, generation) as T | undefined;
    if (hit) found.push(hit);
    else missing.push(id);
  }
  if (missing.length > 0) {
    for (const r of await read(missing)) {
      found.push(r);
      if (memo && generation !== null) memo.cache.set(`${kind}/${companyId}/${r.id}`, r, generation);
    }
  }
  return found;
}

/** The reference data a Zenoti payload names, read once for the event. */
async function catalogOf(repos: ReadRepos, memo: ReferenceMemo | undefined, view: PackageView, event: NamedEvent, visit: Redemption | undefined): Promise<WebhookCatalog> {
  const { companyId, items } = view.pkg;
  const refIds = (kind: 'SERVICE' | 'PRODUCT') => [...new Set(items.filter((i) => i.kind === kind).flatMap((i) => i.choices.map((c) => c.id)))];
  const businessIds = [...new Set([view.pkg.businessId, ...(visit ? [visit.businessId] : [])])];
  const [businesses, services, products, staff] = await Promise.all([
    recordsOf(memo, 'business', companyId, businessIds, (ids) => repos.businesses.getMany(companyId, ids)),
    recordsOf(memo, 'service', companyId, refIds('SERVICE'), (ids) => repos.services.getMany(companyId, ids)),
    recordsOf(memo, 'product', companyId, refIds('PRODUCT'), (ids) => repos.products.getMany(companyId, ids)),
    recordsOf(memo, 'staff', companyId, event.actorStaffId === null ? [] : [event.actorStaffId], (ids) => repos.staff.getMany(companyId, ids)),
  ]);
  return {
    businessNames: new Map(businesses.map((b) => [b.id, b.name])),
    timeZones: new Map(businesses.map((b) => [b.id, b.timeZone])),
    services: new Map(services.map((s) => [s.id, s])),
    products: new Map(products.map((p) => [p.id, p])),
    staffNames: new Map(staff.map((s) => [s.id, `${s.firstName} ${s.lastName}`.trim()])),
  };
}

async function zenotiMessages(event: NamedEvent, view: PackageView, repos: ReadRepos, known: ReadonlyMap<string, Redemption>, memo: ReferenceMemo | undefined): Promise<RenderedMessage[]> {
  const types = zenotiEventTypesOf(event);
  if (types.length === 0) return [];
  // Where and for which service the visit was: the redemption record knows; the history event names the item.
  const id = event.redemptionId;
  const visit = id === null ? undefined : (known.get(id) ?? (await repos.redemptions.get(view.pkg.companyId, id)));
  const catalog = await catalogOf(repos, memo, view, event, visit);
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

/** The renderer; with a memo, Zenoti payloads read the reference data they name only when it changed. */
export const createWebhookRenderer = (memo?: ReferenceMemo): WebhookRenderer => ({
  async forEvent(endpoint, event, view, repos, redemptions) {
    if (endpoint.format === 'zenoti') return zenotiMessages(event, view, repos, redemptions, memo);
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
});

/** Without a memo: every payload reads what it names (tools, tests). */
export const webhookRenderer: WebhookRenderer = createWebhookRenderer();
