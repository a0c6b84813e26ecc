// @vitest-environment happy-dom
// The client's import and export calls: a file sent as it is, files answered as Blobs, errors as elsewhere.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApi } from '../src/api/client';
import { changes } from '../src/api/mutations';
import { badRequest, bodyText, fileAnswer, installFakeApi, rpcError } from './support/fake-api';

afterEach(() => vi.unstubAllGlobals());

const client = () => changes(createApi({ key: 'pck.k', companyId: 'cmp_1' }));

describe('the API client: import and export', () => {
  it('sends an import as text/csv with the file as the body, and dryRun in the query', async () => {
    const api = installFakeApi().on('POST', /packages:import$/, { dryRun: true, packages: 1, items: 2, created: 1, unchanged: 0, customersCreated: 0 });
    const file = new File(['source_id\nold-1\n'], 'a.csv', { type: 'text/csv' });
    const summary = await client().importPackages(file, { dryRun: true });
    expect(summary.items).toBe(2);
    const call = api.calls[0]!;
    expect(call.path).toBe('/v1/companies/cmp_1/packages:import');
    expect(call.query.get('dryRun')).toBe('true');
    expect(call.headers['content-type']).toBe('text/csv');
    expect(call.headers.authorization).toBe('Bearer pck.k');
    expect(await bodyText(call.body)).toBe('source_id\nold-1\n');
    await client().importPackages('x\n', { dryRun: false });
    expect(api.calls[1]!.query.get('dryRun')).toBe('false');
    expect(await bodyText(api.calls[1]!.body)).toBe('x\n');
  });

  it("raises a refusal with every bad line in fieldViolations", async () => {
    installFakeApi().on('POST', /packages:import$/, () => badRequest([{ field: 'line 7: used', description: 'must not be more than total' }]));
    const error = (await client().importPackages('x', { dryRun: true }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.fieldViolations).toEqual([{ field: 'line 7: used', description: 'must not be more than total' }]);
  });

  it('answers an export as a Blob with the name the server suggests', async () => {
    const api = installFakeApi()
      .on('GET', /packages:export$/, () => fileAnswer('a,b\n1,2\n', 'packages-cmp_1.csv'))
      .on('GET', /events:export$/, () => fileAnswer('{}\n', 'events-cmp_1.ndjson', 'application/x-ndjson'));
    const packages = await client().exportPackages({ businessId: 'biz_1', lifecycle: 'ACTIVE' });
    expect(await packages.blob.text()).toBe('a,b\n1,2\n');
    expect(packages.serverFilename).toBe('packages-cmp_1.csv');
    expect(api.calls[0]!.query.get('businessId')).toBe('biz_1');
    expect(api.calls[0]!.query.get('lifecycle')).toBe('ACTIVE');
    expect(api.calls[0]!.headers.authorization).toBe('Bearer pck.k');
    const events = await client().exportEvents({ format: 'ndjson', to: '2026-03-01' });
    expect(await events.blob.text()).toBe('{}\n');
    expect(api.calls[1]!.query.get('format')).toBe('ndjson');
    expect(api.calls[1]!.query.get('to')).toBe('2026-03-01');
    expect(api.calls[1]!.query.has('from')).toBe(false);
  });

  it('maps a refused export as every other call', async () => {
    installFakeApi().on('GET', /events:export$/, () => rpcError(400, 3, 'format: must be csv or ndjson'));
    const error = (await client().exportEvents().catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('format: must be csv or ndjson');
    expect(error.retryable).toBe(false);
  });

  it('says so when an export is cut short', async () => {
    const broken = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a,b\n'));
        controller.error(new Error('connection reset'));
      },
    });
    vi.stubGlobal('fetch', async () => new Response(broken, { status: 200, headers: { 'content-type': 'text/csv' } }));
    const error = (await client().exportPackages().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/cut short/);
    expect(error.retryable).toBe(true);
  });
});
