// MoeGo's two list requests, read from any of the shapes its clients send (the seed's JSON, the older
// `{pagination, companyId, businessId?, customerId}`, snake_case names, or the protobuf messages) into one
// query each, so the HTTP routes and the gRPC service cannot drift apart.
import { invalidArgument } from '../../domain/errors.js';
import { isValidId } from '../../domain/reference.js';
import type { PageRequest } from '../../application/paging.js';
import { parsePageRequest } from '../../application/paging.js';
import type { ListPackageDetailsRequest, ListPackagesRequest } from '../../gen/moego/business/package/v1/package_service_pb.js';

export const MAX_IDS = 500;

export interface ListPackagesQuery {
  readonly companyId: string;
  readonly customerIds: readonly string[];
  readonly businessId?: string;
  readonly page: PageRequest;
}

export interface ListPackageDetailsQuery {
  readonly companyId: string;
  readonly packageIds: readonly string[];
  readonly businessId?: string;
  readonly page: PageRequest;
}

/** The fields both requests share, already merged from camelCase and snake_case. */
interface Common {
  readonly pageSize: unknown;
  readonly pageToken: unknown;
  readonly companyId: unknown;
  readonly businessId: unknown;
}

const PAGE_FIELDS = { size: 'pagination.pageSize', token: 'pagination.pageToken' };

function common(c: Common): { companyId: string; businessId?: string; page: PageRequest } {
  // MoeGo marks pagination required; we read its absence as the defaults (first page of 50), as the proto says.
  const page = parsePageRequest(c.pageSize, c.pageToken, PAGE_FIELDS);
  if (c.companyId === undefined || c.companyId === null || c.companyId === '') throw invalidArgument('companyId', 'is required');
  const companyId = requireId(c.companyId, 'companyId');
  const businessId = c.businessId === undefined || c.businessId === null || c.businessId === '' ? undefined : requireId(c.businessId, 'businessId');
  return businessId === undefined ? { companyId, page } : { companyId, businessId, page };
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isValidId(value)) throw invalidArgument(field, 'must be an id of 1–64 characters of A–Z, a–z, 0–9, _ and -');
  return value;
}

function idList(values: unknown, field: string, what: string): string[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw invalidArgument(field, `must be a list of ${what} ids`);
  if (values.length > MAX_IDS) throw invalidArgument(field, `at most ${MAX_IDS} ids`);
  return values.map((v, i) => requireId(v, `${field}[${i}]`));
}

type Json = Record<string, unknown>;

const pick = (o: Json, camel: string, snake: string): unknown => (o[camel] !== undefined && o[camel] !== null ? o[camel] : o[snake]);

function commonFromJson(body: Json): Common {
  const pagination = body['pagination'];
  if (pagination !== undefined && pagination !== null && (typeof pagination !== 'object' || Array.isArray(pagination))) {
    throw invalidArgument('pagination', 'must be an object {pageSize, pageToken}');
  }
  const p = (pagination ?? {}) as Json;
  return {
    pageSize: pick(p, 'pageSize', 'page_size'),
    pageToken: pick(p, 'pageToken', 'page_token'),
    companyId: pick(body, 'companyId', 'company_id'),
    businessId: pick(body, 'businessId', 'business_id'),
  };
}

function asObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('body', 'must be a JSON object');
  return body as Json;
}

function customersOf(single: unknown, many: string[]): ListPackagesQuery['customerIds'] {
  const ids = single === undefined || single === null || single === '' ? many : [...many, requireId(single, 'customerId')];
  if (ids.length === 0) throw invalidArgument('customerIds', 'name at least one customer (customerIds or customerId)');
  const unique = [...new Set(ids)];
  if (unique.length > MAX_IDS) throw invalidArgument('customerIds', `at most ${MAX_IDS} ids`);
  return unique;
}

function packageIdsOf(ids: string[]): string[] {
  if (ids.length === 0) throw invalidArgument('packageIds', 'name at least one package');
  return ids;
}

/** ListPackages from HTTP JSON: the seed's `customerIds`, MoeGo's older `customerId`, either naming style. */
export function listPackagesQueryFromJson(raw: unknown): ListPackagesQuery {
  const body = asObject(raw);
  const many = idList(pick(body, 'customerIds', 'customer_ids'), 'customerIds', 'customer');
  return { ...common(commonFromJson(body)), customerIds: customersOf(pick(body, 'customerId', 'customer_id'), many) };
}

/** ListPackageDetails from HTTP JSON. */
export function listPackageDetailsQueryFromJson(raw: unknown): ListPackageDetailsQuery {
  const body = asObject(raw);
  const ids = idList(pick(body, 'packageIds', 'package_ids'), 'packageIds', 'package');
  return { ...common(commonFromJson(body)), packageIds: packageIdsOf(ids) };
}

// A request without pagination gets the defaults; a pagination given with page_size 0 is refused, as MoeGo's
// validation rules (page_size > 0) refuse it: on the wire an unset int32 is 0.
const pageOfMessage = (p: ListPackagesRequest['pagination']) => ({
  pageSize: p ? p.pageSize : undefined,
  pageToken: p?.pageToken ?? '',
});

/** ListPackages from the protobuf message: customer_id (4, MoeGo's files) and customer_ids (5) together. */
export function listPackagesQueryFromMessage(req: ListPackagesRequest): ListPackagesQuery {
  const many = idList(req.customerIds, 'customerIds', 'customer');
  const c = common({ ...pageOfMessage(req.pagination), companyId: req.companyId, businessId: req.businessId });
  return { ...c, customerIds: customersOf(req.customerId, many) };
}

/** ListPackageDetails from the protobuf message (business_id "" means any). */
export function listPackageDetailsQueryFromMessage(req: ListPackageDetailsRequest): ListPackageDetailsQuery {
  const ids = idList(req.packageIds, 'packageIds', 'package');
  const c = common({ ...pageOfMessage(req.pagination), companyId: req.companyId, businessId: req.businessId });
  return { ...c, packageIds: packageIdsOf(ids) };
}
