// The native API's JSON, named for the screens: every shape here is read from the generated client's schema
// (clients/typescript, from /openapi.json), so a change to a route's schema shows up here as a type error.
import type { components, paths } from '@punchcard/client';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON of an operation's success answer (200 or 201). */
export type Answer<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: { content: { 'application/json': infer T } } }
      ? T
      : R extends { 201: { content: { 'application/json': infer T } } }
        ? T
        : never
    : never;

/** The JSON body an operation takes. */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** The query parameters an operation takes. */
export type Query<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type C = '/v1/companies/{companyId}';

export type Money = components['schemas']['Money'];
export type Me = Answer<'/v1/me', 'get'>;
export type Role = Me['role'];
export type Business = Answer<`${C}/businesses/{businessId}`, 'get'>;
export type Customer = Answer<`${C}/customers/{customerId}`, 'get'>;
export type CustomerInput = Body<`${C}/customers/{customerId}`, 'put'>;
export type Staff = Answer<`${C}/staff/{staffId}`, 'get'>;
export type Service = Answer<`${C}/services/{serviceId}`, 'get'>;
export type ServiceInput = Body<`${C}/services/{serviceId}`, 'put'>;
export type Product = Answer<`${C}/products/{productId}`, 'get'>;
export type ProductInput = Body<`${C}/products/{productId}`, 'put'>;

export type PackageTemplate = components['schemas']['PackageTemplate'];
export type TemplateInput = Body<`${C}/packageTemplates`, 'post'>;
export type TemplateChange = Body<`${C}/packageTemplates/{templateId}`, 'patch'>;
export type Validity = PackageTemplate['validity'];
export type TemplateType = PackageTemplate['type'];
export type Activation = PackageTemplate['activation'];
export type TemplateItem = PackageTemplate['items'][number];
export type TemplateProductItem = PackageTemplate['productItems'][number];

export type PackageDetail = components['schemas']['PackageDetail'];
export type PackageInfo = PackageDetail['packageInfo'];
export type PackageService = PackageDetail['packageServices'][number];
export type PackageProduct = PackageDetail['packageProducts'][number];
export type Lifecycle = PackageDetail['lifecycle'];
export type Redemption = components['schemas']['Redemption'];
export type RedemptionStatus = Redemption['status'];
export type RedemptionResult = Answer<`${C}/packages/{packageId}:redeem`, 'post'>;
export type RedeemBody = Body<`${C}/packages/{packageId}:redeem`, 'post'>;
export type SellBody = Body<`${C}/packages:sell`, 'post'>;
export type FreezeBody = Body<`${C}/packages/{packageId}:freeze`, 'post'>;
export type AdjustBody = Body<`${C}/packages/{packageId}:adjust`, 'post'>;
export type CancelBody = Body<`${C}/packages/{packageId}:cancel`, 'post'>;
export type RefundSpec = CancelBody['refund'];
export type CancelResult = Answer<`${C}/packages/{packageId}:cancel`, 'post'>;
export type PackageEvent = components['schemas']['PackageEvent'];
export type EventType = PackageEvent['type'];

export type LiabilityReport = Answer<`${C}/reports/liability`, 'get'>;
export type LiabilityLine = LiabilityReport['businesses'][number];
export type RedemptionsPerDay = Answer<`${C}/reports/redemptionsPerDay`, 'get'>;
export type RedemptionList = Answer<`${C}/redemptions`, 'get'>;
export type ListedRedemption = RedemptionList['redemptions'][number];

export type ImportSummary = Answer<`${C}/packages:import`, 'post'>;

export type ApiKey = Answer<`${C}/apiKeys`, 'get'>['apiKeys'][number];
export type CreatedApiKey = Answer<`${C}/apiKeys`, 'post'>;
export type WebhookEndpoint = Answer<`${C}/webhookEndpoints/{endpointId}`, 'get'>;
export type CreatedWebhookEndpoint = Answer<`${C}/webhookEndpoints`, 'post'>;
export type WebhookMessage = Answer<`${C}/webhookEndpoints/{endpointId}/messages`, 'get'>['messages'][number];
export type WebhookAttempt = Answer<`${C}/webhookEndpoints/{endpointId}/messages/{messageId}/attempts`, 'get'>['attempts'][number];
export type ApiKeyInput = Body<`${C}/apiKeys`, 'post'>;
export type WebhookEndpointInput = Body<`${C}/webhookEndpoints`, 'post'>;
export type WebhookEndpointChange = Body<`${C}/webhookEndpoints/{endpointId}`, 'patch'>;
export type RotatedWebhookSecret = Answer<`${C}/webhookEndpoints/{endpointId}:rotateSecret`, 'post'>;
export type WebhookMessageList = Answer<`${C}/webhookEndpoints/{endpointId}/messages`, 'get'>;

/** google.rpc.Status as every native error answers. */
export type RpcStatus = components['schemas']['Status'];

/** A file the API answered, ready to save. */
export interface Download {
  blob: Blob;
  /** The name the server suggests (Content-Disposition), or ''. */
  serverFilename: string;
}
