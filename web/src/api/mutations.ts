// The changes the desk makes, each one call of the generated client. Those that move balance or money take
// the idempotency key that useAction keeps for a retry of the same action.
import { idempotent } from '@punchcard/client';
import { call, download, withoutEmpty, withTimeout, type Api } from './client';
import type {
  AdjustBody,
  CancelBody,
  CustomerInput,
  FreezeBody,
  Lifecycle,
  ProductInput,
  RedeemBody,
  SellBody,
  ServiceInput,
  TemplateChange,
  TemplateInput,
} from './types';

const C = '/v1/companies/{companyId}' as const;

/** An import of up to 50 MB is sent and checked in one request: give it time. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export function changes(api: Api) {
  const { http } = api;
  const companyId = api.companyId;
  const pkg = (packageId: string) => ({ path: { companyId, packageId } });
  const redemption = (redemptionId: string) => ({ path: { companyId, redemptionId } });
  return {
    upsertBusiness: (businessId: string, body: { name: string; timeZone: string; currencyCode: string }) =>
      call(http.PUT(`${C}/businesses/{businessId}`, { params: { path: { companyId, businessId } }, body })),
    upsertCustomer: (customerId: string, body: CustomerInput) => call(http.PUT(`${C}/customers/{customerId}`, { params: { path: { companyId, customerId } }, body })),
    upsertService: (serviceId: string, body: ServiceInput) => call(http.PUT(`${C}/services/{serviceId}`, { params: { path: { companyId, serviceId } }, body })),
    upsertProduct: (productId: string, body: ProductInput) => call(http.PUT(`${C}/products/{productId}`, { params: { path: { companyId, productId } }, body })),
    createTemplate: (body: TemplateInput) => call(http.POST(`${C}/packageTemplates`, { params: { path: { companyId } }, body })),
    updateTemplate: (templateId: string, body: TemplateChange) =>
      call(http.PATCH(`${C}/packageTemplates/{templateId}`, { params: { path: { companyId, templateId } }, body })),
    archiveTemplate: (templateId: string) => call(http.POST(`${C}/packageTemplates/{templateId}:archive`, { params: { path: { companyId, templateId } } })),
    restoreTemplate: (templateId: string) => call(http.POST(`${C}/packageTemplates/{templateId}:restore`, { params: { path: { companyId, templateId } } })),
    archiveService: (serviceId: string) => call(http.POST(`${C}/services/{serviceId}:archive`, { params: { path: { companyId, serviceId } } })),
    restoreService: (serviceId: string) => call(http.POST(`${C}/services/{serviceId}:restore`, { params: { path: { companyId, serviceId } } })),
    archiveProduct: (productId: string) => call(http.POST(`${C}/products/{productId}:archive`, { params: { path: { companyId, productId } } })),
    restoreProduct: (productId: string) => call(http.POST(`${C}/products/{productId}:restore`, { params: { path: { companyId, productId } } })),

    sell: (body: SellBody, key: string) => call(http.POST(`${C}/packages:sell`, { params: { path: { companyId } }, body, headers: idempotent(key) })),
    redeem: (packageId: string, body: RedeemBody, key: string) => call(http.POST(`${C}/packages/{packageId}:redeem`, { params: pkg(packageId), body, headers: idempotent(key) })),
    /** Auto-apply: the customer's redeemable package that expires first. */
    redeemForCustomer: (customerId: string, body: RedeemBody, key: string) =>
      call(http.POST(`${C}/customers/{customerId}/packages:redeem`, { params: { path: { companyId, customerId } }, body, headers: idempotent(key) })),
    commitHold: (redemptionId: string, key: string) =>
      call(http.POST(`${C}/redemptions/{redemptionId}:commit`, { params: redemption(redemptionId), headers: idempotent(key) })),
    releaseHold: (redemptionId: string, key: string) =>
      call(http.POST(`${C}/redemptions/{redemptionId}:release`, { params: redemption(redemptionId), headers: idempotent(key) })),
    reverse: (redemptionId: string, reason: string, key: string) =>
      call(http.POST(`${C}/redemptions/{redemptionId}:reverse`, { params: redemption(redemptionId), body: { reason }, headers: idempotent(key) })),
    freeze: (packageId: string, body: FreezeBody, key: string) => call(http.POST(`${C}/packages/{packageId}:freeze`, { params: pkg(packageId), body, headers: idempotent(key) })),
    unfreeze: (packageId: string, key: string) => call(http.POST(`${C}/packages/{packageId}:unfreeze`, { params: pkg(packageId), headers: idempotent(key) })),
    extend: (packageId: string, expirationDate: string, key: string) =>
      call(http.POST(`${C}/packages/{packageId}:extend`, { params: pkg(packageId), body: { expirationDate }, headers: idempotent(key) })),
    adjust: (packageId: string, body: AdjustBody, key: string) => call(http.POST(`${C}/packages/{packageId}:adjust`, { params: pkg(packageId), body, headers: idempotent(key) })),
    cancel: (packageId: string, body: CancelBody, key: string) => call(http.POST(`${C}/packages/{packageId}:cancel`, { params: pkg(packageId), body, headers: idempotent(key) })),

    /**
     * Sends a CSV file of packages (API.md "Import and export"). With dryRun nothing is written and the answer is
     * the counts the import would give; a refusal (INVALID_ARGUMENT) lists every bad line in fieldViolations,
     * each `{"field": "line 7: used", "description"}`.
     */
    importPackages: (file: Blob | string, options: { dryRun: boolean; signal?: AbortSignal }) =>
      call(
        http.POST(`${C}/packages:import`, {
          params: { path: { companyId }, query: { dryRun: String(options.dryRun) } },
          body: file as never,
          bodySerializer: (b: unknown) => b as BodyInit,
          headers: { 'content-type': 'text/csv' },
          signal: options.signal,
          fetch: withTimeout(IMPORT_TIMEOUT_MS),
        }),
      ),
    /** Every package item as CSV in the import's columns; optionally one selling business or one lifecycle. */
    exportPackages: (options: { businessId?: string; lifecycle?: Lifecycle } = {}) =>
      download(http.GET(`${C}/packages:export`, { params: { path: { companyId }, query: withoutEmpty(options) }, parseAs: 'blob' })),
    /** The history of every package, oldest first; from and to are yyyy-MM-dd (UTC) or RFC 3339, to exclusive. */
    exportEvents: (options: { format?: 'csv' | 'ndjson'; from?: string; to?: string } = {}) =>
      download(http.GET(`${C}/events:export`, { params: { path: { companyId }, query: withoutEmpty({ format: 'csv' as const, ...options }) }, parseAs: 'blob' })),
  };
}

