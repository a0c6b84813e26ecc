// Server state for the desk (TanStack Query): one key per thing the API answers, under the company, so that a
// change invalidates exactly what it can have changed; every read goes through the generated client.
import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import { allPages, call, withoutEmpty, type Api } from './client';
import type { PackageDetail, RedemptionStatus } from './types';

const C = '/v1/companies/{companyId}' as const;

/**
 * The key of everything the desk reads. Whatever a package change can move (its detail, its history, the
 * customer's list, the expiring list, holds, reports, refund previews) lives under `packages`, so one
 * invalidation after a sale, visit or refund refreshes it all.
 */
export const keys = {
  all: (c: string) => [c] as const,
  businesses: (c: string) => [c, 'businesses'] as const,
  staff: (c: string) => [c, 'staff'] as const,
  catalog: (c: string) => [c, 'catalog'] as const,
  services: (c: string, includeArchived = false) => [c, 'catalog', 'services', { includeArchived }] as const,
  products: (c: string, includeArchived = false) => [c, 'catalog', 'products', { includeArchived }] as const,
  templates: (c: string, includeArchived = false) => [c, 'catalog', 'templates', { includeArchived }] as const,
  customers: (c: string) => [c, 'customers'] as const,
  customerSearch: (c: string, query: string, pageSize: number) => [c, 'customers', 'search', { query, pageSize }] as const,
  customer: (c: string, id: string) => [c, 'customers', 'one', id] as const,
  packages: (c: string) => [c, 'packages'] as const,
  package: (c: string, id: string) => [c, 'packages', 'one', id] as const,
  events: (c: string, id: string) => [c, 'packages', 'events', id] as const,
  customerPackages: (c: string, customerId: string) => [c, 'packages', 'customer', customerId] as const,
  expiring: (c: string, withinDays: number, businessId: string) => [c, 'packages', 'expiring', { withinDays, businessId }] as const,
  redemptions: (c: string, filter: RedemptionFilter) => [c, 'packages', 'redemptions', filter] as const,
  refundPreview: (c: string, id: string, spec: RefundAsked) => [c, 'packages', 'refundPreview', id, spec] as const,
  liability: (c: string, period: Period) => [c, 'packages', 'reports', 'liability', period] as const,
  redemptionsPerDay: (c: string, days: number, businessId: string) => [c, 'packages', 'reports', 'perDay', { days, businessId }] as const,
  apiKeys: (c: string) => [c, 'admin', 'apiKeys'] as const,
  webhooks: (c: string) => [c, 'admin', 'webhooks'] as const,
  webhookMessages: (c: string, endpointId: string, status: string) => [c, 'admin', 'webhooks', endpointId, 'messages', { status }] as const,
  webhookAttempts: (c: string, endpointId: string, messageId: string) => [c, 'admin', 'webhooks', endpointId, 'attempts', messageId] as const,
};

export interface Period {
  from?: string;
  to?: string;
  asOf?: string;
}

export interface RedemptionFilter {
  status?: RedemptionStatus;
  businessId?: string;
  from?: string;
  to?: string;
  orderBy?: string;
  pageToken?: string;
}

export type RefundAsked = { refund: 'NONE' | 'FULL' | 'PRORATED' } | { amount: string };

const path = (api: Api) => ({ companyId: api.companyId });

