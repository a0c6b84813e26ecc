// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../src/api/client';
import { QueryClient } from '@tanstack/react-query';
import { ApiError, createApi, newIdempotencyKey, whoIs, type ApiOptions } from '../src/api/client';
import { changes } from '../src/api/mutations';
import { reads } from '../src/api/queries';
import { installFakeApi, rpcError } from './support/fake-api';

afterEach(() => vi.unstubAllGlobals());

// The desk's calls, each through the generated client (clients/typescript) as the app makes them.
const api = (options: Partial<ApiOptions> = {}) => createApi({ key: 'pck.k', companyId: 'cmp_1', ...options });
const client = (options: Partial<ApiOptions> = {}) => {
  const a = api(options);
  const read = reads(a);
  const fetch = <T,>(o: { queryKey: readonly unknown[]; queryFn?: unknown }) => new QueryClient().fetchQuery(o as never) as Promise<T>;
  return {
    ...changes(a),
    me: () => call(a.http.GET('/v1/me')),
    searchCustomers: (query: string) => fetch(read.customerSearch(query)),
    businesses: () => fetch<{ id: string }[]>(read.businesses()),
  };
};

describe('the API client', () => {
  it('sends the key as a bearer token and the idempotency key when given', async () => {
    const api = installFakeApi().on('POST', /:redeem$/, { redemption: {}, package: {} });
    await client().redeem('pkg_1', { serviceId: 'srv_1', quantity: 1, businessId: 'biz_1' }, 'idem-1');
    const call = api.calls[0]!;
    expect(call.path).toBe('/v1/companies/cmp_1/packages/pkg_1:redeem');
    expect(call.headers.authorization).toBe('Bearer pck.k');
    expect(call.headers['idempotency-key']).toBe('idem-1');
    expect(call.body).toEqual({ serviceId: 'srv_1', quantity: 1, businessId: 'biz_1' });
  });

  it('escapes ids in paths and leaves empty query values out', async () => {
    const api = installFakeApi().on('GET', /customers$/, { customers: [], nextPageToken: '' });
    await client().searchCustomers('a&b=c');
    expect(api.calls[0]!.query.get('query')).toBe('a&b=c');
    expect(api.calls[0]!.query.has('pageToken')).toBe(false);
  });

  it("raises the API's own message and reason from google.rpc.Status", async () => {
    installFakeApi().on('POST', /:redeem$/, () => rpcError(400, 9, 'package pkg_1 is frozen until 2026-12-01', 'PACKAGE_FROZEN'));
    const error = (await client().redeem('pkg_1', { serviceId: 's', quantity: 1, businessId: 'b' }, 'k').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('package pkg_1 is frozen until 2026-12-01');
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.reason).toBe('PACKAGE_FROZEN');
    expect(error.retryable).toBe(false);
  });

  it('names the fields a bad request got wrong', async () => {
    installFakeApi().on('PUT', /services/, () => ({
      status: 400,
      json: { code: 3, message: 'price: is required', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'price', description: 'is required' }] }] },
    }));
    const error = (await client().upsertService('s', { name: 'x', durationMinutes: 1, price: { currencyCode: 'USD', units: 1 } }).catch((e: unknown) => e)) as ApiError;
    expect(error.fieldViolations).toEqual([{ field: 'price', description: 'is required' }]);
  });

  it('says so when the server cannot be reached, and that a retry may help', async () => {
    installFakeApi().on('GET', '/v1/me', () => ({ networkError: true }));
    const error = (await client().me().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/Cannot reach the server/);
    expect(error.retryable).toBe(true);
  });

  it('gives up on a server that does not answer in time', async () => {
    vi.stubGlobal('fetch', (request: Request) => new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))));
    const error = (await client({ timeoutMs: 20 }).me().catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('treats a 5xx without a body as retryable, with a plain message', async () => {
    installFakeApi().on('GET', '/v1/me', () => ({ status: 503 }));
    const error = (await client().me().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/HTTP 503/);
  });

  it('signs in with GET /v1/me and the key as a bearer token', async () => {
    const fake = installFakeApi().on('GET', '/v1/me', { companyId: 'cmp_1', keyId: 'key_1', role: 'STAFF', businessIds: [], name: 'front desk' });
    expect((await whoIs('pck.signin')).companyId).toBe('cmp_1');
    expect(fake.calls[0]!.headers.authorization).toBe('Bearer pck.signin');
  });

  it('tells the app when the key is no longer accepted', async () => {
    installFakeApi().on('GET', '/v1/me', () => rpcError(401, 16, 'unknown or revoked API key'));
    const onUnauthenticated = vi.fn();
    await client({ onUnauthenticated }).me().catch(() => undefined);
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('reads every page of a small list', async () => {
    const api = installFakeApi().on('GET', /businesses$/, (call) =>
      call.query.get('pageToken') ? { json: { businesses: [{ id: 'b2' }], nextPageToken: '' } } : { json: { businesses: [{ id: 'b1' }], nextPageToken: '2' } },
    );
    expect((await client().businesses()).map((b: { id: string }) => b.id)).toEqual(['b1', 'b2']);
    expect(api.calls).toHaveLength(2);
  });

  it('makes idempotency keys without a secure context', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^web-[0-9a-f]{32}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});
