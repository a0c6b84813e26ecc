// A typed client for Punchcard's native API (/v1/…, camelCase JSON, google.rpc.Status errors).
import type {
  Business,
  Customer,
  Download,
  ImportSummary,
  LiabilityReport,
  Lifecycle,
  Me,
  Money,
  PackageDetail,
  PackageEvent,
  PackageTemplate,
  Product,
  RedemptionResult,
  RedemptionsPerDay,
  RefundSpec,
  RpcStatus,
  Service,
  Staff,
  TemplateInput,
} from './types';

const CODE_NAMES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** A failed call: the API's own message, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    /** The HTTP status, or 0 when no answer came (offline, timed out). */
    readonly status: number,
    /** The google.rpc code name (FAILED_PRECONDITION…), or NETWORK / TIMEOUT. */
    readonly code: string,
    message: string,
    /** ErrorInfo.reason (PACKAGE_FROZEN…), or ''. */
    readonly reason = '',
    readonly fieldViolations: { field: string; description: string }[] = [],
    /** ErrorInfo.metadata (packageId, serviceId, remaining…), or {}. */
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Worth trying again as it is (with the same idempotency key): nothing was refused on its merits. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500 || this.reason === 'IDEMPOTENCY_KEY_IN_USE';
  }
}

/** A fresh idempotency key. crypto.randomUUID needs a secure context; a tablet on http://192.168… is not one. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export interface ClientOptions {
  key: string;
  companyId?: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  /** A call with no answer after this long fails with TIMEOUT (default 20 s). */
  timeoutMs?: number;
  /** Told when the API says the key is not (or no longer) valid. */
  onUnauthenticated?: () => void;
}

interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** A body sent as it is (a file) with its own content type, instead of JSON. */
  rawBody?: { data: Blob | string; contentType: string };
  /** The answer is a file: resolve with it (a Blob) instead of JSON. */
  asFile?: boolean;
  /** Overrides the client's timeout for this call (a big upload takes longer). */
  timeoutMs?: number;
}

/** An import of up to 50 MB is sent and checked in one request: give it time. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

/** The filename a Content-Disposition header suggests, or ''. */
function filenameOf(disposition: string | null): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  if (!m?.[1]) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

const enc = encodeURIComponent;

export class PunchcardClient {
  companyId: string;
  private readonly key: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly onUnauthenticated?: () => void;

  constructor(options: ClientOptions) {
    this.key = options.key;
    this.companyId = options.companyId ?? '';
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.onUnauthenticated = options.onUnauthenticated;
  }