/** The reads, as query options: `useQuery(reads(api).package(id))`. */
export function reads(api: Api) {
  const c = api.companyId;
  const { http } = api;
  return {
    businesses: () =>
      queryOptions({
        queryKey: keys.businesses(c),
        staleTime: 60_000,
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/businesses`, { params: { path: path(api), query: withoutEmpty({ pageSize: 500, pageToken }) }, signal }));
            return { items: r.businesses, nextPageToken: r.nextPageToken };
          }),
      }),
    staff: () =>
      queryOptions({
        queryKey: keys.staff(c),
        staleTime: 60_000,
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/staff`, { params: { path: path(api), query: withoutEmpty({ pageSize: 500, pageToken }) }, signal }));
            return { items: r.staff, nextPageToken: r.nextPageToken };
          }),
      }),
    services: (includeArchived = false) =>
      queryOptions({
        queryKey: keys.services(c, includeArchived),
        staleTime: 30_000,
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/services`, { params: { path: path(api), query: withoutEmpty({ pageSize: 500, pageToken, ...(includeArchived ? { includeArchived } : {}) }) }, signal }));
            return { items: r.services, nextPageToken: r.nextPageToken };
          }),
      }),
    products: (includeArchived = false) =>
      queryOptions({
        queryKey: keys.products(c, includeArchived),
        staleTime: 30_000,
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/products`, { params: { path: path(api), query: withoutEmpty({ pageSize: 500, pageToken, ...(includeArchived ? { includeArchived } : {}) }) }, signal }));
            return { items: r.products, nextPageToken: r.nextPageToken };
          }),
      }),
    templates: (includeArchived = false) =>
      queryOptions({
        queryKey: keys.templates(c, includeArchived),
        staleTime: 30_000,
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/packageTemplates`, { params: { path: path(api), query: withoutEmpty({ pageSize: 500, pageToken, includeArchived }) }, signal }));
            return { items: r.packageTemplates, nextPageToken: r.nextPageToken };
          }),
      }),
    customerSearch: (query: string, pageSize = 20) =>
      queryOptions({
        queryKey: keys.customerSearch(c, query, pageSize),
        queryFn: ({ signal }) => call(http.GET(`${C}/customers`, { params: { path: path(api), query: withoutEmpty({ query, pageSize }) }, signal })),
      }),
    /** The search, a page at a time ("Show more"). */
    customerSearchPages: (query: string, pageSize = 20) =>
      infiniteQueryOptions({
        queryKey: [...keys.customerSearch(c, query, pageSize), 'pages'] as const,
        initialPageParam: '',
        getNextPageParam: (last: { nextPageToken: string }) => last.nextPageToken || undefined,
        queryFn: ({ signal, pageParam }) =>
          call(http.GET(`${C}/customers`, { params: { path: path(api), query: withoutEmpty({ query, pageSize, pageToken: pageParam }) }, signal })),
      }),
    customer: (id: string) =>
      queryOptions({
        queryKey: keys.customer(c, id),
        queryFn: ({ signal }) => call(http.GET(`${C}/customers/{customerId}`, { params: { path: { ...path(api), customerId: id } }, signal })),
      }),
    package: (id: string) =>
      queryOptions({
        queryKey: keys.package(c, id),
        queryFn: ({ signal }) => call(http.GET(`${C}/packages/{packageId}`, { params: { path: { ...path(api), packageId: id } }, signal })),
      }),
    events: (id: string) =>
      queryOptions({
        queryKey: keys.events(c, id),
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(http.GET(`${C}/packages/{packageId}/events`, { params: { path: { ...path(api), packageId: id }, query: withoutEmpty({ pageSize: 500, pageToken }) }, signal }));
            return { items: r.events, nextPageToken: r.nextPageToken };
          }),
      }),
    customerPackages: (customerId: string) =>
      queryOptions({
        queryKey: keys.customerPackages(c, customerId),
        queryFn: ({ signal }) =>
          allPages(async (pageToken) => {
            const r = await call(
              http.GET(`${C}/customers/{customerId}/packages`, { params: { path: { ...path(api), customerId }, query: withoutEmpty({ pageSize: 200, pageToken }) }, signal }),
            );
            return { items: r.packages, nextPageToken: r.nextPageToken };
          }),
      }),
    expiring: (withinDays: number, businessId: string) =>
      queryOptions({
        queryKey: keys.expiring(c, withinDays, businessId),
        queryFn: ({ signal }) => call(http.GET(`${C}/packages:expiring`, { params: { path: path(api), query: withoutEmpty({ withinDays, businessId }) }, signal })),
      }),
    redemptions: (filter: RedemptionFilter) =>
      queryOptions({
        queryKey: keys.redemptions(c, filter),
        queryFn: ({ signal }) => call(http.GET(`${C}/redemptions`, { params: { path: path(api), query: withoutEmpty({ ...filter, pageSize: 100 }) as never }, signal })),
      }),
    /** The redemption list a page at a time ("Show more"), under `redemptions` so a package change refreshes it. */
    redemptionPages: (filter: Omit<RedemptionFilter, 'pageToken'>, pageSize = 50) =>
      infiniteQueryOptions({
        queryKey: [...keys.redemptions(c, filter), 'pages', { pageSize }] as const,
        initialPageParam: '',
        getNextPageParam: (last: { nextPageToken: string }) => last.nextPageToken || undefined,
        queryFn: ({ signal, pageParam }) =>
          call(http.GET(`${C}/redemptions`, { params: { path: path(api), query: withoutEmpty({ ...filter, pageSize, pageToken: pageParam }) as never }, signal })),
      }),
    refundPreview: (id: string, spec: RefundAsked) =>
      queryOptions({
        queryKey: keys.refundPreview(c, id, spec),
        queryFn: ({ signal }) => call(http.GET(`${C}/packages/{packageId}:refundPreview`, { params: { path: { ...path(api), packageId: id }, query: spec as never }, signal })),
      }),
    liability: (period: Period) =>
      queryOptions({
        queryKey: keys.liability(c, period),
        queryFn: ({ signal }) => call(http.GET(`${C}/reports/liability`, { params: { path: path(api), query: withoutEmpty({ ...period }) }, signal })),
      }),
    redemptionsPerDay: (days: number, businessId: string) =>
      queryOptions({
        queryKey: keys.redemptionsPerDay(c, days, businessId),
        queryFn: ({ signal }) => call(http.GET(`${C}/reports/redemptionsPerDay`, { params: { path: path(api), query: withoutEmpty({ days, businessId }) }, signal })),
      }),
  };
}

/**
 * After a change to a package: its new detail goes into the cache at once (the card updates without a
 * round trip), and everything else a package change can move is refetched.
 */
export function packageChanged(queryClient: QueryClient, api: Api, pkg: PackageDetail | undefined): void {
  const c = api.companyId;
  if (pkg) {
    const id = pkg.packageInfo.id;
    queryClient.setQueryData(keys.package(c, id), pkg);
    // The customer's list shows the new state at once too (a sale adds its card at the end, in record order).
    queryClient.setQueryData<PackageDetail[]>(keys.customerPackages(c, pkg.packageInfo.customerId), (list) =>
      list ? (list.some((p) => p.packageInfo.id === id) ? list.map((p) => (p.packageInfo.id === id ? pkg : p)) : [...list, pkg]) : list,
    );
  }
  const own = pkg ? JSON.stringify(keys.package(c, pkg.packageInfo.id)) : '';
  void queryClient.invalidateQueries({ queryKey: keys.packages(c), predicate: (q) => JSON.stringify(q.queryKey) !== own });
}
