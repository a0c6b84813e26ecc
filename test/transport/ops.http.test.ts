import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe.each(ENGINES)('operations endpoints on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('answers /healthz with 200', async () => {
    const r = await get('/healthz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and the engine when storage is reachable', async () => {
    const r = await get('/readyz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ready', engine });
  });

  it('counts requests in /metrics by route and status', async () => {
    const c = await t.newCompany();
    await c.call('GET', '/customers');
    await c.call('GET', '/customers/nobody');
    const r = await get('/metrics');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const lines = r.body.split('\n');
    const bucket = (route: string, status: number) =>
      lines.some(
        (l) =>
          l.startsWith('http_request_duration_seconds_bucket{') &&
          l.includes(`route="${route}"`) &&
          l.includes(`status_code="${status}"`) &&
          l.includes('method="GET"'),
      );
    expect(r.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(bucket('/v1/companies/:companyId/customers', 200)).toBe(true);
    expect(bucket('/v1/companies/:companyId/customers/:customerId', 404)).toBe(true);
    expect(r.body).toMatch(/http_requests_total\{[^}]*route="\/v1\/companies\/:companyId\/customers"[^}]*\} \d+/);
    // The route template, never the ids a client sent.
    expect(r.body).not.toContain(c.id);
    // And the process defaults.
    expect(r.body).toContain('process_cpu_user_seconds_total');
  });

  it('labels requests no route matched without their path', async () => {
    await get('/no/such/path/abc123');
    const r = await get('/metrics');
    expect(r.body).not.toContain('abc123');
    expect(r.body).toMatch(/http_request_duration_seconds_count\{[^}]*status_code="404"/);
  });

  it('publishes an OpenAPI 3 document listing the native paths', async () => {
    const r = await get('/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBeTruthy();
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/v1/companies',
      '/v1/companies/{companyId}/apiKeys',
      '/v1/companies/{companyId}/apiKeys/{keyId}',
      '/v1/me',
      '/v1/companies/{companyId}/businesses/{businessId}',
      '/v1/companies/{companyId}/customers',
      '/v1/companies/{companyId}/customers/{customerId}',
      '/v1/companies/{companyId}/staff/{staffId}',
      '/v1/companies/{companyId}/services/{serviceId}',
      '/v1/companies/{companyId}/products/{productId}',
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.paths['/v1/companies/{companyId}/customers/{customerId}'])).toEqual(expect.arrayContaining(['put', 'get']));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Operations and docs are not part of the API it describes.
    expect(paths).not.toContain('/healthz');
  });

  it('serves the API docs as HTML at /docs', async () => {
    const r = await get('/docs');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toMatch(/<html/i);
  });

  it('needs no key for any of them, and ignores a bad one', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect((await get(url)).statusCode, url).toBe(200);
      expect((await get(url, { authorization: 'Bearer not-a-key' })).statusCode, url).toBe(200);
    }
  });

  it('echoes the x-request-id a client sends, and makes one up otherwise', async () => {
    const sent = await get('/healthz', { 'x-request-id': 'trace-abc-123' });
    expect(sent.headers['x-request-id']).toBe('trace-abc-123');
    const made = await get('/healthz');
    expect(made.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{9,}$/);
    expect((await get('/healthz')).headers['x-request-id']).not.toBe(made.headers['x-request-id']);
  });

  it('gives errors a request id too', async () => {
    const r = await get('/v1/me', { 'x-request-id': 'trace-err-1' });
    expect(r.statusCode).toBe(401);
    expect(r.headers['x-request-id']).toBe('trace-err-1');
  });
});

describe.each(ENGINES)('readiness on %s when storage is gone', (engine) => {
  it('answers /readyz with 503 UNAVAILABLE while /healthz still answers 200', async () => {
    const t = await createTestApp(engine);
    try {
      await t.testStore.store.close();
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 14, details: [] });
      expect(ready.json().message).not.toMatch(/sqlite|postgres|pool|destroy/i);
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await t.app.close();
      await t.testStore.database.drop();
    }
  });
});