  /** One call. Resolves with the JSON answer; rejects with an ApiError. */
  async request<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const url = new URL(this.baseUrl + path, window.location.origin);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: options.asFile ? '*/*' : 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.rawBody) headers['content-type'] = options.rawBody.contentType;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs ?? this.timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    let response: Response;
    try {
      response = await this.fetchImpl(url.toString(), {
        method,
        headers,
        body: options.rawBody ? options.rawBody.data : options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error; // the caller gave up: not an error to show
      if (timedOut) throw new ApiError(0, 'TIMEOUT', 'The server did not answer in time. Check the connection and try again.');
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check the connection and try again.');
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }

    if (response.ok && options.asFile) {
      // A streamed file can be cut short (the server lost its database halfway): that is no file to save.
      const blob = await response.blob().catch(() => {
        throw new ApiError(0, 'NETWORK', 'The download was cut short. Check the connection and try again.');
      });
      return { blob, serverFilename: filenameOf(response.headers.get('content-disposition')) } satisfies Download as T;
    }

    const text = await response.text().catch(() => '');
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (response.ok) return json as T;

    const status = json as Partial<RpcStatus> | undefined;
    const info = status?.details?.find((d) => d['@type']?.endsWith('ErrorInfo'));
    const badRequest = status?.details?.find((d) => d['@type']?.endsWith('BadRequest'));
    const code = (typeof status?.code === 'number' && CODE_NAMES[status.code]) || `HTTP_${response.status}`;
    const message =
      typeof status?.message === 'string' && status.message
        ? status.message
        : response.status >= 500
          ? `The server had a problem (HTTP ${response.status}). Try again in a moment.`
          : `The request failed (HTTP ${response.status}).`;
    if (response.status === 401) this.onUnauthenticated?.();
    throw new ApiError(response.status, code, message, info?.reason ?? '', badRequest?.fieldViolations ?? [], info?.metadata ?? {});
  }

  private c(path: string): string {
    return `/v1/companies/${enc(this.companyId)}${path}`;
  }

  /** Every page of a list, for the small lists (businesses, catalog) a screen shows whole. */
  private async all<T>(path: string, listKey: string, query: CallOptions['query'] = {}, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    let pageToken = '';
    for (let page = 0; page < 40; page++) {
      const r = await this.request<Record<string, unknown> & { nextPageToken: string }>('GET', path, { query: { ...query, pageSize: 500, pageToken }, signal });
      out.push(...((r[listKey] as T[]) ?? []));
      pageToken = r.nextPageToken;
      if (!pageToken) break;
    }
    return out;
  }

  me(signal?: AbortSignal) {
    return this.request<Me>('GET', '/v1/me', { signal });
  }

  // Reference data
  businesses(signal?: AbortSignal) {
    return this.all<Business>(this.c('/businesses'), 'businesses', {}, signal);
  }
  upsertBusiness(id: string, body: { name: string; timeZone: string; currencyCode: string }) {
    return this.request<Business>('PUT', this.c(`/businesses/${enc(id)}`), { body });
  }
  searchCustomers(query: string, options: { pageToken?: string; pageSize?: number; signal?: AbortSignal } = {}) {
    return this.request<{ customers: Customer[]; nextPageToken: string }>('GET', this.c('/customers'), {
      query: { query, pageToken: options.pageToken, pageSize: options.pageSize ?? 20 },
      signal: options.signal,
    });
  }
  customer(id: string, signal?: AbortSignal) {
    return this.request<Customer>('GET', this.c(`/customers/${enc(id)}`), { signal });
  }
  upsertCustomer(id: string, body: { firstName: string; lastName: string; email?: string | null; phone?: string | null }) {
    return this.request<Customer>('PUT', this.c(`/customers/${enc(id)}`), { body });
  }
  staff(signal?: AbortSignal) {
    return this.all<Staff>(this.c('/staff'), 'staff', {}, signal);
  }
  services(signal?: AbortSignal) {
    return this.all<Service>(this.c('/services'), 'services', {}, signal);
  }
  upsertService(id: string, body: { name: string; durationMinutes: number; price: Money; businessIds?: string[] }) {
    return this.request<Service>('PUT', this.c(`/services/${enc(id)}`), { body });
  }
  products(signal?: AbortSignal) {
    return this.all<Product>(this.c('/products'), 'products', {}, signal);
  }
  upsertProduct(id: string, body: { name: string; price: Money; businessIds?: string[] }) {
    return this.request<Product>('PUT', this.c(`/products/${enc(id)}`), { body });
  }

  // Catalog
  templates(includeArchived = false, signal?: AbortSignal) {
    return this.all<PackageTemplate>(this.c('/packageTemplates'), 'packageTemplates', { includeArchived }, signal);
  }
  createTemplate(body: TemplateInput) {
    return this.request<PackageTemplate>('POST', this.c('/packageTemplates'), { body });
  }
  updateTemplate(id: string, body: Partial<TemplateInput>) {
    return this.request<PackageTemplate>('PATCH', this.c(`/packageTemplates/${enc(id)}`), { body });
  }
  archiveTemplate(id: string) {
    return this.request<PackageTemplate>('POST', this.c(`/packageTemplates/${enc(id)}:archive`), { body: {} });
  }

  // Packages
  customerPackages(customerId: string, options: { pageToken?: string; signal?: AbortSignal } = {}) {
    return this.request<{ packages: PackageDetail[]; nextPageToken: string }>('GET', this.c(`/customers/${enc(customerId)}/packages`), {
      query: { pageToken: options.pageToken, pageSize: 50 },
      signal: options.signal,
    });
  }
  package(id: string, signal?: AbortSignal) {
    return this.request<PackageDetail>('GET', this.c(`/packages/${enc(id)}`), { signal });
  }
  sell(body: { templateId: string; customerId: string; businessId: string; staffId?: string; price?: Money; invoice?: { no?: string } }, idempotencyKey: string) {
    return this.request<PackageDetail>('POST', this.c('/packages:sell'), { body, idempotencyKey });
  }
  redeem(packageId: string, body: RedeemBody, idempotencyKey: string) {
    return this.request<RedemptionResult>('POST', this.c(`/packages/${enc(packageId)}:redeem`), { body, idempotencyKey });
  }
  /** Auto-apply: the customer's redeemable package that expires first. */
  redeemForCustomer(customerId: string, body: RedeemBody, idempotencyKey: string) {
    return this.request<RedemptionResult>('POST', this.c(`/customers/${enc(customerId)}/packages:redeem`), { body, idempotencyKey });
  }
  commitHold(redemptionId: string, idempotencyKey: string) {
    return this.request<RedemptionResult>('POST', this.c(`/redemptions/${enc(redemptionId)}:commit`), { body: {}, idempotencyKey });
  }
  releaseHold(redemptionId: string, idempotencyKey: string) {
    return this.request<RedemptionResult>('POST', this.c(`/redemptions/${enc(redemptionId)}:release`), { body: {}, idempotencyKey });
  }
  reverse(redemptionId: string, reason: string, idempotencyKey: string) {
    return this.request<RedemptionResult>('POST', this.c(`/redemptions/${enc(redemptionId)}:reverse`), { body: { reason }, idempotencyKey });
  }
  freeze(packageId: string, body: { startDate?: string; endDate?: string; reason?: string }, idempotencyKey: string) {
    return this.request<PackageDetail>('POST', this.c(`/packages/${enc(packageId)}:freeze`), { body, idempotencyKey });
  }
  unfreeze(packageId: string, idempotencyKey: string) {
    return this.request<PackageDetail>('POST', this.c(`/packages/${enc(packageId)}:unfreeze`), { body: {}, idempotencyKey });
  }
  extend(packageId: string, expirationDate: string, idempotencyKey: string) {
    return this.request<PackageDetail>('POST', this.c(`/packages/${enc(packageId)}:extend`), { body: { expirationDate }, idempotencyKey });
  }
  adjust(packageId: string, body: { packageServiceId: string; delta: number; reason: string }, idempotencyKey: string) {
    return this.request<PackageDetail>('POST', this.c(`/packages/${enc(packageId)}:adjust`), { body, idempotencyKey });
  }
  /** What :cancel would refund now, from the server's one refund rule: a mode, or an amount as a decimal. */
  refundPreview(packageId: string, refund: { refund: 'NONE' | 'FULL' | 'PRORATED' } | { amount: string }, signal?: AbortSignal) {
    return this.request<{ refund: Money }>('GET', this.c(`/packages/${enc(packageId)}:refundPreview`), { query: refund, signal });
  }

  cancel(packageId: string, body: { refund: RefundSpec; reason: string }, idempotencyKey: string) {
    return this.request<{ package: PackageDetail; refund: Money }>('POST', this.c(`/packages/${enc(packageId)}:cancel`), { body, idempotencyKey });
  }
  events(packageId: string, options: { pageToken?: string; signal?: AbortSignal } = {}) {
    return this.request<{ events: PackageEvent[]; nextPageToken: string }>('GET', this.c(`/packages/${enc(packageId)}/events`), {
      query: { pageToken: options.pageToken, pageSize: 200 },
      signal: options.signal,
    });
  }

  // Reports
  liability(options: { asOf?: string; businessId?: string; from?: string; to?: string; signal?: AbortSignal } = {}) {
    return this.request<LiabilityReport>('GET', this.c('/reports/liability'), {
      query: { asOf: options.asOf, businessId: options.businessId, from: options.from, to: options.to },
      signal: options.signal,
    });
  }
  expiring(withinDays: number, options: { businessId?: string; pageToken?: string; signal?: AbortSignal } = {}) {
    return this.request<{ packages: PackageDetail[]; nextPageToken: string }>('GET', this.c('/packages:expiring'), {
      query: { withinDays, businessId: options.businessId, pageToken: options.pageToken },
      signal: options.signal,
    });
  }
  redemptionsPerDay(days: number, options: { businessId?: string; signal?: AbortSignal } = {}) {
    return this.request<RedemptionsPerDay>('GET', this.c('/reports/redemptionsPerDay'), { query: { days, businessId: options.businessId }, signal: options.signal });
  }

  // Import and export (ADMIN)
  /**
   * Sends a CSV file of packages (API.md "Import and export"). With dryRun nothing is written and the answer is
   * the counts the import would give; a refusal (INVALID_ARGUMENT) lists every bad line in fieldViolations,
   * each `{"field": "line 7: used", "description"}`.
   */
  importPackages(file: Blob | string, options: { dryRun: boolean; signal?: AbortSignal }) {
    return this.request<ImportSummary>('POST', this.c('/packages:import'), {
      query: { dryRun: options.dryRun },
      rawBody: { data: file, contentType: 'text/csv' },
      signal: options.signal,
      timeoutMs: IMPORT_TIMEOUT_MS,
    });
  }
  /** Every package item as CSV in the import's columns; optionally one selling business or one lifecycle. */
  exportPackages(options: { businessId?: string; lifecycle?: Lifecycle; signal?: AbortSignal } = {}) {
    return this.request<Download>('GET', this.c('/packages:export'), {
      query: { businessId: options.businessId, lifecycle: options.lifecycle },
      asFile: true,
      signal: options.signal,
    });
  }
  /** The history of every package, oldest first; from and to are yyyy-MM-dd (UTC) or RFC 3339, to exclusive. */
  exportEvents(options: { format?: 'csv' | 'ndjson'; from?: string; to?: string; signal?: AbortSignal } = {}) {
    return this.request<Download>('GET', this.c('/events:export'), {
      query: { format: options.format ?? 'csv', from: options.from, to: options.to },
      asFile: true,
      signal: options.signal,
    });
  }
}

export interface RedeemBody {
  serviceId: string;
  quantity: number;
  businessId: string;
  staffId?: string;
  appointmentId?: string;
  hold?: boolean;
}
